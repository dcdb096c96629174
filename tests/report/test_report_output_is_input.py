"""`aimm report` never overwrites one of its run files with a report file (issue 17, outputs equal to inputs)."""

from __future__ import annotations

import json
import os

import pytest

from aimm_nlp.cli import main

GOOD = {"results": {"ary_sentiment": {"alias": "ary_sentiment", "acc,none": 0.8, "f1,none": 0.7}}}


def _place(tmp_path, how, name):
    """The run file, stored in the report folder as ``name`` (a copy, a symlink or a hard link)."""
    out = tmp_path / "report"
    out.mkdir()
    text = json.dumps(GOOD, ensure_ascii=False)
    if how == "file":
        (out / name).write_text(text, encoding="utf-8")
        return out / name, out
    (tmp_path / "run.json").write_text(text, encoding="utf-8")
    (os.symlink if how == "symlink" else os.link)(tmp_path / "run.json", out / name)
    return (tmp_path / "run.json" if how == "symlink" else out / name), out


CASES = [
    (how, name)
    for how in ("file", "symlink", "hard link")
    for name in ("leaderboard.md", "leaderboard.html", "acc.png", "f1.png")
]


@pytest.mark.parametrize(("how", "name"), CASES, ids=[f"{h}-{n}" for h, n in CASES])
def test_a_run_file_the_report_would_write_is_refused(tmp_path, capsys, how, name):
    run, out = _place(tmp_path, how, name)
    before = run.read_bytes()
    assert main(["report", str(run), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"this run file is {out / name}, which the report writes" in err, err
    assert run.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [name], "nothing written"


def test_a_run_file_with_another_name_in_the_folder_is_kept(tmp_path, capsys):
    run, out = _place(tmp_path, "file", "run.json")
    assert main(["report", str(run), "--out", str(out)]) == 0
    assert json.loads(run.read_text(encoding="utf-8")) == GOOD
    assert (out / "leaderboard.md").is_file()
