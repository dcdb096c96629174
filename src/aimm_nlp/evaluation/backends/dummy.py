"""``DummyModel``: a deterministic fake model for harness tests (lm-eval ``DummyLM``).

Scores are derived from a hash of the text, so they are stable across runs and
batch sizes, cost nothing, and exercise every task type without torch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

__all__ = ["DummyModel"]


def _unit(text: str) -> float:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") / 2**32


class DummyModel:
    """A fake model answering every request type deterministically.

    ``calls`` counts the items it scored, so tests can check what the cache skipped.

    Examples:
        >>> m = DummyModel()
        >>> [round(ll, 3) for ll, _ in next(m.score_choices([("واش نتا", [" مزيان", " لا"])]))[1]]
        [-11.49, -6.708]
    """

    kind = "dummy"
    batch_size: int | str = "auto"

    def __init__(self, *, labels: Sequence[str] | None = None, fail_after: int | None = None) -> None:
        self.labels = list(labels or [])
        self.fail_after = fail_after
        self.calls = 0
        self.fingerprint = "dummy-v1"

    def _tick(self) -> None:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt("DummyModel: simulated kill")

    def score_choices(self, items: Sequence[tuple[str, Sequence[str]]]) -> Iterator[tuple[int, list]]:
        for i, (ctx, conts) in enumerate(items):
            self._tick()
            yield i, [(-len(c) * (1 + 2 * _unit(ctx + "\x00" + c)), False) for c in conts]

    def score_rolling(self, texts: Sequence[str]) -> Iterator[tuple[int, float]]:
        for i, text in enumerate(texts):
            self._tick()
            yield i, -len(text.encode()) * (1 + _unit(text))

    def generate(self, prompts: Sequence[str], *, until: Sequence[str] = (), max_gen_toks: int = 64):
        for i, prompt in enumerate(prompts):
            self._tick()
            yield i, prompt.split()[-1] if prompt.split() else ""

    def classify(self, texts: Sequence[str]) -> Iterator[tuple[int, str]]:
        for i, text in enumerate(texts):
            self._tick()
            yield i, self.labels[int(_unit(text) * len(self.labels))]

    def tag(self, tokens: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[str]]]:
        for i, words in enumerate(tokens):
            self._tick()
            yield i, [self.labels[int(_unit(w) * len(self.labels))] for w in words]
