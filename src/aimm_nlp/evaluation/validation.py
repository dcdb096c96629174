"""Validate a task file, listing every problem at once as ``"FILE[:LINE]: field: message"``.

Checked: the YAML (``include`` chains, cycles), each key's type, unknown keys (with did-you-mean),
output type, metric and pipeline names, ``pipeline_kwargs`` against the pipeline's signature,
numeric ranges (:data:`~aimm_nlp.evaluation.schema.NUMERIC_KEYS`), split names, and with the data:
columns used by templates, ``doc_filter`` and ``hash_split``, then every template rendered on the
first doc in the sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError
from aimm_nlp.evaluation.hubdata import is_hub_path
from aimm_nlp.evaluation.lmeval_compat import UNSUPPORTED, lmeval_errors
from aimm_nlp.evaluation.schema import (
    _COLUMN_KEYS,
    DEFAULT_METRICS,
    NUMERIC_KEYS,
    OUTPUT_TYPES,
    TASK_KEYS,
    TRUNCATION,
    Task,
    _data_files,
    _resolve,
)
from aimm_nlp.evaluation.taskcode import TaskCode
from aimm_nlp.evaluation.templates import doc_to_choice, doc_to_target, key_line, render_field

__all__ = ["validate_task_file"]


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
    from aimm_nlp.evaluation.taskcode import task_loader

    try:  # a SafeLoader that reads lm-eval's ``!function X`` as a reference (nothing is imported)
        data = yaml.load(text, Loader=task_loader(path)) or {}
    except yaml.YAMLError as exc:
        errors.append(f"{path}: invalid YAML: {exc}")
        return {}
    if not isinstance(data, dict):
        errors.append(f"{path}: a task file must be a mapping of keys")
        return {}
    from aimm_nlp.evaluation._aimm_keys import lift_aimm_keys

    lifted = lift_aimm_keys(data, path)  # aimm's keys under metadata.aimm, where lm-eval ignores them
    if lifted:
        errors += lifted
        return {}
    include = data.pop("include", None)
    includes = [include] if isinstance(include, str) else include
    if include is not None and not (isinstance(includes, list) and all(isinstance(i, str) for i in includes)):
        errors.append(
            f"{key_line(path, 'include')}: include: {include!r} is not a path; give a task .yaml path (or a list)"
        )
        return {}
    base: dict[str, Any] = {}
    for name in includes or []:  # lm-eval: a list is merged in order, the including file's keys last
        base.update(_read_yaml(path.parent / name, errors, (*seen, path)))
    base.update(data)
    return base


def _read_config(
    path: Path, *, dataset_dirs: Any = None, trust_task_code: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """The merged config of a task file, lm-eval's conventions applied (see :mod:`.lmeval_compat`)."""
    from aimm_nlp.evaluation.lmeval_compat import adapt

    errors: list[str] = []
    cfg = _read_yaml(path, errors)
    if not errors:
        errors += adapt(cfg, path, dataset_dirs=dataset_dirs, trust_task_code=trust_task_code)
    return cfg, errors


