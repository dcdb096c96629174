"""The gate's library side (issue 24): `check_comparable` refuses unlike runs, each metric by its own rule.

The `aimm eval --baseline` side, with real runs of a tiny model: tests/cli/test_eval_gate.py.
"""

from __future__ import annotations

import math

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.report import RELATIVE_METRICS, Regression, check_comparable, compare_to_baseline

SHA_D, SHA_P = "d" * 64, "p" * 64


def aimm_run(task="ary_sentiment_Arab", n=200, original=1340, shot=0, data=SHA_D, prompt=SHA_P, **scores):
    """An aimm results file as `aimm eval` writes it (only the keys the gate reads)."""
    return {
        "results": {task: {f"{m},none": v for m, v in (scores or {"acc": 0.5}).items()}},
        "n-samples": {task: {"original": original, "effective": n}},
        "n-shot": {task: shot},
        "provenance": {"data_sha256": {task: data}, "prompt_sha256": {task: prompt}},
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"n": 3}, ["sample count differs (baseline 200, this run 3)"]),
        ({"original": 1336}, ["document count before --limit differs (baseline 1340, this run 1336)"]),
        ({"shot": 5}, ["few-shot count differs (baseline 0, this run 5)"]),
        ({"data": "e" * 64}, [f"data_sha256 differs (baseline {SHA_D}, this run {'e' * 64})"]),
        ({"prompt": "q" * 64}, [f"prompt_sha256 differs (baseline {SHA_P}, this run {'q' * 64})"]),
        # every difference is listed at once
        ({"n": 3, "data": "e" * 64, "prompt": "q" * 64}, ["sample count", "data_sha256", "prompt_sha256"]),
    ],
)
def test_unlike_runs_are_refused(changes, expected):
    with pytest.raises(ConfigError) as exc:
        check_comparable(aimm_run(**changes), aimm_run())
    for err, want in zip(exc.value.errors, expected, strict=True):  # one error per difference
        assert err.startswith(f"ary_sentiment_Arab: {want}")
        assert "regenerate the baseline" in err  # and the fix


def test_like_runs_pass_with_nothing_unchecked():
    assert check_comparable(aimm_run(acc=0.1), aimm_run(acc=0.9)) == []


def lm_eval_file(task="ary_sentiment_Arab", n=200, original=1340):
    """lm-eval 0.4's results JSON keys: no data or prompt hashes."""
    return {
        "results": {task: {"alias": task, "acc,none": 0.5, "acc_stderr,none": 0.03}},
        "n-samples": {task: {"original": original, "effective": n}},
        "n-shot": {task: 0},
        "higher_is_better": {task: {"acc": True}},
        "configs": {task: {"task": task}},
        "versions": {task: 1},
    }


def test_lm_eval_file_is_compared_on_what_it_records():
    unchecked = check_comparable(aimm_run(), lm_eval_file())
    assert unchecked == [
        "data_sha256 not compared (not recorded in both files): ary_sentiment_Arab",
        "prompt_sha256 not compared (not recorded in both files): ary_sentiment_Arab",
    ]
    with pytest.raises(ConfigError, match="sample count differs"):
        check_comparable(aimm_run(n=3), lm_eval_file())


def test_tasks_in_one_file_only_are_not_compared_here():
    assert check_comparable(aimm_run(task="zgh_topic"), aimm_run(n=3)) == []


@pytest.mark.parametrize(
    ("metric", "base", "cur", "max_drop", "expected"),
    [
        # issue 24: the same model against lm-eval's file, 1.8e-7 relative apart, 1e13 absolute
        ("word_perplexity", 5.5e19, 5.5e19 * (1 + 1.8e-7), 0.01, None),
        ("byte_perplexity", 4.0, 4.5, 0.125, None),  # 12.5 % relative: allowed
        ("byte_perplexity", 4.0, 4.5, 0.1, 0.125),  # reported as the relative drop
        ("perplexity", 8.0, 9.0, 0.0, 0.125),
        ("perplexity", 8.0, 7.0, 0.0, None),  # lower perplexity: better
        ("bits_per_byte", 2.0, 2.25, 0.125, 0.25),  # bounded-scale metrics stay absolute
        ("acc", 0.75, 0.5, 0.125, 0.25),
    ],
)
def test_each_metric_by_its_rule(metric, base, cur, max_drop, expected):
    hib = {"t": {metric: metric == "acc"}}
    run = {"results": {"t": {f"{metric},none": cur}}, "higher_is_better": hib}
    baseline = {"results": {"t": {f"{metric},none": base}}, "higher_is_better": hib}
    regs = compare_to_baseline(run, baseline, max_drop=max_drop)
    rule = "relative" if metric in RELATIVE_METRICS else "absolute"
    assert regs == ([] if expected is None else [Regression("t", metric, base, cur, expected, rule)])


def test_per_metric_max_drop_overrides_the_default():
    scores = {"acc": 0.75, "f1": 0.5, "word_perplexity": 100.0}
    worse = {"acc": 0.625, "f1": 0.375, "word_perplexity": 110.0}  # 0.125, 0.125, 10 % relative
    run, base = aimm_run(**worse), aimm_run(**scores)
    base["higher_is_better"] = {"ary_sentiment_Arab": {"acc": True, "f1": True, "word_perplexity": False}}
    assert [r.metric for r in compare_to_baseline(run, base, max_drop=0.125)] == []
    got = compare_to_baseline(run, base, max_drop=0.125, max_drops={"acc": 0.0, "word_perplexity": 0.05})
    assert [(r.metric, r.rule) for r in got] == [("acc", "absolute"), ("word_perplexity", "relative")]
    assert math.isclose(got[1].drop, 0.1)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "0.1", True, None])
def test_bad_per_metric_max_drop_is_refused(bad):
    with pytest.raises(ConfigError, match=r"max_drops\['acc'\] must be a number >= 0"):
        compare_to_baseline({"results": {}}, {"results": {}}, max_drops={"acc": bad})
