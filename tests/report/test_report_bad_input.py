"""Bad run files and gate options through the library: `load_results` errors, null scores, max_drop.
(The `aimm report` side: tests/cli/test_report_cli_bad_input.py.)
"""

from __future__ import annotations

import pytest
from report_samples import write_run

from aimm_nlp.errors import ConfigError, InputFileError
from aimm_nlp.evaluation.results import load_results
from aimm_nlp.report import compare_to_baseline


def test_load_results_error_is_an_input_file_error(tmp_path):
    bad = write_run(tmp_path / "run.json", {"results": {"t": {"acc,none": "x"}}})
    with pytest.raises(InputFileError) as exc:
        load_results(bad)
    assert exc.value.path == str(bad)


@pytest.mark.parametrize(
    ("run", "base", "expected"),
    [
        ({"t": {"acc,none": None}}, {"t": {"acc,none": 0.8}}, [("t", "acc")]),  # null now: a regression
        ({"t": {"acc,none": 0.1}}, {"t": {"acc,none": None}}, []),  # null baseline: nothing to compare
        ({}, {"t": {"acc,none": 0.8}}, [("t", "acc")]),  # missing now
    ],
)
def test_gate_with_null_scores(run, base, expected):
    regs = compare_to_baseline({"results": run}, {"results": base}, max_drop=0.01)
    assert [(r.task, r.metric) for r in regs] == expected


@pytest.mark.parametrize("max_drop", [-1, float("nan"), float("inf"), "0.1", True])
def test_gate_rejects_bad_max_drop(max_drop):
    with pytest.raises(ConfigError, match="max_drop"):
        compare_to_baseline({"results": {}}, {"results": {}}, max_drop=max_drop)
