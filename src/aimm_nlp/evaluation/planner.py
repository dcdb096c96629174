"""The plan of an evaluation run: which tasks run on which backend, and which are skipped and why.

:func:`plan` is the one place a run is decided, before any model call: the task list is resolved
(a suite, a subset of it or ad-hoc tasks), the model turned into a backend once (or a baseline fit
per task), and every task prepared once (data read, templates rendered, labels and model kind
checked). :func:`aimm_nlp.evaluation.evaluate` then runs the plan and builds one ``Results``.

Two modes:

- plain tasks (``evaluate(model, ["t1", "t2"])``): anything that cannot run raises;
- a suite run (``suite=``, ``data=`` or a ``"baseline:..."`` model): a task the data or the model
  cannot serve is skipped with a reason (data file missing, model of the wrong kind, no training
  split for a baseline); ``strict=True`` turns any skip into a :class:`ConfigError` raised before the
  model runs.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from aimm_nlp.errors import ConfigError, DataError, MissingDependencyError, ModelError
from aimm_nlp.evaluation.backends.base import Backend, Classifier
from aimm_nlp.evaluation.backends.resolve import as_backend
from aimm_nlp.evaluation.groups import Group, expand, is_group_file
from aimm_nlp.evaluation.requests import Prepared, prepare
from aimm_nlp.evaluation.suites import Suite, load_suite, rooted_task
from aimm_nlp.evaluation.task import Task, load_task
from aimm_nlp.evaluation.validation import _check_columns

__all__ = ["Plan", "PlannedTask", "plan"]


@dataclass(frozen=True)
class PlannedTask:
    """A task ready to run: its prepared requests and the backend that answers them."""

    prep: Prepared
    backend: Backend | None


@dataclass(frozen=True)
class Plan:
    """What a run does: the tasks to run in order, the skipped ones with reasons, the suite (``None``: plain tasks)."""

    runs: list[PlannedTask]
    shared: Backend | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    skipped_langs: dict[str, Any] = field(default_factory=dict)
    suite: Suite | None = None
    groups: list[Group] = field(default_factory=list)  # lm-eval groups run, children before parents


def plan(
    model: Any,
    tasks: Sequence[str | Task] | str | None,
    *,
    suite: str | os.PathLike[str] | Suite | None,
    data: str | os.PathLike[str] | None,
    strict: bool,
    skips: bool,
    tokenizer: Any,
    device: str,
    prep_kw: dict[str, Any],
    load_kw: dict[str, Any] | None = None,
) -> Plan:
    """Decide the run; raise (before any model call) on anything a run cannot skip.

    ``skips`` selects a suite run (skip what cannot run) over plain tasks (raise). ``prep_kw``
    holds ``limit``, ``num_fewshot`` and ``seed`` (already checked); ``load_kw`` the
    :func:`load_task` options ``dataset_dirs`` and ``trust_task_code``.
    """
    load_kw = load_kw or {}
    if skips:
        spec = _suite_spec(suite, tasks)
        baseline, shared = _suite_backend(model, tokenizer, device)
        found = _plan_suite(spec, data, strict, shared, baseline, prep_kw, load_kw)
    else:
        found = _plan_tasks(model, tasks, tokenizer, device, prep_kw, load_kw)
    for run in found.runs:
        if not run.prep.requests:  # no scores can come from no docs (they would be NaN)
            raise DataError(
                f"{run.prep.task.data_file()}: task {run.prep.task.name} has no docs to evaluate in its test "
                "split (the file has no rows, or doc_filter/hash_split kept none); add rows or fix the task"
            )
    return found


def _plan_tasks(
    model: Any,
    tasks: Sequence[str | Task] | str | None,
    tokenizer: Any,
    device: str,
    prep_kw: dict[str, Any],
    load_kw: dict[str, Any],
) -> Plan:
    if tasks is None:
        raise ConfigError("evaluate: pass tasks=[...] or suite='morocco-mini' (or 'morocco')")
    names = [tasks] if isinstance(tasks, str) else list(tasks)
    loaded, groups = _load_tasks(names, load_kw)
    backend = as_backend(model, tokenizer, device)
    runs = [PlannedTask(prepare(t, backend, **prep_kw), backend) for t in loaded]
    return Plan(runs, shared=backend, groups=groups)


def _load_tasks(names: list[str | Task], load_kw: dict[str, Any]) -> tuple[list[Task], list[Group]]:
    """Each task loaded (a group file gives its tasks); the errors of every task file listed at once."""
    from aimm_nlp.evaluation.task import task_path

    loaded: list[Task] = []
    groups: list[Group] = []
    errors: list[str] = []
    for name in names:
        if isinstance(name, Task):
            loaded.append(name)
            continue
        files: list[Any] = [name]
        if str(name).endswith((".yaml", ".yml")) and is_group_file(task_path(str(name))):
            files, found = expand(task_path(str(name)))
            groups += found
        for f in files:
            try:
                loaded.append(load_task(f, **load_kw))
            except ConfigError as exc:
                if len(files) == 1:
                    raise
                errors += exc.errors or [str(exc)]
    if errors:
        raise ConfigError(f"invalid task files ({len(errors)} problem(s)):", errors=errors)
    return loaded, groups


def _suite_spec(
    suite: str | os.PathLike[str] | Suite | None, tasks: Sequence[str | Task] | str | None
) -> Suite:
    """The suite to run: ``suite`` (or the subset ``tasks`` of it), or an ad-hoc one of ``tasks``."""
    if suite is None and tasks is None:
        raise ConfigError("pass suite='morocco-mini' (or 'morocco') or tasks=[...]")
    spec: Suite | None = None
    if isinstance(suite, Suite):
        spec = suite
    elif suite is not None:
        spec = load_suite(suite)
    if spec is not None and tasks is not None:  # a subset of the suite's tasks
        wanted = [tasks] if isinstance(tasks, str) else [str(t) for t in tasks]
        unknown = sorted(set(wanted) - set(spec.tasks))
        if unknown:
            raise ConfigError(
                f"tasks not in suite {spec.name}: {', '.join(unknown)}; its tasks: {', '.join(spec.tasks)}"
            )
        return dataclasses.replace(spec, tasks=tuple(t for t in spec.tasks if t in wanted))
    if spec is None:
        names = [tasks] if isinstance(tasks, str) else list(tasks)
        spec = Suite(name="tasks", tasks=tuple(t.name if isinstance(t, Task) else str(t) for t in names))
    return spec


def _suite_backend(model: Any, tokenizer: Any, device: str) -> tuple[str | None, Backend | None]:
    """``(baseline name, None)`` for a ``"baseline:..."`` model (fit per task), else ``(None, backend)``."""
    if isinstance(model, str) and model.startswith("baseline:"):
        from aimm_nlp.evaluation.backends.baselines import BASELINES, Baseline

        baseline = model.split(":", 1)[1]
        if baseline not in BASELINES:
            Baseline(baseline)  # the did-you-mean error
        return baseline, None
    return None, as_backend(model, tokenizer, device)


def _plan_suite(
    spec: Suite,
    data: str | os.PathLike[str] | None,
    strict: bool,
    shared: Backend | None,
    baseline: str | None,
    prep_kw: dict[str, Any],
    load_kw: dict[str, Any],
) -> Plan:
    """The suite's tasks prepared on ``shared`` (or each on its fitted ``baseline``), or skipped with a reason."""
    runs, skipped, skipped_langs = [], [], {}
    for name in spec.tasks:
        task = load_task(name, check_data=False, **load_kw)
        if data is not None:
            task = rooted_task(task, Path(data))
        run, reason = _plan_one(task, shared, baseline, prep_kw)
        if run is not None:
            runs.append(run)
        else:
            skipped.append((task.name, str(reason)))
            skipped_langs[task.name] = task.lang
    if strict and skipped:
        raise ConfigError(
            f"{len(skipped)} task(s) of suite {spec.name} would be skipped (strict mode):",
            errors=[f"{t}: {r}" for t, r in skipped],
        )
    return Plan(runs, shared=shared, skipped=skipped, skipped_langs=skipped_langs, suite=spec)


