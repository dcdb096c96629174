"""Evaluation harness: lm-eval-shaped YAML tasks on local data, for encoders, LLMs and pipelines.

Light on import: torch and transformers load only when a model runs.

Examples:
    >>> from aimm_nlp.evaluation import evaluate, list_tasks
    >>> "ary_sentiment" in list_tasks()
    True
    >>> from aimm_nlp.evaluation import list_suites
    >>> list_suites()
    ['morocco', 'morocco-mini']
"""

from __future__ import annotations

from aimm_nlp._lazy import lazy_exports

__all__ = [
    "METRICS",
    "PIPELINES",
    "DummyModel",
    "Results",
    "Task",
    "evaluate",
    "fit_baseline",
    "list_suites",
    "list_tasks",
    "load_model",
    "load_results",
    "load_suite",
    "load_task",
    "run_suite",
    "suite_split_ids",
    "validate_task_file",
    "wrap_model",
]

_WHERE = {
    "METRICS": "aimm_nlp.evaluation.metrics",
    "PIPELINES": "aimm_nlp.evaluation.pipelines",
    "DummyModel": "aimm_nlp.evaluation.backends.dummy",
    "Results": "aimm_nlp.evaluation.results",
    "fit_baseline": "aimm_nlp.evaluation.backends.baselines",
    "list_suites": "aimm_nlp.evaluation.suites",
    "load_suite": "aimm_nlp.evaluation.suites",
    "run_suite": "aimm_nlp.evaluation.harness",
    "suite_split_ids": "aimm_nlp.evaluation.suites",
    "load_results": "aimm_nlp.evaluation.results",
    "Task": "aimm_nlp.evaluation.task",
    "list_tasks": "aimm_nlp.evaluation.task",
    "load_task": "aimm_nlp.evaluation.task",
    "validate_task_file": "aimm_nlp.evaluation.task",
    "evaluate": "aimm_nlp.evaluation.harness",
    "load_model": "aimm_nlp.evaluation.backends",
    "wrap_model": "aimm_nlp.evaluation.backends",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
