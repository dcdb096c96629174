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

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root, shared_root
from aimm_nlp.errors import ConfigError, UnknownNameError
from aimm_nlp.evaluation.templates import (  # re-exported: requests, baselines and users import them from here
    doc_to_choice,
    doc_to_target,
    key_line,
    render,
    render_field,
    template_error,
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

# lm-eval's output types keep their names; aimm adds the types lm-eval lacks.
OUTPUT_TYPES = {
    "multiple_choice": "multiple_choice",
    "loglikelihood_rolling": "perplexity",
    "perplexity": "perplexity",
    "generate_until": "generation",
    "generation": "generation",
    "classification": "classification",
    "token_classification": "token_classification",
    "pipeline": "pipeline",
}
DEFAULT_METRICS = {
    "multiple_choice": ["acc", "acc_norm"],
    "perplexity": ["bits_per_byte", "byte_perplexity", "word_perplexity"],
    "generation": ["exact_match"],
    "classification": ["acc", "f1"],
    "token_classification": ["seqeval_f1", "token_acc"],
    "pipeline": ["acc"],
}
TASK_KEYS = {
    "task", "tag", "output_type", "dataset_path", "dataset_name", "dataset_kwargs", "test_split",
    "validation_split", "training_split", "fewshot_split", "doc_to_text", "doc_to_target",
    "doc_to_choice", "target_delimiter", "fewshot_delimiter", "num_fewshot", "fewshot_config",
    "metric_list", "generation_kwargs", "metadata", "description", "include",
    # aimm extensions
    "group_rows_by", "tokens_column", "tags_column", "pipeline", "pipeline_kwargs", "lang",
    "doc_filter", "hash_split",
}  # fmt: skip
# Documented ranges (inclusive) of the numeric task keys, checked by validate_task_file.
NUMERIC_KEYS: dict[str, tuple[int, int]] = {
    "num_fewshot": (0, 1000),
    "hash_split.test_percent": (0, 100),
    "generation_kwargs.max_gen_toks": (1, 65_536),
}
_COLUMN_KEYS = ("doc_to_text", "doc_to_target", "doc_to_choice", "tokens_column", "tags_column")


@dataclass(frozen=True)
class Task:
    """One evaluation task, validated; ``config`` is the merged YAML mapping."""

    name: str
    type: str
    config: dict[str, Any]
    path: Path | None = None
    version: int | str = 0
    lang: str | None = None
    metrics: tuple[str, ...] = field(default=())

    @property
    def config_hash(self) -> str:
        """sha256 of the canonical config: any prompt/template change changes it."""
        blob = json.dumps(self.config, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def data_file(self, split: str | None = None) -> Path:
        """The local file of ``split`` (default: the test split)."""
        split = split or self.config.get("test_split") or "test"
        files = _data_files(self.config)
        if split not in files:
            raise ConfigError(
                f"{key_line(self.path, 'dataset_kwargs')}: dataset_kwargs.data_files: no file for split "
                f"{split!r} (splits: {', '.join(sorted(files)) or 'none'}); add it or fix the split's name"
            )
        return _resolve(files[split], self.path)

    def docs(self, split: str | None = None) -> list[dict[str, Any]]:
        """The docs of ``split`` (default: the test split), after ``doc_filter`` and ``hash_split``.

        Use ``task.docs(task.config["training_split"])`` to fine-tune on exactly the items a
        suite does not test on.
        """
        from aimm_nlp.evaluation.data import read_docs

        split = split or self.config.get("test_split") or "test"
        return read_docs(self.data_file(split), self.config, split=split, task_file=self.path)


def _resolve(value: str, base: Path | None) -> Path:
    text = (
        str(value).replace("${AIMM_SHARED}", str(shared_root())).replace("$AIMM_SHARED", str(shared_root()))
    )
    text = text.replace("${AIMM_MINI}", str(mini_root()))
    p = Path(os.path.expandvars(os.path.expanduser(text)))
    if not p.is_absolute() and base is not None:
        p = base.parent / p
    return p


def _data_files(cfg: dict[str, Any]) -> dict[str, str]:
    """``{split: path as written}``; ``{}`` when ``data_files`` is missing or malformed (a validation error)."""
    kwargs = cfg.get("dataset_kwargs")
    files = kwargs.get("data_files") if isinstance(kwargs, dict) else None
    if isinstance(files, str):
        return {"test": files}
    if isinstance(files, dict):
        return {str(k): v for k, v in files.items() if isinstance(v, str)}
    return {}


def data_files_outside(path: str | os.PathLike[str]) -> list[tuple[str, str, Path]]:
    """``(split, as written, resolved path)`` of each ``data_files`` entry outside the task file's folder.

    ``data_files`` may name any local file: ``~`` and ``$VARS`` are expanded and absolute paths are
    allowed, so a task file from someone else can make ``aimm eval`` read (and score, and log into the
    ``.samples.jsonl``) any file this user can read. ``aimm tasks validate`` lists these paths.
    """
    path = Path(path)
    cfg, errors = _read_config(path)
    if errors:
        return []
    home = path.resolve().parent
    out = []
    for split, value in sorted(_data_files(cfg).items()):
        resolved = _resolve(value, path).resolve()
        if not resolved.is_relative_to(home):
            out.append((str(split), str(value), resolved))
    return out


def task_inputs(path: str | os.PathLike[str]) -> list[Path]:
    """The files a task reads: the task file, the files it includes, and its data files (every split).

    For commands that must refuse an output path equal to one of their inputs; an unreadable task
    file gives what could be found (its own errors are reported when it is loaded).
    """
    import yaml

    path = Path(path)
    files, cfg, at = [], {}, path
    while at not in files:  # the include chain, nearest file last-wins as in _read_yaml
        files.append(at)
        try:
            data = yaml.safe_load(at.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeError, yaml.YAMLError):
            break
        if not isinstance(data, dict):
            break
        cfg = {**data, **cfg}
        if not data.get("include"):
            break
        at = at.parent / str(data["include"])
    files += [_resolve(value, path) for value in _data_files(cfg).values()]
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
    shipped = {q.stem: q for q in TASKS_DIR.glob("*.yaml") if not q.stem.startswith("_")}
    if name not in shipped:
        from aimm_nlp._registry import did_you_mean

        raise UnknownNameError(
            f"unknown task {name!r}{did_you_mean(name, shipped)}; valid names: {', '.join(sorted(shipped))} "
            "(or pass a path to a task .yaml file; `aimm tasks ls` lists them)",
            name=name,
            choices=sorted(shipped),
        )
    return shipped[name]


def list_tasks() -> list[str]:
    """Names of the shipped tasks (``aimm tasks ls``)."""
    return sorted(q.stem for q in TASKS_DIR.glob("*.yaml") if not q.stem.startswith("_"))


def _read_yaml(path: Path, errors: list[str], seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    import yaml

    if path in seen:
        errors.append(f"{path}: include cycle")
        return {}
    if not path.is_file():
        errors.append(f"{path}: no such task file")
        return {}
    from aimm_nlp._io import read_text

    text = read_text(path)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        errors.append(f"{path}: invalid YAML: {exc}")
        return {}
    if not isinstance(data, dict):
        errors.append(f"{path}: a task file must be a mapping of keys")
        return {}
    include = data.pop("include", None)
    if include is not None and not isinstance(include, str):
        errors.append(
            f"{key_line(path, 'include')}: include: {include!r} is not a path; give a task .yaml path"
        )
        return {}
    if include:
        base = _read_yaml(path.parent / include, errors, (*seen, path))
        base.update(data)
        data = base
    return data


def _read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    cfg = _read_yaml(path, errors)
    return cfg, errors


def validate_task_file(path: str | os.PathLike[str], *, check_data: bool = True) -> list[str]:
    """Every problem of a task file, as ``"FILE: field: message"`` strings (empty if valid).

    Raises:
        InputFileError: the task file or its data file cannot be read (a folder, invalid UTF-8);
            the message names the file and line.
    """
    path = Path(path)
    cfg, errors = _read_config(path)
    if errors:
        return errors
    where = str(path)
    errors = _check_shapes(cfg, path)
    if errors:  # the checks below assume these shapes
        return errors
    for key in sorted(set(cfg) - TASK_KEYS):
        from aimm_nlp._registry import did_you_mean

        errors.append(f"{where}: unknown key {key!r}{did_you_mean(key, TASK_KEYS)}")
    if not cfg.get("task"):
        errors.append(f"{where}: task: missing (give the task a snake_case name)")
    out_type = cfg.get("output_type")
    if out_type not in OUTPUT_TYPES:
        errors.append(f"{where}: output_type: {out_type!r} is not one of {', '.join(sorted(OUTPUT_TYPES))}")
    kind = OUTPUT_TYPES.get(out_type)
    from aimm_nlp.evaluation.metrics import METRICS

    for m in cfg.get("metric_list") or []:
        name = m.get("metric") if isinstance(m, dict) else m
        if name not in METRICS:
            from aimm_nlp._registry import did_you_mean

            errors.append(f"{where}: metric_list: unknown metric {name!r}{did_you_mean(str(name), METRICS)}")
    if kind == "pipeline":
        from aimm_nlp.evaluation.pipelines import PIPELINES

        if cfg.get("pipeline") not in PIPELINES:
            errors.append(
                f"{where}: pipeline: {cfg.get('pipeline')!r} is not registered; valid: {', '.join(PIPELINES.names())}"
            )
        else:
            errors += _check_pipeline_kwargs(cfg, path, PIPELINES)
    if kind in ("multiple_choice", "classification") and cfg.get("doc_to_choice") is None:
        errors.append(f"{where}: doc_to_choice: required for {out_type} (a list, a column or a template)")
    errors += _check_numbers(cfg, path)
    for key in ("doc_to_text", "doc_to_target", "doc_to_choice"):
        value = cfg.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, list))):
            errors.append(
                f"{key_line(path, key)}: {key}: {value!r} is a {type(value).__name__}; expected a column "
                "name, a Jinja template, an integer or a list"
            )
    split = cfg.get("test_split") or "test"
    files = _data_files(cfg)
    for key in ("validation_split", "training_split", "fewshot_split"):
        if cfg.get(key) and cfg[key] not in files:
            errors.append(f"{key_line(path, key)}: {key}: no data_files entry for split {cfg[key]!r}")
    if split not in files:
        errors.append(f"{where}: dataset_kwargs.data_files: no file for test_split {split!r}")
    elif check_data:
        # templates are rendered on a doc only when the rest is valid (a bad hash_split cannot split)
        errors += _check_columns(cfg, _resolve(files[split], path), where, render=not errors)
    return errors


