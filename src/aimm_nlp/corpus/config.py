"""The corpus build configuration: dataclasses, YAML loading and ``key.sub=value`` overrides.

Examples:
    >>> cfg = config_from_dict({"sources": [{"name": "afrisenti_ma", "split": "train"}],
    ...                         "output": {"dir": "out/ary"}}, overrides=["clean.dedup=near", "clean.num_proc=2"])
    >>> cfg.clean.dedup, cfg.clean.num_proc, cfg.sources[0].name
    ('near', 2, 'afrisenti_ma')
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._registry import did_you_mean
from aimm_nlp.errors import ConfigError, InputFileError

__all__ = ["CleanConfig", "CorpusConfig", "OutputConfig", "SourceConfig", "config_from_dict", "load_config"]


SHARD_ROWS_MAX = 10**9


@dataclass
class SourceConfig:
    """One input: a catalogued ``name`` or a ``path`` (file, glob or folder), not both."""

    name: str | None = None  # catalogued corpus, see `aimm ls corpora`
    path: str | None = None  # file, glob or folder, relative to the current directory
    split: str | None = None  # split of a named corpus (default: all)
    lang: str | list[str] | None = None  # named corpus: languages to keep; files: label of every row
    text_column: str | None = None  # default: text, sentence, content, tweet, body or document


@dataclass
class CleanConfig:
    """Options of :func:`aimm_nlp.corpus.clean` (same names and meaning)."""

    normalize: str | None = "auto"  # normalizer preset; null keeps the text unchanged
    switches: dict[str, bool] = field(default_factory=dict)  # normalizer switch overrides
    langs: list[str] | None = None  # keep only these languages (null: keep all)
    min_lang_score: float = 0.0  # 0..1: drop documents whose language score is lower
    trust_labels: bool = True  # keep the labels sources provide; identify only unlabelled rows
    min_chars: int = 1  # 0 <= min_chars <= max_chars <= 10**9 (characters after normalizing)
    max_chars: int | None = None  # null: no upper bound
    quality: str | None = "web.v1"  # quality rule set, null to skip
    dedup: str | None = "exact"  # exact | near | null
    near_threshold: float = 0.8  # (0, 1]: Jaccard similarity counted as a near duplicate
    num_proc: int | None = None  # worker processes, 1..256 (null: one process)
    transliterate_arabizi: bool = (
        False  # add `text_ary_Arab` for ary_Latn rows (needs aimm_nlp.text.transliterate)
    )


@dataclass
class OutputConfig:
    """Where and how the cleaned corpus is written."""

    dir: str = ""  # destination folder (required); parquet shards + manifest.json
    shard_rows: int = 200_000  # rows per parquet shard, 1..10**9
    overwrite: bool = False  # replace DIR if it is an empty folder or an earlier aimm corpus (else refused)
    describe: bool = True  # also write stats.json, stats.md and PNG plots under DIR/stats/


@dataclass
class CorpusConfig:
    """A whole ``aimm corpus build`` run."""

    sources: list[SourceConfig] = field(default_factory=list)
    clean: CleanConfig = field(default_factory=CleanConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    streaming: bool = False  # read lazily: flat memory on corpora larger than RAM
    on_error: str = "raise"  # raise | skip (malformed lines are counted in the report)
    data_dir: str | None = None  # where named corpora live (default $AIMM_DATA, then $AIMM_SHARED/data)
    distributed: bool = False  # split by $RANK/$WORLD_SIZE; each rank writes DIR/rank-R-of-W
    progress: bool = True


def _check(value: Any, tp: Any, where: str, errors: list[str]) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            errors.append(f"{where}: expected a mapping, got {value!r}")
            return tp()
        return _build(tp, value, where, errors)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        trial: list[str] = []
        for arg in (a for a in args if a is not type(None)):
            trial = []
            out = _check(value, arg, where, trial)
            if not trial:
                return out
        errors.append(trial[0] if len(args) <= 2 else f"{where}: {value!r} does not match {tp}")
        return value
    if origin is list:
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list, got {value!r}")
            return []
        return [_check(v, typing.get_args(tp)[0], f"{where}[{i}]", errors) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            errors.append(f"{where}: expected a mapping, got {value!r}")
            return {}
        return {k: _check(v, typing.get_args(tp)[1], f"{where}.{k}", errors) for k, v in value.items()}
    ok = isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        errors.append(f"{where}: expected {tp.__name__}, got {value!r}")
    return value


def _build(cls: Any, data: dict[str, Any], where: str, errors: list[str]) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        path = f"{where}.{key}" if where else key
        if key not in hints:
            errors.append(f"unknown key {path!r}{did_you_mean(str(key), names)}; valid: {', '.join(names)}")
            continue
        kwargs[key] = _check(value, hints[key], path, errors)
    return cls(**kwargs)


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node: Any = data
    for key in keys[:-1]:
        if isinstance(node, list):
            node = node[int(key)]
        else:
            node = node.setdefault(key, {})
    if isinstance(node, list):
        node[int(keys[-1])] = value
    else:
        node[keys[-1]] = value


def config_from_dict(data: dict[str, Any], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
    """Validate ``data`` (+ ``key.sub=value`` overrides, values parsed as YAML) into a :class:`CorpusConfig`.

    Raises:
        ConfigError: every problem found (unknown keys, wrong types, numbers out of their documented ranges,
            missing sources/output), at once, before any source is read.
    """
    import copy

    import yaml

    data, errors = copy.deepcopy(data or {}), []
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            errors.append(f"override {item!r}: expected key.sub=value, e.g. clean.dedup=near")
            continue
        try:
            _set(data, key.strip(), yaml.safe_load(raw))
        except (ValueError, IndexError, TypeError, AttributeError, yaml.YAMLError) as exc:
            errors.append(f"override {item!r}: cannot apply ({exc})")
    cfg = _build(CorpusConfig, data, "", errors)
    if not cfg.sources:
        errors.append("sources: give at least one source ({name: ...} or {path: ...})")
    for i, src in enumerate(cfg.sources):
        if isinstance(src, SourceConfig) and (src.name is None) == (src.path is None):
            errors.append(f"sources[{i}]: give exactly one of 'name' or 'path'")
    if not cfg.output.dir:
        errors.append("output.dir: required (the folder to write)")
    if cfg.on_error not in ("raise", "skip"):
        errors.append(f"on_error: must be raise or skip, got {cfg.on_error!r}")
    if cfg.clean.dedup not in ("exact", "near", None):
        errors.append(f"clean.dedup: must be exact, near or null, got {cfg.clean.dedup!r}")
    if isinstance(cfg.clean, CleanConfig):  # ranges, checked here so nothing is loaded on a bad value
        from aimm_nlp.corpus.cleaning import option_errors

        c = cfg.clean
        numeric = {"near_threshold": c.near_threshold, "min_chars": c.min_chars, "max_chars": c.max_chars,
                   "min_lang_score": c.min_lang_score, "num_proc": c.num_proc}  # fmt: skip
        errors += [f"clean.{e}" for e in option_errors(**numeric)]
    shard_rows = cfg.output.shard_rows if isinstance(cfg.output, OutputConfig) else 1
    if isinstance(shard_rows, int) and not 1 <= shard_rows <= SHARD_ROWS_MAX:
        errors.append(f"output.shard_rows: must be from 1 to 10**9, got {shard_rows}")
    if errors:
        raise ConfigError("invalid corpus config (nothing was run):", errors=errors)
    return cfg


def load_config(path: str | os.PathLike[str], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
    """Read a YAML config file (``yaml.safe_load``) and apply ``key.sub=value`` overrides."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text("utf-8"))
    except FileNotFoundError:
        raise InputFileError(
            f"{p}: no such config file (shipped examples: `aimm cp` lists them)", path=str(p)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{p}: cannot read config ({exc})", path=str(p)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML ({exc})") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{p}: the config must be a YAML mapping, got {type(data).__name__}")
    return config_from_dict(data or {}, overrides=list(overrides))
