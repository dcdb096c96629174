"""The catalog of named public corpora (``catalog.yaml``) and where their folders live.

Nothing is downloaded: a named corpus is read from a local folder found under
``data_dir``, ``$AIMM_DATA``, or ``$AIMM_SHARED/data`` and ``$AIMM_SHARED/corpora``
(``AIMM_SHARED`` defaults to ``shared/`` beside the repository checkout, as everywhere).

Examples:
    >>> info = corpus_info("afrisenti_ma")
    >>> info.license, info.languages
    ('CC BY 4.0', ('ary_Arab', 'ary_Latn'))
    >>> "flores200" in corpus_names()
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from aimm_nlp._paths import shared_root
from aimm_nlp._registry import Registry
from aimm_nlp.errors import InputFileError, UnknownNameError

__all__ = ["CorpusInfo", "corpus_info", "corpus_names", "data_roots", "find_corpus_dir"]


@dataclass(frozen=True)
class CorpusInfo:
    """One catalog entry: where its files are, which languages, license and citation."""

    name: str
    description: str
    folder: str
    format: str
    files: dict[str, tuple[str, ...]]
    columns: dict[str, str]
    languages: tuple[str, ...]
    license: str
    citation: str
    url: str = ""
    by_script: dict[str, str] = field(default_factory=dict)
    non_commercial: bool = False
    evaluation_only: bool = False

    @property
    def splits(self) -> tuple[str, ...]:
        """The split names, e.g. ``("train", "dev", "test")``."""
        return tuple(self.files)


@lru_cache(maxsize=1)
def _catalog() -> Registry:
    """The catalog as a :class:`~aimm_nlp._registry.Registry` of :class:`CorpusInfo` (did-you-mean lookups)."""
    import yaml

    raw: dict[str, Any] = yaml.safe_load(
        resources.files("aimm_nlp.corpus").joinpath("catalog.yaml").read_text("utf-8")
    )
    out = Registry("corpus")
    for name, spec in raw["corpora"].items():
        spec = dict(spec)
        spec["files"] = {k: tuple(v) for k, v in spec["files"].items()}
        spec["languages"] = tuple(spec["languages"])
        out.register(name, CorpusInfo(name=name, **spec))
    return out


def corpus_names() -> list[str]:
    """The names of the catalogued corpora, sorted."""
    return _catalog().names()


def corpus_info(name: str) -> CorpusInfo:
    """Return the catalog entry of ``name``.

    Raises:
        UnknownNameError: not a catalogued corpus (with a did-you-mean suggestion).
    """
    try:
        return _catalog().get(name)
    except UnknownNameError as exc:
        raise UnknownNameError(
            f"{exc} (or pass a file path or glob)", name=name, choices=exc.choices
        ) from None


def data_roots(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The folders searched for named corpora, in order."""
    if data_dir is not None:
        return [Path(data_dir)]
    roots = []
    if os.environ.get("AIMM_DATA"):
        roots.append(Path(os.environ["AIMM_DATA"]))
    shared = shared_root()
    roots += [shared / "data", shared / "corpora"]
    return roots


def find_corpus_dir(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The local folder of corpus ``name``.

    Raises:
        InputFileError: the folder is in none of the data roots; the message lists where it looked.
    """
    info = corpus_info(name)
    roots = data_roots(data_dir)
    for root in roots:
        if (root / info.folder).is_dir():
            return root / info.folder
    looked = ", ".join(
        f"{r / info.folder}" + ("" if r.is_dir() else f" ({r} itself does not exist)") for r in roots
    )
    raise InputFileError(
        f"corpus {name!r}: folder {info.folder!r} not found (looked in {looked}); "
        f"put it under $AIMM_DATA or pass data_dir=... (source: {info.url or 'see its README'})",
        path=str(roots[0] / info.folder),
    )
