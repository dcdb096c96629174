"""`report()` never overwrites one of its run files with a report file (issue 17, outputs equal to inputs).
(The `aimm report` side: tests/cli/test_report_cli_output_is_input.py.)
"""

from __future__ import annotations

import json
import os

import pytest

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
def test_report_refuses_to_write_over_a_run_file(tmp_path, how, name):
    """The library call (which writes into any folder it is given) checks every file it would write."""
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.report import report

    run, out = _place(tmp_path, how, name)
    before = run.read_bytes()
    with pytest.raises(ConfigError, match=f"this run file is {out / name}, which the report writes"):
        report([run], out=out)
    assert run.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [name], "nothing written"


def test_a_run_file_with_another_name_in_the_folder_is_kept(tmp_path):
    from aimm_nlp.report import report

    run, out = _place(tmp_path, "file", "run.json")
    report([run], out=out)
    assert json.loads(run.read_text(encoding="utf-8")) == GOOD
    assert (out / "leaderboard.md").is_file()
