"""The result types of the Arabizi engine (:class:`Candidate`, :class:`TokenDecision`) and its word cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aimm_nlp.text.translit._foreign import WordEvidence

__all__ = ["Candidate", "TokenDecision", "WordCache"]


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


class WordCache(dict):
    """token -> output; computes on a miss (``dict.__missing__`` keeps the hit path in C)."""

    def __init__(self, compute: Callable[[str], str], limit: int = 1 << 20) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, token: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        out = self[token] = self.compute(token)
        return out
