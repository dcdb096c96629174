"""``aimm tasks export --lm-eval``: lm-eval runs the exported tasks offline and scores what ``aimm eval`` scores.

One task per kind runs in the normal suite (bits per byte, sentiment as multiple choice, translation,
transliteration and language ID as pipelines), ``--limit 20``, on a tiny random Llama-shape model saved to
a local folder (lm-eval's ``hf`` model, ``pretrained=DIR``); every exportable shipped task runs in the slow
variant. lm-eval comes with the ``bench`` extra: these tests skip locally without it and fail under ``CI=true``.
"""

from __future__ import annotations

import json

import pytest

from aimm_nlp.errors import ConfigError, InputFileError
from aimm_nlp.evaluation.lmeval_export import export_lm_eval
from ci_support import require

LIMIT = 20
MODEL_TASKS = ["mini_ary_Arab_bpb", "mini_ary_sentiment_Arab", "mini_translation_eng_ary"]
PIPELINE_TASKS = ["mini_translit_latn_arab", "mini_langid"]
# float32 forward passes in two harnesses: sums of per-token log-probs agree to rounding
TOLERANCE = {"bits_per_byte": 1e-5, "byte_perplexity": 1e-4, "word_perplexity": 1e-3}


def _lm_eval(model, tasks, out, **kwargs):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    return simple_evaluate(
        model=model,
        tasks=tasks,
        limit=LIMIT,
        task_manager=TaskManager(include_path=str(out), include_defaults=False),
        bootstrap_iters=0,
        **kwargs,
    )


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tok):
    from aimm_nlp.testing import tiny_causal_lm

    root = tmp_path_factory.mktemp("tiny-llama")
    tiny_causal_lm(tok, seed=0).save_pretrained(root)
    tok.save_pretrained(root)
    return root


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "lmeval"
    done, skipped = export_lm_eval([*MODEL_TASKS, *PIPELINE_TASKS], out)
    assert skipped == [] and [t.name for t in done] == [*MODEL_TASKS, *PIPELINE_TASKS]
    return out


def _assert_same(theirs, ours, task):
    scores = ours.scores[task]
    assert theirs["results"][task]["sample_len"] == ours.n_samples[task]["effective"] == LIMIT
    listed = {
        k.partition(",")[0] for k in theirs["results"][task] if k.endswith(",none") and "_stderr" not in k
    }
    assert listed == set(scores) - {"bits_per_char"}  # every metric but the one lm-eval cannot compute
    for metric in listed:
        assert theirs["results"][task][f"{metric},none"] == pytest.approx(
            scores[metric], rel=TOLERANCE.get(metric, 1e-9), abs=1e-12
        ), metric


@pytest.fixture(scope="module")
def model_runs(exported, model_dir):
    from aimm_nlp.evaluation import evaluate

    theirs = _lm_eval(
        "hf",
        MODEL_TASKS,
        exported,
        model_args=f"pretrained={model_dir},dtype=float32",
        batch_size=4,
        device="cpu",
    )
    ours = evaluate(model_dir, MODEL_TASKS, limit=LIMIT, bootstrap_iters=0, batch_size=4, dtype="float32")
    return theirs, ours


@pytest.mark.parametrize("task", MODEL_TASKS)
def test_lm_eval_scores_an_exported_model_task_as_aimm_eval_does(model_runs, task):
    theirs, ours = model_runs
    _assert_same(theirs, ours, task)
    assert (
        theirs["configs"][task]["metadata"]["aimm"]["primary_metric"] == ours.configs[task]["primary_metric"]
    )


def test_lm_eval_scores_each_item_as_aimm_eval_does(model_runs):
    """Per item, not only the aggregate: the first 20 mini sentiment items are all positive and a
    random model never picks it, so acc and F1 are 0 in both; their log-likelihoods must agree too."""
    theirs, ours = model_runs
    lls = {
        s["doc_id"]: [ll for ll, _ in s["filtered_resps"]]
        for s in theirs["samples"]["mini_ary_sentiment_Arab"]
    }
    for row in ours.samples["mini_ary_sentiment_Arab"]:
        assert row["lls"] == pytest.approx(lls[row["doc_id"]], abs=1e-4)
    preds = {s["doc_id"]: s["filtered_resps"][0] for s in theirs["samples"]["mini_translation_eng_ary"]}
    assert {row["doc_id"]: row["pred"] for row in ours.samples["mini_translation_eng_ary"]} == preds


@pytest.mark.parametrize("task", PIPELINE_TASKS)
def test_lm_eval_scores_an_exported_pipeline_task_as_aimm_eval_does(exported, task):
    from aimm_nlp.evaluation import evaluate
    from aimm_nlp.evaluation.lmeval_pipeline import PipelineLM

    theirs = _lm_eval(PipelineLM(), [task], exported)
    _assert_same(theirs, evaluate(None, [task], limit=LIMIT, bootstrap_iters=0), task)


