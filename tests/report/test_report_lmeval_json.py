"""aimm's results JSON is a superset of lm-eval's, and ``aimm report`` reads lm-eval's JSON task for task.

Both files come from real runs in this process on the same tiny local Llama folder: lm-eval's
``simple_evaluate`` (``hf`` model) on tasks written by ``aimm tasks export --lm-eval``, run as an lm-eval
group with an aggregate, and ``aimm eval``'s ``evaluate``. lm-eval comes with the ``bench`` extra: these
tests skip locally without it and fail under ``CI=true``.
"""

from __future__ import annotations

import json

import pytest

from ci_support import require

TASKS = ["mini_ary_Arab_bpb", "mini_ary_sentiment_Arab"]
# lm-eval's keys aimm cannot fill honestly: lm-eval's own version, checkout and environment dump, its
# sample-log hashes, its tokenizer/chat-template fields, its timing; ``samples`` go to a file of their own
# (``<stem>.samples.jsonl``, as lm-eval's CLI writes ``samples_<task>_<date>.jsonl``)
NOT_AIMM = {
    "lm_eval_version", "git_hash", "upper_git_hash", "pretty_env_info", "task_hashes", "tokenizer_pad_token",
    "tokenizer_eos_token", "tokenizer_bos_token", "eot_token_id", "model_source", "system_instruction",
    "system_instruction_sha", "fewshot_as_multiturn", "chat_template", "chat_template_sha",
    "total_evaluation_time_seconds", "groups", "samples",
}  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``(lm-eval's results JSON as its CLI writes it, its path, aimm's results JSON, its path)``."""
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    import torch
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker
    from lm_eval.tasks import TaskManager

    from aimm_nlp.evaluation import evaluate
    from aimm_nlp.evaluation.lmeval_export import export_lm_eval
    from aimm_nlp.testing import DARIJA, tiny_causal_lm, tiny_tokenizer

    root = tmp_path_factory.mktemp("lmeval-json")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    tok = tiny_tokenizer(DARIJA * 3, vocab_size=400)
    tiny_causal_lm(tok, seed=0).save_pretrained(root / "model")
    tok.save_pretrained(root / "model")
    export_lm_eval(TASKS, root / "lm")
    (root / "lm" / "ary_group.yaml").write_text(
        "group: ary_group\ntask: [mini_ary_Arab_bpb, mini_ary_sentiment_Arab]\n"
        "aggregate_metric_list:\n  - metric: acc\nmetadata: {version: 1}\n",
        encoding="utf-8",
    )
    tracker = EvaluationTracker(output_path=str(root / "lm-out"))  # what lm-eval's CLI writes with
    theirs = simple_evaluate(
        evaluation_tracker=tracker,
        log_samples=False,
        model="hf",
        model_args=f"pretrained={root / 'model'},dtype=float32",
        device="cpu",
        tasks=["ary_group"],
        limit=20,
        bootstrap_iters=50,
        task_manager=TaskManager(include_path=str(root / "lm"), include_defaults=False),
    )
    tracker.save_results_aggregated(results=theirs, samples=None)  # --output_path's results_<date>.json
    (lm_path,) = (root / "lm-out").rglob("results_*.json")
    theirs = json.loads(lm_path.read_text("utf-8"))
    ours = evaluate(root / "model", TASKS, limit=20, bootstrap_iters=50, dtype="float32")
    aimm_path = ours.write(root / "aimm.json")
    torch.set_num_threads(threads)
    return theirs, lm_path, json.loads(aimm_path.read_text("utf-8")), aimm_path


def test_aimm_json_has_every_lm_eval_key_it_can_fill(runs):
    theirs, _, ours, _ = runs
    assert set(theirs) - NOT_AIMM <= set(ours), set(theirs) - NOT_AIMM - set(ours)
    for task in TASKS:  # per task: name, alias, sample_len, "<metric>,none" and "<metric>_stderr,none"
        assert set(theirs["results"][task]) <= set(ours["results"][task])
        assert ours["results"][task]["sample_len"] == theirs["results"][task]["sample_len"] == 20
        assert ours["n-samples"][task] == theirs["n-samples"][task]
        assert ours["versions"][task] == theirs["versions"][task] == 1
        assert ours["higher_is_better"][task].items() >= theirs["higher_is_better"][task].items()
    assert ours["group_subtasks"] == {task: [] for task in TASKS}
    assert set(ours["config"]) <= set(theirs["config"])  # the keys of lm-eval's config it can fill
    pretrained = ours["config"]["model_args"][
        "pretrained"
    ]  # lm-eval: a string from Python, a dict from its CLI
    assert f"pretrained={pretrained}," in theirs["config"]["model_args"]
    assert ours["model_name"] == theirs["model_name"]
    assert isinstance(ours["date"], float) and abs(ours["date"] - theirs["date"]) < 600
    assert ours["schema_version"] == 1 and "provenance" in ours and "lang" in ours  # aimm's own keys kept


def test_aimm_stderr_is_the_standard_error_its_interval_implies(runs):
    _, _, ours, _ = runs
    row = ours["results"]["mini_ary_Arab_bpb"]
    low, high = row["bits_per_byte_ci95,none"]
    assert row["bits_per_byte_stderr,none"] == pytest.approx((high - low) / (2 * 1.959963984540054))
    assert low < row["bits_per_byte,none"] < high


def test_lm_eval_prints_aimm_json_with_its_own_table(runs):
    from lm_eval.utils import make_table

    _, _, ours, _ = runs
    table = make_table(ours)  # lm-eval's CLI table, from aimm's file
    assert "mini_ary_Arab_bpb" in table and "bits_per_byte" in table and "mini_ary_sentiment_Arab" in table


def test_report_reads_lm_eval_json_task_for_task_with_aimm_json(runs):
    from aimm_nlp.report.board import load_board

    theirs, lm_path, _, aimm_path = runs
    assert "ary_group" in theirs["results"]  # lm-eval's group row: an aggregate of the two tasks
    board = load_board([f"lm-eval={lm_path}", f"aimm={aimm_path}"])
    assert [t.name for t in board.tasks] == sorted(TASKS)  # each task once, the group not as a task
    for info in board.tasks:  # lm-eval's file first: lang and primary read from metadata.aimm
        assert (info.lang, info.group) == ("ary_Arab", "ary_Arab")
        assert (
            info.primary == {"mini_ary_Arab_bpb": "bits_per_byte", "mini_ary_sentiment_Arab": "f1"}[info.name]
        )
        lm, aimm = board.cell("lm-eval", info.name), board.cell("aimm", info.name)
        assert lm.value == pytest.approx(aimm.value, rel=1e-5)
    assert board.aggregate("lm-eval")[1:] == board.aggregate("aimm")[1:] == (2, 2)
