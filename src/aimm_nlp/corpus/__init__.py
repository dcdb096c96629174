"""Corpus pipeline on Hugging Face ``datasets``: load, clean, filter by language, deduplicate, describe.

This ``__init__`` is light: ``datasets``, ``datasketch`` and ``matplotlib`` load only when a
function that needs them is called (PEP 562 lazy attributes).

Examples:
    >>> from aimm_nlp.corpus import corpus_names
    >>> "afrisenti_ma" in corpus_names()
    True
"""

from __future__ import annotations

from aimm_nlp._lazy import lazy_exports

__all__ = [
    "BuildResult",
    "CleanReport",
    "CorpusConfig",
    "CorpusInfo",
    "CorpusStats",
    "QualityRules",
    "StepReport",
    "build_corpus",
    "clean",
    "corpus_files",
    "corpus_info",
    "corpus_names",
    "describe",
    "load_config",
    "load_corpus",
    "save_corpus",
    "shard_for_rank",
]

_WHERE = {
    "BuildResult": "build",
    "build_corpus": "build",
    "CorpusConfig": "config",
    "load_config": "config",
    "CleanReport": "report",
    "StepReport": "report",
    "CorpusInfo": "catalog",
    "corpus_info": "catalog",
    "corpus_names": "catalog",
    "CorpusStats": "stats",
    "describe": "stats",
    "QualityRules": "quality",
    "clean": "cleaning",
    "corpus_files": "load",
    "load_corpus": "load",
    "save_corpus": "io",
    "shard_for_rank": "distributed",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
