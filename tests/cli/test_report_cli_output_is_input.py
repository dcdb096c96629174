"""`aimm report` never overwrites one of its run files with a report file (issue 17, outputs equal to inputs)."""

from __future__ import annotations

import json

import pytest
from report_samples import GOOD, PLACES, place_run

from aimm_nlp.cli import main


@pytest.mark.parametrize(("how", "name"), PLACES, ids=[f"{h}-{n}" for h, n in PLACES])
@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]], ids=["plain", "overwrite"])
def test_cli_leaves_a_folder_holding_a_run_file_alone(tmp_path, capsys, how, name, overwrite):
    run, out = place_run(tmp_path, how, name)
    before = run.read_bytes()
    assert main(["report", str(run), "--out", str(out), *overwrite]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "is not an aimm report folder" in err, err
    assert run.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [name], "nothing written"


def test_overwrite_of_an_own_report_holding_the_run_file_is_refused(tmp_path, capsys):
    """An earlier report folder whose leaderboard.md is now the run file: --overwrite would delete it."""
    out = tmp_path / "report"
    run = tmp_path / "run.json"
    run.write_text(json.dumps(GOOD), encoding="utf-8")
    assert main(["report", str(run), "--out", str(out)]) == 0
    capsys.readouterr()
    inside = out / "leaderboard.md"
    inside.write_text(json.dumps(GOOD), encoding="utf-8")  # the user keeps a run there, under that name
    listing = sorted(p.name for p in out.iterdir())
    assert main(["report", str(inside), "--out", str(out), "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert f"{inside}: this run file is inside --out {out}" in err, err
    assert json.loads(inside.read_text(encoding="utf-8")) == GOOD
    assert sorted(p.name for p in out.iterdir()) == listing
