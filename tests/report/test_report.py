"""Leaderboard files and the regression gate."""

from __future__ import annotations

import json

import pytest

from aimm_nlp.cli import main
from aimm_nlp.report import compare_to_baseline, report
from aimm_nlp.report.tables import run_names


def run_json(acc, bpb, lang="ary_Arab"):
    return {
        "results": {
            "ary_sentiment": {
                "alias": "ary_sentiment",
                "acc,none": acc,
                "acc_ci95,none": [acc - 0.05, acc + 0.05],
            },
            "flores_ary_Arab_bpb": {"bits_per_byte,none": bpb, "bits_per_byte_ci95,none": None},
        },
        "higher_is_better": {"ary_sentiment": {"acc": True}, "flores_ary_Arab_bpb": {"bits_per_byte": False}},
        "lang": {"ary_sentiment": "ary_Arab+ary_Latn", "flores_ary_Arab_bpb": lang},
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


def test_report_writes_markdown_html_and_plots(tmp_path):
    paths = []
    for name, acc in (("bert", 0.61), ("llm", 0.55)):
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(run_json(acc, 2.0)), encoding="utf-8")
        paths.append(p)
    out = tmp_path / "rep"
    assert main(["report", *map(str, paths), "--out", str(out)]) == 0
    md = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert (
        "| ary_sentiment | ary_Arab+ary_Latn | acc | 0.6100 [0.5600, 0.6600] | 0.5500 [0.5000, 0.6000] |"
        in md
    )
    html = (out / "leaderboard.html").read_text(encoding="utf-8")
    assert "<table>" in html and 'src="acc.png"' in html
    for png in ("acc.png", "bits_per_byte.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(report(paths, out=out)) >= {"markdown", "html", "plot:acc"}


def test_report_bad_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["report", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not a results file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


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


def test_report_keeps_both_runs_of_the_same_file_name(tmp_path):
    """The CI example compares baselines/morocco.json with results/morocco.json: two columns, not one."""
    paths = []
    for folder, acc in (("baselines", 0.61), ("results", 0.55)):
        (tmp_path / folder).mkdir()
        p = tmp_path / folder / "morocco.json"
        p.write_text(json.dumps(run_json(acc, 2.0)), encoding="utf-8")
        paths.append(p)
    out = tmp_path / "rep"
    assert main(["report", *map(str, paths), "--out", str(out)]) == 0
    md = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "baselines/morocco" in md and "results/morocco" in md
    assert "| 0.6100 [0.5600, 0.6600] | 0.5500 [0.5000, 0.6000] |" in md


def test_report_same_file_twice_exits_2(tmp_path, capsys):
    p = tmp_path / "run.json"
    p.write_text(json.dumps(run_json(0.6, 2.0)), encoding="utf-8")
    assert main(["report", str(p), str(p), "--out", str(tmp_path / "o")]) == 2
    assert "given twice" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
