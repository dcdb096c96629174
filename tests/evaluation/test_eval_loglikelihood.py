"""lm-eval's ``output_type: loglikelihood``, its ``perplexity`` metric and the decontamination keys.

A task file in lm-eval's shape (``doc_to_text``/``doc_to_target``, ``metric_list: [perplexity, acc]``,
``should_decontaminate``/``doc_to_decontamination_query``) over a small TSV of Moroccan text runs in
``aimm eval`` and in lm-eval (in process, HFLM, ``simple_evaluate``) on the same tiny causal LM: the same
perplexity (rel. 1e-5), the same per-doc log-likelihoods and greedy flags. ``aimm tasks validate``
accepts it; bad values of the new keys exit 2 naming file:line. lm-eval comes with the ``bench`` extra.
"""

from __future__ import annotations

import json
import math

import pytest

from aimm_nlp.cli import main
from ci_support import require

ROWS = [
    ("سلام لاباس عليك؟", " الحمد لله مزيان"),
    ("salam, wach nta", " mzyaaaaan 😂"),
    ("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ", " ⵜⴰⵏⵎⵎⵉⵔⵜ"),
    ("واش مشيتي لكازا", " ايه مشيت lbare7 m3a khouya"),
    ("شنو سميتك", " ا"),
    ("ا", " 😂"),
]

TASK = """task: ary_loglikelihood
dataset_path: csv
dataset_kwargs:
  data_files:
    test: {data}
  delimiter: "\\t"
test_split: test
output_type: loglikelihood
doc_to_text: "{{{{text}}}}"
doc_to_target: "{{{{target}}}}"
should_decontaminate: {decon}
doc_to_decontamination_query: {query}
metric_list:
  - metric: perplexity
    aggregation: perplexity
    higher_is_better: false
  - metric: acc
metadata:
  version: 1
"""


