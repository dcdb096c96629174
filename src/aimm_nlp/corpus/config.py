"""The corpus build configuration: dataclasses, YAML loading and ``key.sub=value`` overrides.

Examples:
    >>> cfg = config_from_dict({"sources": [{"name": "afrisenti_ma", "split": "train"}],
    ...                         "output": {"dir": "out/ary"}}, overrides=["clean.dedup=near", "clean.num_proc=2"])
    >>> cfg.clean.dedup, cfg.clean.num_proc, cfg.sources[0].name
    ('near', 2, 'afrisenti_ma')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aimm_nlp import _config
from aimm_nlp._config import Range

__all__ = ["CleanConfig", "CorpusConfig", "OutputConfig", "SourceConfig", "config_from_dict", "load_config"]


SHARD_ROWS_MAX = 10**9
_ENGINE = {"what": "corpus config", "example": "clean.dedup=near"}


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
    dialectness: list[float] | None = None  # [lo, hi] in [0, 1]: Arabic-script documents kept (null: all)
    priors: dict[str, float] | None = None  # base rates for aimm's identifier, e.g. {arb_Arab: 0.7}
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

    RANGES: ClassVar[dict[str, Range]] = {"output.shard_rows": Range(1, SHARD_ROWS_MAX)}

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
        """Same as :func:`load_config`."""
        return load_config(path, overrides=overrides)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
        """Same as :func:`config_from_dict`."""
        return config_from_dict(data, overrides=overrides)

    """Ranges checked by the config engine; the ``clean`` ranges are :func:`aimm_nlp.corpus.clean`'s own
    (``option_errors``), checked in :meth:`_cross_checks` so both share one declaration."""

    def _cross_checks(self) -> list[str]:
        errors = []
        if not self.sources:
            errors.append("sources: give at least one source ({name: ...} or {path: ...})")
        for i, src in enumerate(self.sources):
            if isinstance(src, SourceConfig) and (src.name is None) == (src.path is None):
                errors.append(f"sources[{i}]: give exactly one of 'name' or 'path'")
        if not self.output.dir:
            errors.append("output.dir: required (the folder to write)")
        if self.on_error not in ("raise", "skip"):
            errors.append(f"on_error: must be raise or skip, got {self.on_error!r}")
        if self.clean.dedup not in ("exact", "near", None):
            errors.append(f"clean.dedup: must be exact, near or null, got {self.clean.dedup!r}")
        from aimm_nlp.corpus.cleaning import option_errors

        c = self.clean
        numeric = {"near_threshold": c.near_threshold, "min_chars": c.min_chars, "max_chars": c.max_chars,
                   "min_lang_score": c.min_lang_score, "num_proc": c.num_proc}  # fmt: skip
        from aimm_nlp.corpus.cleaning import _langid_option_errors

        errors += [f"clean.{e}" for e in option_errors(**numeric)]
        return errors + [f"clean.{e}" for e in _langid_option_errors(c.dialectness, c.priors, None)]


def config_from_dict(data: dict[str, Any], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
    """Validate ``data`` (+ ``key.sub=value`` overrides, values parsed as YAML) into a :class:`CorpusConfig`.

    Raises:
        ConfigError: every problem found (unknown keys, wrong types, numbers out of their documented ranges,
            missing sources/output), at once, before any source is read.
    """
    return _config.from_dict(CorpusConfig, data, overrides=overrides, **_ENGINE)


def load_config(path: str | os.PathLike[str], *, overrides: list[str] = ()) -> CorpusConfig:  # type: ignore[assignment]
    """Read a YAML config file (``yaml.safe_load``) and apply ``key.sub=value`` overrides.

    Raises:
        InputFileError: no such file, or an unreadable one.
        ConfigError: invalid YAML, or every problem :func:`config_from_dict` finds.
    """
    return _config.from_yaml(CorpusConfig, path, overrides=overrides, **_ENGINE)
