"""Tasks as lm-eval-shaped YAML: load, validate (every error at once), list.

A task file is a compatible subset of lm-evaluation-harness' task YAML (``task``,
``dataset_path`` + ``dataset_kwargs.data_files``, ``test_split``, ``doc_to_text`` /
``doc_to_target`` / ``doc_to_choice`` Jinja templates, ``metric_list``, ``num_fewshot``,
``metadata.version``, ``include``), plus the aimm task types that lm-eval lacks
(``classification``, ``token_classification``, ``pipeline``). Data is always local: paths
are relative to the YAML file, ``${AIMM_SHARED}`` expands to the shared data folder and
``${AIMM_MINI}`` to the hand-written ``morocco_mini`` sets (package data in a wheel, else the
repository's ``data/morocco_mini``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root, shared_root
from aimm_nlp.errors import ConfigError, UnknownNameError

__all__ = ["OUTPUT_TYPES", "TASK_KEYS", "Task", "list_tasks", "load_task", "task_path", "validate_task_file"]

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
        return _resolve(files[split], self.path)

    def docs(self, split: str | None = None) -> list[dict[str, Any]]:
        """The docs of ``split`` (default: the test split), after ``doc_filter`` and ``hash_split``.

        Use ``task.docs(task.config["training_split"])`` to fine-tune on exactly the items a
        suite does not test on.
        """
        from aimm_nlp.evaluation.data import read_docs

        split = split or self.config.get("test_split") or "test"
        return read_docs(self.data_file(split), self.config, split=split)


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
    files = (cfg.get("dataset_kwargs") or {}).get("data_files") or {}
    return {"test": files} if isinstance(files, str) else dict(files)


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
    if kind in ("multiple_choice", "classification") and cfg.get("doc_to_choice") is None:
        errors.append(f"{where}: doc_to_choice: required for {out_type} (a list, a column or a template)")
    split = cfg.get("test_split") or "test"
    files = _data_files(cfg)
    if split not in files:
        errors.append(f"{where}: dataset_kwargs.data_files: no file for test_split {split!r}")
    elif check_data:
        errors += _check_columns(cfg, _resolve(files[split], path), where)
    return errors


def _template_columns(value: Any) -> set[str]:
    import jinja2
    from jinja2 import meta

    if not isinstance(value, str):
        return set()
    try:
        return set(meta.find_undeclared_variables(jinja2.Environment().parse(value)))
    except jinja2.TemplateSyntaxError:
        return set()


def _check_columns(cfg: dict[str, Any], data: Path, where: str) -> list[str]:
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

        try:
            jinja2.Environment().parse(value)
        except jinja2.TemplateSyntaxError as exc:
            errors.append(f"{where}: {key}: template syntax error: {exc}")
            continue
        for col in sorted(_template_columns(value) - columns):
            errors.append(
                f"{where}: {key}: template uses column {col!r}, not in {data.name} (columns: {sorted(columns)})"
            )
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


def render(template: Any, doc: dict[str, Any]) -> Any:
    """lm-eval's ``doc_to_*`` semantics: a column name, a Jinja template, a list or an int."""
    if isinstance(template, (int, list)) or template is None:
        return template
    if template in doc:
        return doc[template]
    from aimm_nlp.evaluation.data import compile_template

    return compile_template(template).render(**doc)


def doc_to_choice(task: Task, doc: dict[str, Any]) -> list[str]:
    value = render(task.config.get("doc_to_choice"), doc)
    if isinstance(value, str):
        value = ast.literal_eval(value)
    return [str(v) for v in value]


def doc_to_target(task: Task, doc: dict[str, Any]) -> Any:
    value = render(task.config.get("doc_to_target"), doc)
    if isinstance(value, str) and task.config.get("doc_to_choice") is not None and value.isdigit():
        return int(value)
    return value
