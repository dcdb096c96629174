"""The regression gate, run names and leaderboard rows (`aimm report` itself: tests/cli/test_report_cli.py).

About internals in part: `run_names` and `leaderboard_rows` of report/tables.py are called directly.
"""

from __future__ import annotations

import json
import math

import pytest
from report_samples import run_json

from aimm_nlp.report import Regression, compare_to_baseline, report
from aimm_nlp.report.tables import leaderboard_rows, run_names


# -- regression gate boundaries and directions, leaderboard grouping (found by mutation testing).
# Scores are multiples of 1/8 so every drop is exact in binary floating point: a drop equal to
# ``max_drop`` is allowed, anything more is a regression.
def res(scores: dict[tuple[str, str], float | None], hib: dict[str, dict[str, bool]] | None = None) -> dict:
    results: dict = {}
    for (task, metric), value in scores.items():
        results.setdefault(task, {})[f"{metric},none"] = value
    out = {"results": results}
    if hib is not None:
        out["higher_is_better"] = hib
    return out


ACC = {"ary_sentiment": {"acc": True}}
CER = {"translit_ary": {"cer": False}}
RUNS = {
    "bert": {
        "results": {
            "ary_sentiment": {"acc,none": 0.75},
            "arabizi_sentiment": {"acc,none": 0.5},
            "zgh_topic": {"acc,none": 0.25},
            "misc": {"acc,none": 0.125},
        },
        "lang": {"ary_sentiment": "ary_Arab", "arabizi_sentiment": "ary_Latn", "zgh_topic": "zgh_Tfng"},
    },
    "llm": {
        "results": {"ary_sentiment": {"acc,none": 0.625}, "arabizi_sentiment": {"acc,none": None}},
        "lang": {"ary_sentiment": "ary_Arab", "arabizi_sentiment": "ary_Latn"},
    },
}


@pytest.mark.parametrize(
    ("acc", "bpb", "max_drop", "expected"),
    [
        (0.60, 2.0, 0.01, []),
        (0.58, 2.0, 0.01, [("ary_sentiment", "acc")]),
        (0.595, 2.0, 0.01, []),  # within the allowed drop
        (0.60, 2.2, 0.01, [("flores_ary_Arab_bpb", "bits_per_byte")]),  # lower is better
        (0.70, 1.5, 0.01, []),  # improvements are fine
    ],
)
def test_compare_to_baseline_directions(acc, bpb, max_drop, expected):
    regs = compare_to_baseline(run_json(acc, bpb), run_json(0.60, 2.0), max_drop=max_drop)
    assert [(r.task, r.metric) for r in regs] == expected


def test_missing_metric_is_a_regression():
    run = run_json(0.6, 2.0)
    del run["results"]["flores_ary_Arab_bpb"]
    assert [r.metric for r in compare_to_baseline(run, run_json(0.6, 2.0))] == ["bits_per_byte"]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["out/bert.json", "out/llm.json"], ["bert", "llm"]),
        (["baselines/morocco.json", "results/morocco.json"], ["baselines/morocco", "results/morocco"]),
        (["a/x/run.json", "b/x/run.json", "c.json"], ["a/x/run", "b/x/run", "c"]),
        (["run.json", "sub/run.json"], ["main/run", "sub/run"]),  # relative to the repo root (cwd)
    ],
)
def test_run_names_tell_files_of_the_same_stem_apart(paths, expected, monkeypatch, tmp_path):
    (tmp_path / "main").mkdir()
    monkeypatch.chdir(tmp_path / "main")
    assert run_names(paths) == expected


@pytest.mark.parametrize(
    ("base", "cur", "hib", "max_drop", "expected_drop"),
    [
        # higher is better
        (0.75, 0.5, ACC, 0.25, None),  # drop == max_drop: allowed
        (0.75, 0.5, ACC, 0.125, 0.25),
        (0.75, 0.625, ACC, 0.0, 0.125),  # max_drop 0: any drop fails
        (0.75, 0.75, ACC, 0.0, None),  # no change passes max_drop 0
        (0.5, 0.75, ACC, 0.0, None),  # improvement
        (0.75, 0.5, None, 0.125, 0.25),  # no higher_is_better anywhere: higher is better
        # lower is better
        (0.25, 0.5, CER, 0.25, None),  # rise == max_drop: allowed
        (0.25, 0.5, CER, 0.125, 0.25),
        (0.5, 0.25, CER, 0.0, None),  # improvement
    ],
)
def test_drop_boundary_and_direction(base, cur, hib, max_drop, expected_drop) -> None:
    task, metric = next(iter((hib or ACC).items()))
    metric = next(iter(metric))
    regs = compare_to_baseline(
        res({(task, metric): cur}, hib), res({(task, metric): base}, hib), max_drop=max_drop
    )
    expected = [] if expected_drop is None else [Regression(task, metric, base, cur, expected_drop)]
    assert regs == expected


