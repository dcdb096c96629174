"""Docstring examples of the evaluation, report and testing modules run; their imports stay light."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

MODULES = [
    "aimm_nlp.evaluation",
    "aimm_nlp.evaluation.task",
    "aimm_nlp.evaluation.metrics",
    "aimm_nlp.evaluation.pipelines",
    "aimm_nlp.evaluation.cache",
    "aimm_nlp.evaluation.results",
    "aimm_nlp.evaluation.backends.causal",
    "aimm_nlp.evaluation.backends.dummy",
    "aimm_nlp.report",
    "aimm_nlp.report.tables",
    "aimm_nlp.testing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_evaluation_report_testing_imports_are_light():
    code = (
        "import sys, aimm_nlp.evaluation, aimm_nlp.report, aimm_nlp.testing; "
        "from aimm_nlp.evaluation import list_tasks, DummyModel; list_tasks(); "
        "print([m for m in ('torch', 'transformers', 'datasets') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
