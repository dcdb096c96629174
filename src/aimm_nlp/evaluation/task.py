"""Tasks as lm-eval-shaped YAML: load, validate (every error at once), list.

A task file is a compatible subset of lm-evaluation-harness' task YAML (``task``,
``dataset_path`` + ``dataset_kwargs.data_files``, ``test_split``, ``doc_to_text`` /
``doc_to_target`` / ``doc_to_choice`` Jinja templates, ``metric_list``, ``num_fewshot``,
``metadata.version``, ``include``), plus the aimm task types that lm-eval lacks
(``classification``, ``token_classification``, ``pipeline``). Data is always local: paths
are relative to the YAML file, ``${AIMM_SHARED}`` expands to the shared data folder and
``${AIMM_MINI}`` to the hand-written ``morocco_mini`` sets (package data in a wheel, else the
repository's ``data/morocco_mini``).

Numeric keys have documented ranges, checked when a task is loaded or validated
(:data:`NUMERIC_KEYS`): ``num_fewshot`` 0-1000, ``hash_split.test_percent`` 0-100,
``generation_kwargs.max_gen_toks`` 1-65536. Templates run in a sandbox (see
:func:`aimm_nlp.evaluation.sandbox.jinja_env`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root, shared_root  # noqa: F401  (re-exported: where data paths point)
from aimm_nlp._registry import Registry
from aimm_nlp.errors import AimmError, ConfigError, UnknownNameError
from aimm_nlp.evaluation.schema import (  # re-exported: the schema was defined here
    DEFAULT_METRICS,
    NUMERIC_KEYS,  # noqa: F401
    OUTPUT_TYPES,
    TASK_KEYS,
    Task,
    _data_files,
    _resolve,
)
from aimm_nlp.evaluation.templates import (  # re-exported: requests, baselines and users import them from here
    doc_to_choice,
    doc_to_target,
    key_line,  # noqa: F401
    render,
    render_field,
    template_error,
)
from aimm_nlp.evaluation.validation import (  # noqa: F401
    _check_columns,
    _read_config,
    _read_yaml,
    validate_task_file,
)

__all__ = [
    "OUTPUT_TYPES",
    "TASK_KEYS",
    "Task",
    "data_files_outside",
    "doc_to_choice",
    "doc_to_target",
    "list_tasks",
    "load_task",
    "render",
    "render_field",
    "task_inputs",
    "task_path",
    "template_error",
    "validate_task_file",
]

TASKS_DIR = Path(__file__).parent / "tasks"


def data_files_outside(
    path: str | os.PathLike[str], *, dataset_dirs: Any = None, trust_task_code: bool = False
) -> list[tuple[str, str, Path]]:
    """``(split, as written, resolved path)`` of each ``data_files`` entry outside the task file's folder.

    ``data_files`` may name any local file: ``~`` and ``$VARS`` are expanded and absolute paths are
    allowed, so a task file from someone else can make ``aimm eval`` read (and score, and log into the
    ``.samples.jsonl``) any file this user can read. ``aimm tasks validate`` lists these paths (for an
    lm-eval task file, the local copy of its Hub dataset: ``dataset_dirs``, as for :func:`load_task`).
    """
    path = Path(path)
    cfg, errors = _read_config(path, dataset_dirs=dataset_dirs, trust_task_code=trust_task_code)
    if errors:
        return []
    home = path.resolve().parent
    out = []
    for split, value in sorted(_data_files(cfg).items()):
        resolved = _resolve(value, path, cfg).resolve()
        if not resolved.is_relative_to(home):
            out.append((str(split), str(value), resolved))
    return out


def task_inputs(path: str | os.PathLike[str], *, dataset_dirs: Any = None) -> list[Path]:
    """The files a task reads: the task file, the files it includes, and its data files (every split;
    for an lm-eval task file, those of the local copy of its Hub dataset in ``dataset_dirs``).

    For commands that must refuse an output path equal to one of their inputs; an unreadable task
    file gives what could be found (its own errors are reported when it is loaded).
    """
    import yaml

    from aimm_nlp.evaluation.taskcode import task_loader

    path = Path(path)
    files: list[Path] = []

    def walk(at: Path) -> None:  # the task file and every file it includes (a path or a list, lm-eval's)
        if at in files:
            return
        files.append(at)
        try:
            data = yaml.load(at.read_text(encoding="utf-8"), Loader=task_loader(at)) or {}  # a SafeLoader
        except (OSError, UnicodeError, yaml.YAMLError):
            return
        include = data.get("include") if isinstance(data, dict) else None
        for name in [include] if isinstance(include, str) else include if isinstance(include, list) else []:
            walk(at.parent / str(name))

    walk(path)
    try:
        cfg = _read_yaml(path, [])  # merged as when the task is loaded (its errors are reported then)
    except AimmError:
        cfg = {}
    from aimm_nlp.evaluation.hubdata import localize, normalize_dataset_dirs

    localize(cfg, path, normalize_dataset_dirs(dataset_dirs))  # a missing copy: reported when loaded
    files += [_resolve(value, path, cfg) for value in _data_files(cfg).values()]
    return files


def task_path(name: str) -> Path:
    """Path of a shipped task by name, or of a YAML file given by path."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or os.sep in name or "/" in name:  # a path, not a shipped name
        if p.is_file():
            return p
        from aimm_nlp.errors import InputFileError

        if p.is_dir():
            raise InputFileError(f"{p}: is a folder; pass a task .yaml file", path=str(p))
        raise InputFileError(f"no such file: {p} (shipped task names: `aimm tasks ls`)", path=str(p))
    try:
        return _shipped_tasks().get(name)
    except UnknownNameError as exc:
        raise UnknownNameError(
            f"{exc} (or pass a path to a task .yaml file; `aimm tasks ls` lists them)",
            name=name,
            choices=exc.choices,
        ) from None


