"""The Arabizi engine's word cache."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["WordCache"]


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