def validate_task_file(
    path: str | os.PathLike[str], *, check_data: bool = True, dataset_dirs: Any = None,
    trust_task_code: bool = False,
) -> list[str]:  # fmt: skip
    """Every problem of a task file, as ``"FILE: field: message"`` strings (empty if valid).

    ``dataset_dirs`` points lm-eval tasks that read a Hub dataset at a local copy
    (:mod:`aimm_nlp.evaluation.hubdata`); ``trust_task_code`` lets their ``!function`` code run
    (:mod:`aimm_nlp.evaluation.taskcode`): without it such a task is invalid.

    Raises:
        InputFileError: the task file or its data file cannot be read (a folder, invalid UTF-8);
            the message names the file and line.
    """
    path = Path(path)
    cfg, errors = _read_config(path, dataset_dirs=dataset_dirs, trust_task_code=trust_task_code)
    if errors:
        return errors
    where = str(path)
    errors = _check_shapes(cfg, path)
    if errors:  # the checks below assume these shapes
        return errors
    for key in sorted(set(cfg) - TASK_KEYS - set(UNSUPPORTED)):  # lm-eval's own: named by lmeval_errors
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
        elif name == "perplexity" and kind != "loglikelihood":
            errors.append(
                f"{key_line(path, 'metric_list')}: metric_list: perplexity is the metric of output_type "
                f"loglikelihood (exp(-mean log-likelihood of the target)); for {out_type} use "
                "word_perplexity, byte_perplexity or bits_per_byte"
                if kind == "perplexity"
                else f"{key_line(path, 'metric_list')}: metric_list: perplexity needs output_type loglikelihood"
            )
    primary = cfg.get("primary_metric")
    if isinstance(primary, str) and kind is not None:
        names = [m.get("metric") if isinstance(m, dict) else m for m in cfg.get("metric_list") or []]
        names = names or DEFAULT_METRICS[kind]
        if primary not in names:
            errors.append(
                f"{key_line(path, 'primary_metric')}: primary_metric: {primary!r} is not one of this task's "
                f"metrics ({', '.join(map(str, names))}); name one of them or add it to metric_list"
            )
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
    if kind == "loglikelihood" and cfg.get("doc_to_target") is None:
        errors.append(f"{where}: doc_to_target: required for loglikelihood (the continuation to score)")
    errors += _check_numbers(cfg, path)
    for key in ("doc_to_text", "doc_to_target", "doc_to_choice"):
        value = cfg.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (str, int, list, TaskCode))
        ):
            errors.append(
                f"{key_line(path, key)}: {key}: {value!r} is a {type(value).__name__}; expected a column "
                "name, a Jinja template, an integer or a list"
            )
    split = cfg.get("test_split") or "test"
    files = _data_files(cfg)
    for key in ("validation_split", "training_split", "fewshot_split") if not is_hub_path(cfg) else ():
        if cfg.get(key) and cfg[key] not in files:
            errors.append(f"{key_line(path, key)}: {key}: no data_files entry for split {cfg[key]!r}")
    if split not in files:
        errors.append(f"{where}: dataset_kwargs.data_files: no file for test_split {split!r}")
    lmeval = lmeval_errors(cfg, path)
    errors += lmeval
    if split in files and check_data and not lmeval:  # a malformed process_docs cannot run on the data
        # templates are rendered on a doc only when the rest is valid (a bad hash_split cannot split)
        errors += _check_columns(cfg, _resolve(files[split], path, cfg), where, render=not errors)
    return errors


_STR, _DICT, _LIST = (str,), (dict,), (list,)
# the YAML type each key must have (numbers are checked by _check_numbers, doc_to_* by validate_task_file)
_SHAPES: dict[str, tuple[type, ...]] = {
    "task": _STR, "output_type": _STR, "dataset_path": _STR, "dataset_name": _STR, "dataset_kwargs": _DICT,
    "test_split": _STR, "validation_split": _STR, "training_split": _STR, "fewshot_split": _STR,
    "target_delimiter": _STR, "fewshot_delimiter": _STR, "metric_list": _LIST, "generation_kwargs": _DICT,
    "metadata": _DICT, "description": _STR, "group_rows_by": _STR, "tokens_column": _STR, "tags_column": _STR,
    "pipeline": _STR, "pipeline_kwargs": _DICT, "lang": _STR, "doc_filter": _STR, "hash_split": _DICT,
    "fewshot_config": _DICT, "tag": (str, list), "should_decontaminate": (bool,),
    "doc_to_decontamination_query": _STR, "primary_metric": _STR, "task_alias": _STR, "filter_list": _LIST,
    "repeats": (int,),
}  # fmt: skip
_NAMES = {str: "a string", dict: "a mapping", list: "a list", bool: "true or false"}


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
    trunc = cfg.get("truncation")
    if trunc is not None and trunc not in TRUNCATION:
        errors.append(
            bad("truncation", trunc, f"one of {', '.join(TRUNCATION)} (context cut from the left, or refuse)")
        )
    for m in cfg.get("metric_list") or [] if isinstance(cfg.get("metric_list"), list) else []:
        name = m.get("metric") if isinstance(m, dict) else m
        if not isinstance(name, str):
            code = " (metrics written as !function are not supported; use one of aimm's metrics)"
            errors.append(
                bad("metric_list", m, "a metric name or {metric: NAME}" + code * isinstance(name, TaskCode))
            )
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
    try:
        header, n_rows = inspect_file(data, cfg, task_file=Path(where))
    except ConfigError as exc:  # process_docs failing on a doc (it names the task file and line)
        return [str(exc)]
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
