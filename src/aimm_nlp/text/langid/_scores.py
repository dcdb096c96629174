"""The per-text ``label -> probability`` mapping of :class:`aimm_nlp.text.langid.LangGuess` (``scores``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Scores"]


class Scores(Mapping):
    """Read-only ``label -> probability`` view over one row (cheap to create per text)."""

    __slots__ = ("_labels", "_row")

    def __init__(self, labels: tuple[str, ...], row: Any) -> None:
        self._labels = labels
        self._row = row

    def __getitem__(self, key: str) -> float:
        try:
            return float(self._row[self._labels.index(key)])
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self):
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __repr__(self) -> str:
        return repr(dict(self))
