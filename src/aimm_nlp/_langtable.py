"""The record type of :data:`aimm_nlp.langs.LANGS`; use it as ``aimm_nlp.langs.Lang``, which loads this
module on first use (a dataclass: importing ``dataclasses`` costs a short CLI run ~10 ms)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Lang"]


@dataclass(frozen=True)
class Lang:
    """One language variety in one script."""

    code: str
    name: str
    script: str
    iso639_3: str


Lang.__module__ = "aimm_nlp.langs"  # its public home (repr, pickle, docs)