def write_task(tmp_path, decon="true", query='"{{text}}"', rows=ROWS):
    (tmp_path / "tasks").mkdir(exist_ok=True)
    data = tmp_path / "tasks" / "ary_ll.tsv"
    lines = ["text\ttarget"] + [f"{t}\t{c}" for t, c in rows]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "tasks" / "ary_loglikelihood.yaml"
    path.write_text(TASK.format(data=data, decon=decon, query=query), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def llm(tmp_path_factory):
    from aimm_nlp.testing import DARIJA, tiny_causal_lm, tiny_tokenizer

    tok = tiny_tokenizer(DARIJA * 3, vocab_size=400)
    root = tmp_path_factory.mktemp("ll_model")
    tiny_causal_lm(tok, seed=5).save_pretrained(root)
    tok.save_pretrained(root)
    return root


@pytest.fixture(scope="module")
def greedy_row(llm):
    """A (context, target) whose target is the model's greedy continuation, so ``acc`` is not 0 for all."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aimm_nlp.evaluation import wrap_model

    tok = AutoTokenizer.from_pretrained(llm)
    model = wrap_model(AutoModelForCausalLM.from_pretrained(llm), tok, max_length=64)
    pieces = [tok.decode([i]) for i in range(len(tok))]
    # every whole-character token that a TSV cell can hold; the backend says which one is greedy
    conts = [p for p in pieces if p.strip() == p and p and "\ufffd" not in p]
    for ctx in ("سلام", "wach", "ⴰⵣⵓⵍ", "الحمد لله", "salam", "labas"):
        flags = dict(model.score_choices([(ctx, conts)]))[0]
        for cont, (_, greedy) in zip(conts, flags, strict=True):
            if greedy:
                return ctx, cont
    pytest.fail("no one-token greedy continuation found")


def test_validate_accepts_lm_evals_shape(tmp_path, capsys):
    assert main(["tasks", "validate", str(write_task(tmp_path))]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("decon", "query", "line", "want"),
    [
        ('"yes"', '"{{text}}"', 11, "should_decontaminate: 'yes' is not true or false"),
        ("1", '"{{text}}"', 11, "should_decontaminate: 1 is not true or false"),
        ("[true]", '"{{text}}"', 11, "should_decontaminate: [True] is not true or false"),
        ("true", "[text]", 12, "doc_to_decontamination_query: ['text'] is not a string"),
        ("true", "3", 12, "doc_to_decontamination_query: 3 is not a string"),
        ("true", '"{{tweet}}"', None, "doc_to_decontamination_query: template uses column 'tweet'"),
        ("true", "tweet", None, "doc_to_decontamination_query: column 'tweet' not in"),
        ("true", '"{{text"', None, "doc_to_decontamination_query: template syntax error"),
    ],
)
def test_bad_decontamination_keys_exit_2(tmp_path, capsys, decon, query, line, want):
    path = write_task(tmp_path, decon, query)
    assert main(["tasks", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert want in err
    if line is not None:
        assert f"{path}:{line}: " in err


@pytest.mark.parametrize(
    ("output_type", "want"),
    [
        ("multiple_choice", "perplexity needs output_type loglikelihood"),
        ("loglikelihood_rolling", "perplexity is the metric of output_type loglikelihood"),
    ],
)
def test_perplexity_metric_only_for_loglikelihood(tmp_path, capsys, output_type, want):
    path = write_task(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "output_type: loglikelihood", f"output_type: {output_type}"
    )
    path.write_text(text + 'doc_to_choice: ["a", "b"]\n', encoding="utf-8")
    assert main(["tasks", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:14: metric_list: {want}" in err
    if output_type == "loglikelihood_rolling":
        assert "for loglikelihood_rolling use word_perplexity, byte_perplexity or bits_per_byte" in err


def test_loglikelihood_needs_a_target(tmp_path, capsys):
    path = write_task(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('doc_to_target: "{{target}}"\n', ""), "utf-8")
    assert main(["tasks", "validate", str(path)]) == 2
    assert "doc_to_target: required for loglikelihood" in capsys.readouterr().err


def test_perplexity_and_acc_equal_lm_evals(llm, greedy_row, tmp_path):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    path = write_task(tmp_path, rows=[*ROWS, greedy_row])
    out = tmp_path / "ours.json"
    argv = ["eval", "--model", str(llm), "--tasks", str(path), "--output", str(out), "--no-cache",
            "--bootstrap-iters", "0"]  # fmt: skip
    assert main(argv) == 0
    ours = json.loads(out.read_text(encoding="utf-8"))
    lm = HFLM(pretrained=str(llm), batch_size=4, device="cpu")
    theirs = simple_evaluate(model=lm, tasks=["ary_loglikelihood"], bootstrap_iters=0, log_samples=True,
                             task_manager=TaskManager(include_path=str(tmp_path / "tasks")))  # fmt: skip
    res, mine = theirs["results"]["ary_loglikelihood"], ours["results"]["ary_loglikelihood"]
    assert theirs["n-samples"]["ary_loglikelihood"]["effective"] == len(ROWS) + 1
    assert mine["perplexity,none"] == pytest.approx(res["perplexity,none"], rel=1e-5)
    assert mine["acc,none"] == res["acc,none"] == pytest.approx(1 / (len(ROWS) + 1))
    lls = [
        s["resps"][0][0][0] for s in sorted(theirs["samples"]["ary_loglikelihood"], key=lambda s: s["doc_id"])
    ]
    assert mine["perplexity,none"] == pytest.approx(math.exp(-sum(lls) / len(lls)), rel=1e-5)


@pytest.mark.parametrize(
    "lls",
    [[-2.0], [-29.57, -24.14, -84.45], [0.0, -1e-9], [-700.0, -1.5]],
)
def test_perplexity_metric_is_lm_evals(lls):
    """exp(-mean ll) over docs, lower is better, the same value as lm-eval's aggregation."""
    from aimm_nlp.evaluation.metrics import METRICS

    metric = METRICS["perplexity"]
    items = [{"lls": [ll], "greedy": [False], "gold": 0, "choices": ["x"], "target": "x"} for ll in lls]
    assert metric.higher_is_better is False
    assert metric.aggregate(items) == pytest.approx(math.exp(-sum(lls) / len(lls)), rel=1e-12)
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval.api.metrics import perplexity

    assert metric.aggregate(items) == pytest.approx(perplexity(lls), rel=1e-12)


@pytest.mark.parametrize(("greedy", "want"), [(True, 1.0), (False, 0.0)])
def test_acc_of_a_loglikelihood_item_is_its_greedy_flag(greedy, want):
    """One choice, so the argmax is always the gold: acc must come from the greedy flag (lm-eval's)."""
    from aimm_nlp.evaluation.metrics import METRICS

    item = {"lls": [-3.0], "greedy": [greedy], "gold": 0, "choices": [" مزيان"], "target": " مزيان"}
    assert METRICS["acc"].item_value(item) == want
