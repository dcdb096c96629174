"""`report()` never overwrites one of its run files with a report file (issue 17, outputs equal to inputs).
(The `aimm report` side: tests/cli/test_report_cli_output_is_input.py.)
"""

from __future__ import annotations

import json

import pytest
from report_samples import GOOD, PLACES, place_run


@pytest.mark.parametrize(("how", "name"), PLACES, ids=[f"{h}-{n}" for h, n in PLACES])
def test_report_refuses_to_write_over_a_run_file(tmp_path, how, name):
    """The library call (which writes into any folder it is given) checks every file it would write."""
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.report import report

    run, out = place_run(tmp_path, how, name)
    before = run.read_bytes()
    with pytest.raises(ConfigError, match=f"this run file is {out / name}, which the report writes"):
        report([run], out=out)
    assert run.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [name], "nothing written"


def test_a_run_file_with_another_name_in_the_folder_is_kept(tmp_path):
    from aimm_nlp.report import report

    run, out = place_run(tmp_path, "file", "run.json")
    report([run], out=out)
    assert json.loads(run.read_text(encoding="utf-8")) == GOOD
    assert (out / "leaderboard.md").is_file()
