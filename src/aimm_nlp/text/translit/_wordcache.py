"""The Arabizi engine's word cache."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["WordCache"]


class WordCache(dict):
    """token -> output; computes on a miss (``dict.__missing__`` keeps the hit path in C).

    Past ``limit`` entries it starts again empty, and so do its ``dependents`` (what is kept per word
    beside it: the keep-foreign levels), so that a long stream of new words holds bounded memory.
    """

    def __init__(
        self, compute: Callable[[str], str], limit: int = 1 << 20, *, dependents: tuple[dict, ...] = ()
    ) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit
        self.dependents = dependents

    def clear(self) -> None:
        super().clear()
        for d in self.dependents:
            d.clear()

    def __missing__(self, token: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        out = self[token] = self.compute(token)
        return out
