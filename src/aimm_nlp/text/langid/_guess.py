"""The result type of ``identify``: :class:`LangGuess` (read-only, ``mixed`` worked out on first access)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError
from typing import Any

__all__ = ["LangGuess", "new_guess"]


class LangGuess:
    """The language of a text (read-only).

    Attributes:
        lang: best label (``und`` when the text has no letter).
        score: probability of ``lang`` (1.0 for ``und`` and the Tifinagh rule).
        scores: probability of every label of the model.
        mixed: True when at least two languages each cover ``>= 15 %`` of the letters of the
            words :func:`tag_words` labels, i.e. ``is_mixed(tag_words(text))``. Worked out on first
            access (word tagging costs several times the identification itself), then kept.
    """

    __slots__ = ("_mixed", "lang", "score", "scores")

    def __init__(
        self, lang: str, score: float, scores: Mapping[str, float], mixed: bool | Callable[[], bool] = False
    ) -> None:
        for name, value in (("lang", lang), ("score", score), ("scores", scores), ("_mixed", mixed)):
            object.__setattr__(self, name, value)

    @property
    def mixed(self) -> bool:
        if callable(self._mixed):
            object.__setattr__(self, "_mixed", bool(self._mixed()))
        return self._mixed  # type: ignore[return-value]

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LangGuess):
            return NotImplemented
        return (self.lang, self.score, self.mixed) == (other.lang, other.score, other.mixed)

    def __hash__(self) -> int:
        return hash((self.lang, self.score))

    def __repr__(self) -> str:
        return f"LangGuess(lang={self.lang!r}, score={self.score!r}, mixed={self.mixed!r})"


_NEW = object.__new__
_SET_LANG, _SET_SCORE, _SET_SCORES, _SET_MIXED = (
    LangGuess.__dict__[name].__set__ for name in ("lang", "score", "scores", "_mixed")
)


def new_guess(
    lang: str, score: float, scores: Mapping[str, float], mixed: bool | Callable[[], bool]
) -> LangGuess:
    """``LangGuess(lang, score, scores, mixed)`` without the call of ``__init__`` (the slots are set
    directly; about half the cost, for the one-text ``identify()``)."""
    g = _NEW(LangGuess)
    _SET_LANG(g, lang)
    _SET_SCORE(g, score)
    _SET_SCORES(g, scores)
    _SET_MIXED(g, mixed)
    return g