def test_direction_given_only_by_the_baseline_is_used() -> None:
    run = res({("translit_ary", "cer"): 0.5})  # the run file has no higher_is_better
    base = res({("translit_ary", "cer"): 0.25}, CER)
    assert [r.drop for r in compare_to_baseline(run, base, max_drop=0.125)] == [0.25]
    assert compare_to_baseline(res({("translit_ary", "cer"): 0.125}), base, max_drop=0.0) == []


def test_the_runs_direction_wins_over_the_baselines() -> None:
    run = res({("translit_ary", "cer"): 0.25}, CER)
    base = res({("translit_ary", "cer"): 0.5}, {"translit_ary": {"cer": True}})
    assert compare_to_baseline(run, base, max_drop=0.0) == []  # cer fell: better, by the run's word


@pytest.mark.parametrize(
    ("run_scores", "expected"),
    [
        ({("ary_sentiment", "acc"): 0.75}, [("ary_sentiment", "f1")]),  # f1 missing from the run
        ({("ary_sentiment", "acc"): 0.75, ("ary_sentiment", "f1"): None}, [("ary_sentiment", "f1")]),  # null
        ({}, [("ary_sentiment", "acc"), ("ary_sentiment", "f1")]),  # sorted by (task, metric)
        ({("ary_sentiment", "acc"): 0.75, ("ary_sentiment", "f1"): 0.5, ("langid_ma", "acc"): 0.0}, []),
    ],
)
def test_missing_or_null_metric_is_a_regression(run_scores, expected) -> None:
    base = res({("ary_sentiment", "acc"): 0.75, ("ary_sentiment", "f1"): 0.5})
    regs = compare_to_baseline(res(run_scores), base, max_drop=0.5)
    assert [(r.task, r.metric) for r in regs] == expected
    for r in regs:
        assert math.isnan(r.current) and r.drop == math.inf


def test_null_baseline_score_is_skipped() -> None:
    base = res({("ary_sentiment", "acc"): None, ("ary_sentiment", "f1"): 0.5})
    run = res({("ary_sentiment", "f1"): 0.5})  # acc missing too: nothing to compare it with
    assert compare_to_baseline(run, base) == []


def test_leaderboard_rows_are_grouped_by_language_then_task_then_run() -> None:
    rows = [(r["lang"], r["task"], r["run"], r["value"]) for r in leaderboard_rows(RUNS)]
    assert rows == [
        ("-", "misc", "bert", 0.125),  # no language: "-" sorts first
        ("ary_Arab", "ary_sentiment", "bert", 0.75),
        ("ary_Arab", "ary_sentiment", "llm", 0.625),
        ("ary_Latn", "arabizi_sentiment", "bert", 0.5),
        ("ary_Latn", "arabizi_sentiment", "llm", None),
        ("zgh_Tfng", "zgh_topic", "bert", 0.25),
    ]


def test_leaderboard_markdown_has_one_row_per_system_and_a_column_per_task(tmp_path) -> None:
    paths = []
    for name, data in RUNS.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    md = report(paths, out=tmp_path / "board")["markdown"].read_text(encoding="utf-8")
    table = md.split("## All tasks")[1].split("##")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert (
        rows
        == [
            "| system | ary_sentiment (acc ↑) | arabizi_sentiment (acc ↑) | zgh_topic (acc ↑) | misc (acc ↑) |",
            "| bert | **0.750** | 0.500 | 0.250 | 0.125 |",  # grouped: ary_Arab, ary_Latn, zgh_Tfng, then no language
            "| llm | 0.625 | n/a | n/a | n/a |",  # null and not run: n/a
        ]
    )
