"""Benchmark suites: named lists of tasks (lm-eval ``group`` YAML) run with skips and reasons.

A suite YAML (``suites/<name>.yaml``) holds ``group``, ``task`` (a list of task names),
``description``, ``sources`` (data, license, citation, ``non_commercial``) and
``metadata.version``. Running a suite never fails on a task the data or the model cannot
serve: the task is skipped with a reason (data file missing, model of the wrong kind, labels
that do not match, no training split for a baseline), listed in ``Results.skipped`` and in
the results JSON. ``strict=True`` turns any skip into a :class:`ConfigError` raised before
the model runs. Runs are planned by :mod:`aimm_nlp.evaluation.planner` and started with
:func:`aimm_nlp.evaluation.evaluate` (``suite=``) or :func:`aimm_nlp.evaluation.run_suite`.

Examples:
    >>> from aimm_nlp.evaluation.suites import list_suites, load_suite
    >>> list_suites()
    ['morocco', 'morocco-mini']
    >>> load_suite("morocco-mini").tasks[:3]
    ('mini_ary_sentiment', 'mini_ary_sentiment_Arab', 'mini_ary_sentiment_Latn')
    >>> test_ids = suite_split_ids("morocco-mini", "mini_ary_sentiment", "test")
    >>> len(test_ids), "sent-0001" in test_ids
    (135, True)
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError, UnknownNameError
from aimm_nlp.evaluation.task import Task, load_task

__all__ = ["SUITES_DIR", "Suite", "list_suites", "load_suite", "rooted_task", "suite_split_ids"]

SUITES_DIR = Path(__file__).parent / "suites"
_SUITE_KEYS = {"group", "task", "description", "sources", "metadata"}


@dataclass(frozen=True)
class Suite:
    """A named, versioned list of tasks with its data sources, licenses and citations."""

    name: str
    tasks: tuple[str, ...]
    version: int | str = 0
    description: str = ""
    sources: tuple[dict[str, Any], ...] = ()
    path: Path | None = None

    @property
    def non_commercial_tasks(self) -> list[str]:
        """Tasks whose data is licensed for non-commercial use only (e.g. DODa)."""
        return [t for s in self.sources if s.get("non_commercial") for t in (s.get("tasks") or [])]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "tasks": list(self.tasks),
                "sources": list(self.sources)}  # fmt: skip


def list_suites() -> list[str]:
    """Names of the shipped suites."""
    return sorted(p.stem for p in SUITES_DIR.glob("*.yaml"))


def load_suite(name: str | os.PathLike[str]) -> Suite:
    """Load a shipped suite by name, or a suite YAML by path; every error is listed.

    Raises:
        UnknownNameError: no shipped suite of that name.
        ConfigError: the file is invalid (unknown keys, no tasks, unknown task names).
    """
    import yaml

    path = Path(name)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        shipped = {p.stem: p for p in SUITES_DIR.glob("*.yaml")}
        if str(name) not in shipped:
            from aimm_nlp._registry import did_you_mean

            raise UnknownNameError(
                f"unknown suite {str(name)!r}{did_you_mean(str(name), shipped)}; valid: "
                f"{', '.join(sorted(shipped))} (or pass a suite .yaml path)",
                name=str(name),
                choices=sorted(shipped),
            )
        path = shipped[str(name)]
    from aimm_nlp._io import read_text

    text = read_text(path)
    try:
        cfg = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid suite file {path}:", errors=[f"{path}: invalid YAML: {exc}"]) from None
    errors = [f"{path}: unknown key {k!r}" for k in sorted(set(cfg) - _SUITE_KEYS)] if isinstance(cfg, dict) else [
        f"{path}: a suite file must be a mapping"
    ]  # fmt: skip
    tasks = cfg.get("task") if isinstance(cfg, dict) else None
    if not isinstance(tasks, list) or not tasks:
        errors.append(f"{path}: task: a non-empty list of task names or .yaml paths is required")
        tasks = []
    from aimm_nlp.evaluation.task import list_tasks

    known = set(list_tasks())
    for t in tasks:
        if str(t) not in known and not (path.parent / str(t)).is_file():
            errors.append(f"{path}: task: unknown task {t!r} (`aimm tasks ls` lists them)")
    if errors:
        raise ConfigError(f"invalid suite file {path}:", errors=errors)
    resolved = tuple(str(t) if str(t) in known else str(path.parent / str(t)) for t in tasks)
    return Suite(
        name=str(cfg.get("group") or path.stem),
        tasks=resolved,
        version=(cfg.get("metadata") or {}).get("version", 0),
        description=str(cfg.get("description") or "").strip(),
        sources=tuple(cfg.get("sources") or ()),
        path=path,
    )


def suite_split_ids(
    suite: str | os.PathLike[str] | Suite,
    task: str,
    split: str = "test",
    *,
    data: str | os.PathLike[str] | None = None,
) -> set[str]:
    """Ids of the docs of ``task`` (one of ``suite``'s tasks) in ``split``.

    Fine-tune on rows whose id is *not* in the test ids, so a fine-tuned model and the
    baselines are scored on the same held-out items. The id column is the task's
    ``hash_split.column`` (default ``id``).

    Raises:
        UnknownNameError: ``task`` is not in the suite.
        ConfigError: the task's data has no id column.
    """
    spec = suite if isinstance(suite, Suite) else load_suite(suite)
    names = {Path(t).stem if t.endswith((".yaml", ".yml")) else t: t for t in spec.tasks}
    if task not in names:
        from aimm_nlp._registry import did_you_mean

        raise UnknownNameError(
            f"task {task!r} is not in suite {spec.name}{did_you_mean(task, names)}; its tasks: {', '.join(names)}",
            name=task,
            choices=sorted(names),
        )
    loaded = load_task(names[task], check_data=False)
    if data is not None:
        loaded = rooted_task(loaded, Path(data))
    split = {
        "test": loaded.config.get("test_split") or "test",
        "train": loaded.config.get("training_split"),
    }.get(split, split)
    if split is None:
        raise ConfigError(f"task {task} has no training split (it is scored on all its docs)")
    column = (loaded.config.get("hash_split") or {}).get("column", "id")
    docs = loaded.docs(split)
    if docs and column not in docs[0]:
        raise ConfigError(f"task {task}: its data has no {column!r} column to name the docs by")
    return {str(d[column]) for d in docs}


def rooted_task(task: Task, data: Path) -> Task:
    """``task`` with ``${AIMM_SHARED}`` in its data paths replaced by ``data``."""
    kwargs = dict(task.config.get("dataset_kwargs") or {})
    files = kwargs.get("data_files") or {}

    def sub(v: Any) -> Any:
        return str(v).replace("${AIMM_SHARED}", str(data)).replace("$AIMM_SHARED", str(data))

    kwargs["data_files"] = sub(files) if isinstance(files, str) else {k: sub(v) for k, v in files.items()}
    return dataclasses.replace(task, config={**task.config, "dataset_kwargs": kwargs})