def _missing_data(task: Task, splits: list[str]) -> str | None:
    for split in splits:
        try:
            path = task.data_file(split)
        except KeyError:
            continue
        if not path.is_file():
            return f"data file missing: {path}"
    return None


def _plan_one(
    task: Task, shared: Backend | None, baseline: str | None, prep_kw: dict[str, Any]
) -> tuple[PlannedTask | None, str | None]:
    """``task`` prepared on its backend and ``None``, or ``None`` and the reason to skip it."""
    test = task.config.get("test_split") or "test"
    reason = _missing_data(task, [test])
    if reason:
        return None, reason
    errors = _check_columns(task.config, task.data_file(test), str(task.path))
    if errors:
        raise ConfigError(f"invalid task {task.name}:", errors=errors)
    backend = shared
    if baseline is not None:
        from aimm_nlp.evaluation.backends.baselines import fit_baseline

        try:
            backend = fit_baseline(baseline, task)
        except ModelError as exc:
            return None, str(exc)
    if (
        backend is not None
        and backend.kind == "dummy"
        and task.type == "token_classification"
        and not cast(Classifier, backend).labels
    ):
        return None, "DummyModel has no labels to tag with; pass DummyModel(labels=[...])"
    try:
        return PlannedTask(prepare(task, backend, **prep_kw), backend), None
    except (ModelError, MissingDependencyError) as exc:
        return None, str(exc)