_STR, _DICT, _LIST = (str,), (dict,), (list,)
# the YAML type each key must have (numbers are checked by _check_numbers, doc_to_* by validate_task_file)
_SHAPES: dict[str, tuple[type, ...]] = {
    "task": _STR, "output_type": _STR, "dataset_path": _STR, "dataset_name": _STR, "dataset_kwargs": _DICT,
    "test_split": _STR, "validation_split": _STR, "training_split": _STR, "fewshot_split": _STR,
    "target_delimiter": _STR, "fewshot_delimiter": _STR, "metric_list": _LIST, "generation_kwargs": _DICT,
    "metadata": _DICT, "description": _STR, "group_rows_by": _STR, "tokens_column": _STR, "tags_column": _STR,
    "pipeline": _STR, "pipeline_kwargs": _DICT, "lang": _STR, "doc_filter": _STR, "hash_split": _DICT,
    "fewshot_config": _DICT, "tag": (str, list),
}  # fmt: skip
_NAMES = {str: "a string", dict: "a mapping", list: "a list"}


def _check_shapes(cfg: dict[str, Any], path: Path) -> list[str]:
    """Each key of the right YAML type, so a list where a name belongs is an error with file:line."""
    import csv

    def bad(key: str, value: Any, want: str) -> str:
        return f"{key_line(path, key.split('.')[0])}: {key}: {value!r} is not {want}"

    errors = []
    for key, types in _SHAPES.items():
        value = cfg.get(key)
        if value is not None and not isinstance(value, types):
            errors.append(bad(key, value, " or ".join(_NAMES[t] for t in types)))
    kwargs = cfg.get("dataset_kwargs")
    if isinstance(kwargs, dict):
        files = kwargs.get("data_files")
        if (
            files is not None
            and not isinstance(files, str)
            and not (isinstance(files, dict) and all(isinstance(v, str) and v for v in files.values()))
        ):
            errors.append(bad("dataset_kwargs.data_files", files, "a path or a mapping of split: path"))
        for name in ("delimiter", "sep"):
            sep = kwargs.get(name)
            if sep is not None and not (isinstance(sep, str) and len(sep) == 1 and sep not in "\r\n"):
                errors.append(bad(f"dataset_kwargs.{name}", sep, 'one character (e.g. "\\t" or ",")'))
        quoting = kwargs.get("quoting")
        modes = {csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE}
        if quoting is not None and (isinstance(quoting, bool) or quoting not in modes):
            errors.append(bad("dataset_kwargs.quoting", quoting, "a csv quoting mode 0-3 (3: none)"))
    for m in cfg.get("metric_list") or [] if isinstance(cfg.get("metric_list"), list) else []:
        name = m.get("metric") if isinstance(m, dict) else m
        if not isinstance(name, str):
            errors.append(bad("metric_list", m, "a metric name or {metric: NAME}"))
    spec = cfg.get("hash_split")
    if isinstance(spec, dict) and not isinstance(spec.get("column", "id"), str):
        errors.append(bad("hash_split.column", spec.get("column"), "a column name"))
    gen = cfg.get("generation_kwargs")
    until = gen.get("until") if isinstance(gen, dict) else None
    if until is not None and not (
        isinstance(until, str) or (isinstance(until, list) and all(isinstance(u, str) for u in until))
    ):
        errors.append(bad("generation_kwargs.until", until, "a string or a list of strings"))
    return errors


