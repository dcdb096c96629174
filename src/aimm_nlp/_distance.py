"""Levenshtein distance shared by the evaluation metrics and the transliteration scorer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

__all__ = ["edit_distance"]


def edit_distance(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Levenshtein distance (insert/delete/substitute = 1) between two strings or token lists.

    Uses the ``editdistance`` C extension when it is installed, else two rows of pure Python.

    Examples:
        >>> edit_distance("3lach", "3lash"), edit_distance(["واش", "نتا"], ["واش"])
        (1, 1)
    """
    fast = _c_extension()
    if fast is not None:
        return int(fast(a, b))
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


@cache
def _c_extension() -> Callable[[Sequence[Any], Sequence[Any]], int] | None:
    """``editdistance.eval`` when installed, looked up once: a failed import per call cost ~86 µs."""
    try:
        import editdistance
    except ImportError:
        return None
    return editdistance.eval