def test_the_export_writes_what_aimm_scores(exported):
    from aimm_nlp.evaluation.task import load_task

    task = load_task("mini_ary_sentiment_Arab")
    for split in ("test", "train"):  # hash_split and doc_filter applied: the same docs on each side
        rows = (exported / "data" / f"mini_ary_sentiment_Arab.{split}.jsonl").read_text("utf-8").splitlines()
        assert [json.loads(r) for r in rows] == task.docs(split)
    text = (exported / "mini_ary_sentiment_Arab.yaml").read_text("utf-8")
    assert "output_type: multiple_choice" in text and "${AIMM" not in text and "doc_filter" not in text
    assert "aggregation: !function 'aimm_lmeval_functions.macro_f1'" in text


@pytest.mark.slow
@pytest.mark.parametrize("suite", ["morocco-mini", "morocco"])
def test_lm_eval_runs_every_exportable_shipped_task_as_a_group(tmp_path, model_dir, suite):
    """Every shipped task but POS (lm-eval has no token classifiers), --limit 20, against aimm eval."""
    from aimm_nlp.evaluation import evaluate
    from aimm_nlp.evaluation.lmeval_pipeline import PipelineLM
    from aimm_nlp.evaluation.suites import load_suite

    done, skipped = export_lm_eval([], tmp_path / "lm", suites=[suite])
    assert [name for name, _ in skipped] == [t for t in load_suite(suite).tasks if "pos" in t]
    pipes = [t.name for t in done if "langid" in t.name or "translit" in t.name]
    models = [t.name for t in done if t.name not in pipes]
    theirs = _lm_eval(
        "hf",
        models,
        tmp_path / "lm",
        model_args=f"pretrained={model_dir},dtype=float32",
        batch_size=4,
        device="cpu",
    )
    ours = evaluate(model_dir, models, limit=LIMIT, bootstrap_iters=0, batch_size=4, dtype="float32")
    for task in models:
        _assert_same(theirs, ours, task)
    theirs, ours = (
        _lm_eval(PipelineLM(), pipes, tmp_path / "lm"),
        evaluate(None, pipes, limit=LIMIT, bootstrap_iters=0),
    )
    for task in pipes:
        _assert_same(theirs, ours, task)
    from lm_eval.tasks import TaskManager

    loaded = TaskManager(include_path=str(tmp_path / "lm"), include_defaults=False).load([suite])
    assert loaded["group_map"] == {suite: [t.name for t in done]}  # the suite is an lm-eval group


@pytest.mark.parametrize(
    ("tasks", "setup", "error", "expected"),
    [
        (["mini_langid"], "non-empty", InputFileError, "exists and is not an empty folder"),
        (["mini_langid"], "file", InputFileError, "exists and is not an empty folder"),
        (["mini_pos"], None, ConfigError, "output type 'token_classification' has no lm-eval form"),
        (["no_such_task"], None, Exception, "no_such_task"),
        (["mini_langid", "mini_pos", "qcri_pos_mgr"], None, ConfigError, "qcri_pos_mgr.yaml"),
    ],
    ids=["folder with files", "a file", "POS", "unknown task", "every bad task listed"],
)
def test_a_bad_export_writes_nothing_and_says_why(tmp_path, tasks, setup, error, expected):
    out = tmp_path / "lm"
    if setup == "non-empty":
        out.mkdir()
        (out / "mine.txt").write_text("ⵜⴰⵎⴰⵣⵉⵖⵜ", encoding="utf-8")
    elif setup == "file":
        out.write_text("salam", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(error) as info:
        export_lm_eval(tasks, out)
    assert expected in str(info.value) + "".join(getattr(info.value, "errors", []) or [])
    assert sorted(tmp_path.rglob("*")) == before  # the user's files kept, no temp folder left


def test_a_failure_while_writing_leaves_no_folder(tmp_path, monkeypatch):
    import aimm_nlp.evaluation.lmeval_export as mod

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(mod.json, "dumps", fail)
    with pytest.raises(OSError, match="disk full"):
        export_lm_eval(["mini_translit_latn_arab"], tmp_path / "lm")
    assert list(tmp_path.iterdir()) == []


def test_cli_export_lists_what_it_wrote_and_what_it_left_out(tmp_path, capsys):
    from aimm_nlp.cli import main

    assert main(["tasks", "export", "--lm-eval", str(tmp_path / "lm"), "--suite", "morocco-mini"]) == 0
    out, err = capsys.readouterr()
    assert "mini_ary_Arab_bpb.yaml  loglikelihood_rolling (dropped: bits_per_char)" in out
    assert "left out mini_pos: output type 'token_classification'" in err
    assert "mini_pos" not in (tmp_path / "lm" / "morocco-mini.yaml").read_text("utf-8")
    assert main(["tasks", "export", "--lm-eval", str(tmp_path / "other")]) == 2
    assert "name at least one TASK or --suite SUITE" in capsys.readouterr().err


def test_pipeline_lm_without_lm_eval_names_the_extra(monkeypatch):
    import aimm_nlp._deps as deps
    import aimm_nlp.evaluation.lmeval_pipeline as mod
    from aimm_nlp.errors import MissingDependencyError

    mod._pipeline_lm.cache_clear()
    monkeypatch.setattr(deps, "is_available", lambda name: name != "lm_eval")
    try:
        with pytest.raises(MissingDependencyError, match=r'pip install "aimm-nlp\[bench\]"'):
            mod.PipelineLM  # noqa: B018  (the class is built on first access)
    finally:
        mod._pipeline_lm.cache_clear()