def _check_pipeline_kwargs(cfg: dict[str, Any], path: Path, pipelines: Any) -> list[str]:
    """``pipeline_kwargs`` that the pipeline function accepts (a TypeError in the middle of a run, else)."""
    import inspect

    kwargs = cfg.get("pipeline_kwargs") or {}
    try:
        fn = pipelines.get(cfg["pipeline"])
        inspect.signature(fn).bind("", **{str(k): v for k, v in kwargs.items()})
    except TypeError as exc:
        params = [n for n in inspect.signature(fn).parameters][1:]
        return [
            f"{key_line(path, 'pipeline_kwargs')}: pipeline_kwargs: {exc} (pipeline {cfg['pipeline']} takes "
            f"{', '.join(params) or 'no options'})"
        ]
    except (ImportError, ValueError):  # a missing module is reported when the task runs; no signature
        return []
    return []


def _check_numbers(cfg: dict[str, Any], path: Path) -> list[str]:
    """Each numeric key of :data:`NUMERIC_KEYS` that is set must be an integer in its range."""
    errors = []
    for dotted, (low, high) in NUMERIC_KEYS.items():
        outer, _, inner = dotted.partition(".")
        value = cfg.get(outer)
        if inner:
            if not isinstance(value, dict) or inner not in value:
                continue
            value = value[inner]
        elif value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(
                f"{key_line(path, outer)}: {dotted}: expected an integer in {low}..{high}, got {value!r}"
            )
    return errors


