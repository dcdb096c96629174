"""`aimm report`: Markdown/HTML/plots written, run files told apart, bad files exit 2."""

from __future__ import annotations

import json

from report_samples import run_json

from aimm_nlp.cli import main
from aimm_nlp.report import report


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
        "| bert | **2.000** | **0.610 ± 0.050** |" in md and "| llm | **2.000** | 0.550 ± 0.050 |" in md
    )  # a tie
    html = (out / "leaderboard.html").read_text(encoding="utf-8")
    assert '<table class="board">' in html and 'src="data:image/png;base64,' in html
    assert (out / "scores_by_group.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(report(paths, out=out)) >= {"markdown", "html", "csv", "json", "plot:scores_by_group"}


def test_report_bad_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["report", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not a results file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


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
    assert "| baselines/morocco | **2.000** | **0.610 ± 0.050** |" in md


def test_report_same_file_twice_exits_2(tmp_path, capsys):
    p = tmp_path / "run.json"
    p.write_text(json.dumps(run_json(0.6, 2.0)), encoding="utf-8")
    assert main(["report", str(p), str(p), "--out", str(tmp_path / "o")]) == 2
    assert "given twice" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