def _shipped_tasks() -> Registry:
    """The shipped task files by name (``tasks/*.yaml``; ``_*.yaml`` are shared templates)."""
    shipped = Registry("task")
    for q in sorted(TASKS_DIR.glob("*.yaml")):
        if not q.stem.startswith("_"):
            shipped.register(q.stem, q)
    return shipped


def list_tasks() -> list[str]:
    """Names of the shipped tasks (``aimm tasks ls``)."""
    return _shipped_tasks().names()


def load_task(
    name: str | os.PathLike[str], *, check_data: bool = True, dataset_dirs: Any = None,
    trust_task_code: bool = False,
) -> Task:  # fmt: skip
    """Load and validate a task by shipped name or YAML path (aimm's or lm-eval's task files).

    Args:
        name: a shipped task name or a task ``.yaml`` path.
        check_data: also check the data file (columns, templates rendered on the first doc).
        dataset_dirs: local copies of the Hub datasets lm-eval task files read, as
            ``{"MBZUAI-Paris/DarijaMMLU": "/data/DarijaMMLU"}``, ``{"*": ROOT}`` or one ROOT folder
            holding ``<owner>/<name>/`` copies (:mod:`aimm_nlp.evaluation.hubdata`); never downloaded.
        trust_task_code: import and run the task's ``!function`` code (lm-eval's ``utils.py``); without
            it a task with ``!function`` is refused (:mod:`aimm_nlp.evaluation.taskcode`).

    Raises:
        UnknownNameError: no shipped task of that name.
        InputFileError: a ``.yaml`` path that does not exist, or a task/data file that is not UTF-8.
        ConfigError: the file is invalid; ``errors`` lists every problem.

    Examples:
        >>> task = load_task("ary_sentiment", check_data=False)
        >>> task.type, task.lang
        ('classification', 'ary_Arab+ary_Latn')
    """
    path = task_path(str(name))
    opts: dict[str, Any] = {"dataset_dirs": dataset_dirs, "trust_task_code": trust_task_code}
    errors = validate_task_file(path, check_data=check_data, **opts)
    if errors:
        raise ConfigError(f"invalid task file {path}:", errors=errors)
    cfg, _ = _read_config(path, **opts)
    kind = OUTPUT_TYPES[cfg["output_type"]]
    metrics = [m.get("metric") if isinstance(m, dict) else m for m in cfg.get("metric_list") or []]
    version = (cfg.get("metadata") or {}).get("version", 0)
    return Task(
        name=cfg["task"],
        type=kind,
        config=cfg,
        path=path,
        version=version,
        lang=cfg.get("lang"),
        metrics=tuple(metrics or DEFAULT_METRICS[kind]),
    )