def _template_columns(value: Any) -> set[str]:
    import jinja2
    from jinja2 import meta

    from aimm_nlp.evaluation.sandbox import jinja_env

    if not isinstance(value, str):
        return set()
    try:
        return set(meta.find_undeclared_variables(jinja_env().parse(value)))
    except jinja2.TemplateSyntaxError:
        return set()


def _check_columns(cfg: dict[str, Any], data: Path, where: str, *, render: bool = True) -> list[str]:
    from aimm_nlp.evaluation.data import inspect_file

    if not data.is_file():
        return [
            f"{where}: dataset_kwargs.data_files: {data} does not exist (set $AIMM_SHARED or fix the path)"
        ]
    header, n_rows = inspect_file(data, cfg)
    columns = set(header)
    errors = []
    if not n_rows:
        errors.append(
            f"{where}: dataset_kwargs.data_files: {data} has no data rows (empty, or a header only); "
            "add rows or fix the path"
        )
    if cfg.get("doc_filter"):
        for col in sorted(_template_columns("{{ " + str(cfg["doc_filter"]) + " }}") - columns):
            errors.append(
                f"{where}: doc_filter: uses column {col!r}, not in {data.name} (columns: {sorted(columns)})"
            )
    for key in ("group_rows_by",):
        if cfg.get(key) is not None and cfg[key] not in columns:
            errors.append(
                f"{where}: {key}: column {cfg[key]!r} not in {data.name} (columns: {sorted(columns)})"
            )
    spec = cfg.get("hash_split")
    if spec is not None and (not isinstance(spec, dict) or spec.get("column", "id") not in columns):
        errors.append(f"{where}: hash_split: expected {{column: <a column of {data.name}>, test_percent: N}}")
    for key in _COLUMN_KEYS:
        value = cfg.get(key)
        if value is None or not isinstance(value, str):
            continue
        if "{" not in value:
            if key in ("tokens_column", "tags_column") or (value not in columns and value.isidentifier()):
                if value not in columns:
                    errors.append(
                        f"{where}: {key}: column {value!r} not in {data.name} (columns: {sorted(columns)})"
                    )
            continue
        import jinja2

        from aimm_nlp.evaluation.sandbox import jinja_env

        try:
            jinja_env().parse(value)
        except jinja2.TemplateSyntaxError as exc:
            errors.append(f"{where}: {key}: template syntax error: {exc}")
            continue
        for col in sorted(_template_columns(value) - columns):
            errors.append(
                f"{where}: {key}: template uses column {col!r}, not in {data.name} (columns: {sorted(columns)})"
            )
    if render and not errors:
        errors += _check_render(cfg, data, Path(where))
    return errors


