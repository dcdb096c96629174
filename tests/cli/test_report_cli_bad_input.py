"""`aimm report` on bad run files: exit 2 naming the file (and the bad field), nothing written."""

from __future__ import annotations

import pytest
from report_samples import write_run

from aimm_nlp.cli import main
from aimm_nlp.evaluation.results import load_results
from aimm_nlp.report import leaderboard_rows

GOOD = {
    "results": {"t": {"alias": "t", "acc,none": 0.8, "acc_ci95,none": [0.7, 0.9], "acc_stderr,none": "N/A"}}
}


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (None, ["is a folder; pass a results .json file"]),
        (b'{"results": {"t": {"acc,none": 0.5}}}\n\xff\n', ["run.json:2: invalid UTF-8", "byte 0xff"]),
        ({"results": 5}, ["'results' is int, expected an object of tasks"]),
        ({"results": [1, 2]}, ["'results' is list"]),
        ({"results": {"t": 5}}, ["results.t: is int, expected an object of metrics"]),
        ({"results": {"t": {"acc,none": "high"}}}, ["results.t.acc,none: 'high' is not a number"]),
        ({"results": {"t": {"acc,none": True, "f1,none": [1]}}},
         ["results.t.acc,none: True is not a number", "results.t.f1,none: [1] is not a number"]),
        ({"results": {}, "lang": 3}, ["lang: expected an object keyed by task"]),
        ({"results": {}, "skipped": ["t"]}, ["skipped: expected a list"]),
        ({"no_results": {}}, ["not a results file (no 'results' key)"]),
        ('{"results": \n{"t": }}', ["run.json:2: not JSON"]),
        ("", ["run.json:1: not JSON"]),
    ],
    ids=["folder", "bad-utf8", "results-int", "results-list", "row-int", "metric-str", "metric-bool-list",
         "lang-int", "skipped-strs", "no-results", "bad-json", "empty"],
)  # fmt: skip
def test_bad_run_file_exits_2(tmp_path, capsys, content, needles):
    bad = write_run(tmp_path / "run.json", content)
    good = write_run(tmp_path / "good.json", GOOD)
    out = tmp_path / "report"
    assert main(["report", str(good), str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not out.exists()


def test_missing_run_file(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r")]) == 2
    assert "nope.json: no such results file" in capsys.readouterr().err


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    run = write_run(tmp_path / "run.json", GOOD)
    out = write_run(tmp_path / "notes.txt", "mine")
    assert main(["report", str(run), "--out", str(out)]) == 2
    assert "notes.txt: is a file" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine"


def test_a_null_score_is_listed_not_dropped(tmp_path):
    """``null`` is how `aimm eval` writes a score it could not compute: the row stays, shown as n/a."""
    run = write_run(tmp_path / "run.json", {"results": {"t": {"acc,none": None, "f1,none": 0.5}}})
    assert load_results(run)["results"]["t"]["acc,none"] is None
    rows = leaderboard_rows({"run": load_results(run)})
    assert [(r["metric"], r["value"]) for r in rows] == [("acc", None), ("f1", 0.5)]
    assert main(["report", str(run), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "leaderboard.md").read_text(encoding="utf-8")
    assert "| system | t (acc ↑) |" in md and "| run | n/a |" in md
    csv = (tmp_path / "r" / "leaderboard.csv").read_text(encoding="utf-8").replace(str(run), "RUN")
    assert (
        "run,t,-,multi,acc,True,True,,,,,,RUN\n" in csv and "run,t,-,multi,f1,False,True,0.5,,,,,RUN\n" in csv
    )


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--baseline", "gpt"], "--baseline 'gpt': no such system; the systems are run"),
        (["--tokenizer-report", "{tmp}/none"], "none: no metrics.json in this folder"),
        (["--tokenizer-report", "{tmp}"], "no metrics.json in this folder"),
        (["--training-run", "{tmp}/runs/a"], "a: no metrics.jsonl in this folder"),
        (["--training-run", "{tmp}/run.json"], "run.json: no metrics.jsonl in this folder"),
    ],
)
def test_report_bad_options_exit_2_and_write_nothing(tmp_path, capsys, extra, needle):
    run = write_run(tmp_path / "run.json", GOOD)
    out = tmp_path / "rep"
    argv = ["report", str(run), "--out", str(out), *(x.replace("{tmp}", str(tmp_path)) for x in extra)]
    assert main(argv) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_a_file_with_its_own_interval_keeps_it_beside_an_lmeval_style_stderr(tmp_path):
    """``acc_stderr: "N/A"`` next to aimm's ``acc_ci95``: the file is aimm's, its interval stays."""
    from aimm_nlp.report.board import load_board

    board = load_board([write_run(tmp_path / "run.json", GOOD)])
    assert board.cell("run", "t").ci == (0.7, 0.9) and board.cell("run", "t").ci_kind == "bootstrap"
