"""The one config engine: dataclasses loaded from YAML with ``key.sub=value`` overrides.

Used by :class:`~aimm_nlp.finetune.FinetuneConfig`, :class:`~aimm_nlp.corpus.CorpusConfig` and
:class:`~aimm_nlp.tokenization.TokenizerConfig`. A config class is a plain dataclass (nested
dataclasses for sections) that declares:

- ``RANGES``: ``{"section.field": Range(low, high, ...)}``, every numeric field's documented range,
  declared once and checked here (floats must be finite: ``.nan`` and ``.inf`` are refused);
- optionally ``_cross_checks(self) -> list[str]``: checks that need several fields (or a choice
  among names), run after the types and ranges.

:func:`from_yaml` and :func:`from_dict` reject unknown keys (with a did-you-mean), wrong types and
values out of range, and report **all** problems in one :class:`~aimm_nlp.errors.ConfigError` before
any work.

Examples:
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Optim:
    ...     RANGES = {"lr": Range(0.0, 10.0, low_open=True)}
    ...     lr: float = 1e-3
    >>> from_dict(Optim, {}, overrides=["lr=3e-5"]).lr
    3e-05
    >>> from_dict(Optim, {"lr": 0, "lrr": 1})
    Traceback (most recent call last):
    ...
    aimm_nlp.errors.ConfigError: <dict>: invalid config (2 problems):
      - unknown key 'lrr' (did you mean 'lr'?); valid: lr
      - lr: must be in (0, 10], got 0.0
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aimm_nlp._registry import did_you_mean
from aimm_nlp.errors import ConfigError, InputFileError

__all__ = [
    "Range",
    "apply_overrides",
    "build",
    "choice_error",
    "from_dict",
    "from_yaml",
    "range_errors",
    "read_mapping",
]

T = TypeVar("T")

_NAMES = {10**9: "10**9", 10**6: "10**6", 2**20: "2**20", 2**24: "2**24", 2**32 - 1: "2**32 - 1"}


@dataclass(frozen=True)
class Range:
    """A numeric field's documented range: closed ``[low, high]``, or ``(low, high]`` with ``low_open``.

    ``none_ok``: ``None`` (YAML ``null``) is accepted too.
    """

    low: float
    high: float
    low_open: bool = False
    none_ok: bool = False

    def error(self, where: str, value: Any) -> str | None:
        """The message for ``value`` outside the range (``None`` when inside or of another type)."""
        if value is None and self.none_ok:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None  # a wrong type is reported by build() (and the default kept)
        above_low = self.low < value if self.low_open else self.low <= value
        if math.isfinite(value) and above_low and value <= self.high:
            return None
        span = f"{'(' if self.low_open else '['}{_num(self.low)}, {_num(self.high)}]"
        return f"{where}: must be in {span}{' or null' if self.none_ok else ''}, got {value}"


def _num(x: float) -> str:
    if x in _NAMES:  # 1e6 == 10**6: floats too
        return _NAMES[int(x)]
    return f"{x:g}" if isinstance(x, float) else str(x)


def range_errors(cfg: Any, ranges: typing.Mapping[str, Range] | None = None) -> list[str]:
    """Every field of ``cfg`` outside its range (default ``type(cfg).RANGES``), one message each."""
    errors = []
    for path, rng in (ranges if ranges is not None else getattr(type(cfg), "RANGES", {})).items():
        node: Any = cfg
        for part in path.split("."):
            node = getattr(node, part, None)
        error = rng.error(path, node)
        if error:
            errors.append(error)
    return errors


def choice_error(
    where: str, value: Any, choices: typing.Sequence[str], *, noun: str = "", shown: typing.Sequence[str] = ()
) -> str | None:
    """``None`` when ``value`` is one of ``choices``, else ``"where: unknown [noun ]'x' (did you mean 'y'?);
    valid: a, b"`` (``shown``: the choices to list, default all).

    Examples:
        >>> choice_error("run.device", "cdua", ("auto", "cpu", "cuda"))
        "run.device: unknown 'cdua' (did you mean 'cuda'?); valid: auto, cpu, cuda"
    """
    if value in choices:
        return None
    what = f"{noun} " if noun else ""
    hint = did_you_mean(str(value), choices)
    return f"{where}: unknown {what}{value!r}{hint}; valid: {', '.join(shown or choices)}"


def read_mapping(
    path: str | os.PathLike[str], *, missing: type[Exception] = InputFileError
) -> dict[str, Any]:
    """A YAML file's top-level mapping (``yaml.safe_load``; an empty file is ``{}``).

    Raises:
        InputFileError: no such file, a folder (``missing`` chooses another class), or an unreadable file.
        ConfigError: invalid YAML (with its line and column), or a top level that is not a mapping.
    """
    import yaml

    from aimm_nlp._io import read_text

    p = Path(path)
    if not p.is_file():
        what = "is a folder; pass a YAML config file" if p.is_dir() else "no such config file"
        message = f"{p}: {what} (shipped examples: `aimm cp` lists them)"
        raise InputFileError(message, path=str(p)) if missing is InputFileError else missing(message)
    text = read_text(p)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML ({exc})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: the config must be a mapping of keys (YAML), got {type(raw).__name__}")
    return raw


def apply_overrides(
    raw: dict[str, Any],
    items: typing.Iterable[str],
    errors: list[str],
    *,
    example: str = "section.key=3",
    flag: str = "override",
    strict_yaml: bool = True,
    max_depth: int | None = None,
) -> None:
    """Apply ``key.sub=value`` overrides to ``raw`` in place (values parsed as YAML; list items by index).

    Args:
        raw: the config as plain data.
        items: ``key.sub=value`` strings.
        errors: where problems are appended.
        example: an override shown in the message of a malformed item.
        flag: how the caller spells an override in messages (``override``, ``--set``).
        strict_yaml: an invalid YAML value is an error; otherwise it is kept as the plain string.
        max_depth: most dotted parts a key may have (``None``: any).
    """
    import yaml

    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        shown = item if flag.startswith("-") else repr(item)
        if not sep or not key:
            errors.append(f"{flag} {shown}: expected key.sub=value, e.g. {example}")
            continue
        try:
            parsed = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError as exc:
            if strict_yaml:
                first = str(exc).splitlines()[0]
                errors.append(f"{flag} {shown}: invalid YAML value ({first}); quote strings, e.g. [1, 2]")
                continue
            parsed = value
        node: Any = raw
        parts = key.split(".")
        if max_depth is not None and len(parts) > max_depth:
            levels = "one level" if max_depth == 2 else f"{max_depth - 1} levels"
            errors.append(f"{flag} {key}: at most {levels} below a key (e.g. {example})")
            continue
        try:
            for part in parts[:-1]:
                if isinstance(node, list):
                    node = node[int(part)]
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
                if not isinstance(node, (dict, list)):
                    errors.append(f"{flag} {shown}: {part} is {node!r}, not a section")
                    break
            else:
                if isinstance(node, list):
                    node[int(parts[-1])] = parsed
                else:
                    node[parts[-1]] = parsed
        except (ValueError, IndexError) as exc:
            errors.append(f"{flag} {shown}: cannot apply ({exc})")


def build(cls: type[T], raw: Any, where: str, errors: list[str]) -> T:
    """``cls`` from plain data, field by field; every problem appended to ``errors`` (bad fields keep
    their defaults, so later checks never report them twice)."""
    if not isinstance(raw, dict):
        errors.append(f"{where or 'config'}: expected a mapping, got {raw!r}")
        return cls()
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    kwargs = {}
    for key, value in raw.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in names:
            errors.append(f"unknown key {path!r}{did_you_mean(str(key), names)}; valid: {', '.join(names)}")
            continue
        if not getattr(cls, "CHECK_TYPES", True):  # the class checks its values itself
            kwargs[key] = value
            continue
        trial: list[str] = []
        out = _coerce(hints[key], value, path, trial)
        errors.extend(trial)
        if not trial or _holds_sections(hints[key]):  # sections keep their good parts
            kwargs[key] = out
    return cls(**kwargs)


def _holds_sections(hint: Any) -> bool:
    """Whether ``hint`` is a dataclass or a list of them (possibly ``| None``)."""
    if dataclasses.is_dataclass(hint):
        return True
    return any(_holds_sections(arg) for arg in typing.get_args(hint))


def _coerce(hint: Any, value: Any, where: str, errors: list[str]) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where, errors)  # type: ignore[arg-type]
    if origin in (typing.Union, types.UnionType):
        arms = typing.get_args(hint)
        if value is None and type(None) in arms:
            return None
        for arm in arms:
            trial: list[str] = []
            out = _coerce(arm, value, where, trial)
            if not trial:
                return out
        for arm in arms:  # a list or mapping of the right shape: report inside it
            if (typing.get_origin(arm) is list and isinstance(value, list)) or (
                dataclasses.is_dataclass(arm) and isinstance(value, dict)
            ):
                return _coerce(arm, value, where, errors)
    elif hint is Any:
        return value
    elif origin is list:
        if isinstance(value, list):
            (inner,) = typing.get_args(hint)
            return [_coerce(inner, v, f"{where}[{i}]", errors) for i, v in enumerate(value)]
    elif origin is dict:
        if isinstance(value, dict):
            inner = typing.get_args(hint)[1]
            return {k: _coerce(inner, v, f"{where}.{k}", errors) for k, v in value.items()}
    elif hint is type(None):
        if value is None:
            return None
    elif hint is bool or hint is str:
        if isinstance(value, hint):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, str):  # YAML 1.1 reads 3e-5 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                pass
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(value, hint):
        return value
    errors.append(f"{where}: expected {_type_name(hint)}, got {value!r}")
    return value


def _type_name(hint: Any) -> str:
    return str(hint).replace("typing.", "").replace("<class '", "").replace("'>", "")


def from_dict(
    cls: type[T],
    raw: dict[str, Any] | None,
    *,
    overrides: typing.Iterable[str] | None = None,
    source: str = "<dict>",
    what: str = "config",
    example: str = "section.key=3",
    flag: str = "override",
    strict_yaml: bool = True,
    max_depth: int | None = None,
    values: typing.Mapping[str, Any] | None = None,
) -> T:
    """Build ``cls`` from ``raw`` + ``key.sub=value`` overrides; every problem in one ConfigError.

    ``values`` (top-level keys) win over ``raw`` and the overrides. Runs, in order: overrides, types and unknown keys (:func:`build`), ranges (``cls.RANGES``), then
    ``cfg._cross_checks()`` when the class has one.

    Raises:
        ConfigError: ``"{source}: invalid {what} (N problems):"`` listing every problem.
    """
    raw = copy.deepcopy(raw or {})
    errors: list[str] = []
    apply_overrides(
        raw, overrides or [], errors, example=example, flag=flag, strict_yaml=strict_yaml, max_depth=max_depth
    )
    raw.update(values or {})
    cfg = build(cls, raw, "", errors)
    errors += range_errors(cfg)
    errors += getattr(cfg, "_cross_checks", list)()
    if errors:
        n = len(errors)
        raise ConfigError(f"{source}: invalid {what} ({n} problem{'s' * (n != 1)}):", errors=errors)
    return cfg


def from_yaml(
    cls: type[T],
    path: str | os.PathLike[str],
    *,
    overrides: typing.Iterable[str] | None = None,
    missing: type[Exception] = InputFileError,
    **kwargs: Any,
) -> T:
    """:func:`read_mapping` then :func:`from_dict` (same keyword arguments); errors name the file."""
    return from_dict(
        cls, read_mapping(path, missing=missing), overrides=overrides, source=str(path), **kwargs
    )