def _check_render(cfg: dict[str, Any], data: Path, path: Path) -> list[str]:
    """Render every template on the first doc of the test split (``doc_filter`` runs on every row), so a
    template that the sandbox refuses or that fails on real data is reported before any model runs."""
    from aimm_nlp.errors import DataError
    from aimm_nlp.evaluation.data import read_docs

    try:
        docs = read_docs(data, cfg, split=cfg.get("test_split") or "test", task_file=path)
    except (ConfigError, DataError) as exc:
        return [str(exc)]
    if not docs:
        return []
    kind = OUTPUT_TYPES.get(cfg.get("output_type"), "")
    task = Task(name=str(cfg.get("task")), type=kind, config=cfg, path=path)
    errors = []
    where = f"{data}: doc 0 (the first doc of the test split)"
    for key in ("doc_to_text", "doc_to_target", "doc_to_choice"):
        if cfg.get(key) is None:
            continue
        try:
            if key == "doc_to_text":
                render_field(task, key, docs[0], where=where)
            else:
                (doc_to_target if key == "doc_to_target" else doc_to_choice)(task, docs[0], where=where)
        except ConfigError as exc:
            errors.append(str(exc))
    return errors


def load_task(name: str | os.PathLike[str], *, check_data: bool = True) -> Task:
    """Load and validate a task by shipped name or YAML path.

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
    errors = validate_task_file(path, check_data=check_data)
    if errors:
        raise ConfigError(f"invalid task file {path}:", errors=errors)
    cfg, _ = _read_config(path)
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
