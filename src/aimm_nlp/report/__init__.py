"""Reports across evaluation runs: Markdown/HTML leaderboards, PNG plots, the CI baseline gate.

Examples:
    >>> from aimm_nlp.report import compare_to_baseline
    >>> compare_to_baseline({"results": {"t": {"acc,none": 0.9}}}, {"results": {"t": {"acc,none": 0.9}}})
    []
"""

from __future__ import annotations

from aimm_nlp.report.gate import RELATIVE_METRICS, check_comparable
from aimm_nlp.report.tables import Regression, compare_to_baseline, leaderboard_rows, regression_table, report

__all__ = [
    "RELATIVE_METRICS",
    "Regression",
    "check_comparable",
    "compare_to_baseline",
    "leaderboard_rows",
    "regression_table",
    "report",
]
