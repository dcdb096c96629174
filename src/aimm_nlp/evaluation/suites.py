"""Benchmark suites: named lists of tasks (lm-eval ``group`` YAML) run with skips and reasons.

A suite YAML (``suites/<name>.yaml``) holds ``group``, ``task`` (a list of task names),
``description``, ``sources`` (data, license, citation, ``non_commercial``) and
``metadata.version``. Running a suite never fails on a task the data or the model cannot
serve: the task is skipped with a reason (data file missing, model of the wrong kind, labels
that do not match, no training split for a baseline), listed in ``Results.skipped`` and in
the results JSON. ``strict=True`` turns any skip into a :class:`ConfigError` raised before
the model runs.

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

from aimm_nlp.errors import ConfigError, MissingDependencyError, ModelError, UnknownNameError
from aimm_nlp.evaluation.task import Task, load_task

__all__ = ["SUITES_DIR", "Suite", "list_suites", "load_suite", "run_suite", "suite_split_ids"]

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
        loaded = _rooted(loaded, Path(data))
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


def _rooted(task: Task, data: Path) -> Task:
    """``task`` with ``${AIMM_SHARED}`` in its data paths replaced by ``data``."""
    kwargs = dict(task.config.get("dataset_kwargs") or {})
    files = kwargs.get("data_files") or {}

    def sub(v: Any) -> Any:
        return str(v).replace("${AIMM_SHARED}", str(data)).replace("$AIMM_SHARED", str(data))

    kwargs["data_files"] = sub(files) if isinstance(files, str) else {k: sub(v) for k, v in files.items()}
    return dataclasses.replace(task, config={**task.config, "dataset_kwargs": kwargs})


def _missing_data(task: Task, splits: list[str]) -> str | None:
    for split in splits:
        try:
            path = task.data_file(split)
        except KeyError:
            continue
        if not path.is_file():
            return f"data file missing: {path}"
    return None


def _plan(task: Task, shared: Any, baseline: str | None, prep_kw: dict[str, Any]) -> tuple[Any, str | None]:
    """The backend for ``task`` and ``None``, or ``None`` and the reason to skip it."""
    from aimm_nlp.evaluation.requests import prepare
    from aimm_nlp.evaluation.task import _check_columns

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
        getattr(backend, "kind", None) == "dummy"
        and task.type == "token_classification"
        and not backend.labels
    ):
        return None, "DummyModel has no labels to tag with; pass DummyModel(labels=[...])"
    try:
        prepare(task, backend, **prep_kw)
    except (ModelError, MissingDependencyError) as exc:
        return None, str(exc)
    return backend, None


def _merge(
    parts: list[Any], skipped: list[tuple[str, str]], skipped_langs: dict[str, Any], suite: Suite, base: Any
) -> Any:
    from aimm_nlp.evaluation.results import Results

    fields = ("scores", "ci95", "versions", "configs", "n_shot", "higher_is_better", "n_samples", "langs",
              "samples")  # fmt: skip
    merged: dict[str, dict] = {f: {} for f in fields}
    prov = dict(base.provenance)
    for key in ("data_sha256", "prompt_template_sha256"):
        prov[key] = {}
    models = {}
    for r in parts:
        for f in fields:
            merged[f].update(getattr(r, f))
        for key in ("data_sha256", "prompt_template_sha256"):
            prov[key].update(r.provenance.get(key, {}))
        for task in r.scores:
            models[task] = r.provenance.get("model")
    if len({str(m) for m in models.values()}) > 1:  # baselines: one fit per task
        prov["model"] = models
    langs = {**skipped_langs, **merged.pop("langs")}
    return Results(**merged, langs=langs, provenance=prov, skipped=skipped, suite=suite.to_dict())


def run_suite(
    model: Any,
    suite: str | os.PathLike[str] | Suite | None,
    *,
    tasks: Any = None,
    data: str | os.PathLike[str] | None = None,
    strict: bool = False,
    limit: int | None = None,
    num_fewshot: int | None = None,
    seed: int = 1234,
    cache: Any = None,
    tokenizer: Any = None,
    device: str = "cpu",
    **kwargs: Any,
) -> Any:
    """Run a suite (or ad-hoc ``tasks``) on ``model``; skip what cannot run, with reasons.

    Args:
        model: as :func:`evaluate`, plus ``"baseline:majority"`` / ``"baseline:char_ngram"``
            (fit per task on its training split).
        suite: a suite name or path (or ``None`` with ``tasks``).
        tasks: task names; with ``suite``, the subset of its tasks to run (in the suite's order).
        data: a folder that replaces ``$AIMM_SHARED`` in the tasks' data paths.
        strict: raise :class:`ConfigError` listing the skips before running anything.
        limit, num_fewshot, seed, cache, tokenizer, device: as for :func:`evaluate` (one ``cache``
            serves every task of the run).
        kwargs: passed on to :func:`evaluate` (``batch_size``, ``bootstrap_iters``).

    Returns:
        :class:`Results` of the tasks that ran, with ``skipped`` = ``[(task, reason), ...]``.

    Examples:
        >>> res = run_suite(None, "morocco-mini", limit=5, bootstrap_iters=0)  # doctest: +SKIP
    """
    from aimm_nlp.evaluation.cache import ResultCache
    from aimm_nlp.evaluation.harness import _backend, _provenance, evaluate

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
        spec = dataclasses.replace(spec, tasks=tuple(t for t in spec.tasks if t in wanted))
    elif spec is None:
        names = [tasks] if isinstance(tasks, str) else list(tasks)
        spec = Suite(name="tasks", tasks=tuple(t.name if isinstance(t, Task) else str(t) for t in names))
    baseline = None
    if isinstance(model, str) and model.startswith("baseline:"):
        from aimm_nlp.evaluation.backends.baselines import BASELINES, Baseline

        baseline = model.split(":", 1)[1]
        if baseline not in BASELINES:
            Baseline(baseline)  # the did-you-mean error
        shared = None
    else:
        shared = _backend(model, tokenizer, device)
    prep_kw = {"limit": limit, "num_fewshot": num_fewshot, "seed": seed}
    planned, skipped, skipped_langs = [], [], {}
    for name in spec.tasks:
        task = load_task(name, check_data=False)
        if data is not None:
            task = _rooted(task, Path(data))
        backend, reason = _plan(task, shared, baseline, prep_kw)
        if reason is None:
            planned.append((task, backend))
        else:
            skipped.append((task.name, reason))
            skipped_langs[task.name] = task.lang
    if strict and skipped:
        raise ConfigError(
            f"{len(skipped)} task(s) of suite {spec.name} would be skipped (strict mode):",
            errors=[f"{t}: {r}" for t, r in skipped],
        )
    store = cache if isinstance(cache, ResultCache) else ResultCache(cache)
    try:
        parts = [
            evaluate(backend, [task], cache=store, tokenizer=tokenizer, device=device, **prep_kw, **kwargs)
            for task, backend in planned
        ]
    finally:
        if not isinstance(cache, ResultCache):
            store.close()
    base = parts[0] if parts else None
    if base is None:
        from aimm_nlp.evaluation.results import Results

        prov = _provenance(shared, [], batch_size=kwargs.get("batch_size", "auto"), seed=seed, device=device)
        base = Results({}, {}, {}, {}, {}, {}, {}, {}, prov)
    return _merge(parts, skipped, skipped_langs, spec, base)
