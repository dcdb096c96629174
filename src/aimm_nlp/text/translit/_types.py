"""The result types of the Arabizi engine (:class:`Candidate`, :class:`TokenDecision`).

Loaded where they are built (``candidates()``, ``explain()``): transliterating alone does not import
``dataclasses`` (~10 ms of a short ``aimm translit`` run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aimm_nlp.text.translit._foreign import WordEvidence

__all__ = ["Candidate", "TokenDecision"]


@dataclass(frozen=True)
class Candidate:
    """One ranked spelling: ``prob`` is normalised over the returned list, ``cost`` = -log score."""

    text: str
    prob: float
    cost: float


@dataclass(frozen=True)
class TokenDecision:
    """What happened to one token of Arabizi input (see :func:`explain`).

    ``kind`` is ``word``, ``url``, ``email``, ``mention``, ``hashtag``, ``emoticon`` (``:D``, ``xD``, ``&lt;``)
    or ``number``;
    ``evidence`` is set for words and says why the word was kept or transliterated.
    """

    text: str
    start: int
    end: int
    kind: str
    output: str
    kept: bool
    evidence: WordEvidence | None
