"""The backoff n-gram model of :mod:`aimm_nlp.text._translit_ngram`, scored for many words at once in numpy.

:meth:`NgramTables.score` walks one context in Python; scoring every character
of thousands of new words that way costs microseconds per character. Here the
same tables become, per n-gram order, a sorted array of 64-bit polynomial
hashes of the keys with their log probabilities (and one for the backoff
weights of the contexts). The words of a batch are joined into one array of
code points, the hash of every n-gram ending at every position is computed for
all orders at once, and the backoff recursion

    score(h, w) = logp[hw] if hw is known else bow[h] + score(h[1:], w)

runs order by order over whole arrays (``np.searchsorted`` for the lookups).
The result equals the dict walk up to float rounding (a test checks it). The
hashes live only in this process; a 64-bit collision among a model's keys is
checked at build time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimm_nlp.text._translit_ngram import BOS, EOS, NgramTables

if TYPE_CHECKING:
    import numpy as np

__all__ = ["HashedNgrams"]

_P = 1_000_003  # polynomial base; arithmetic is modulo 2**64 (uint64 wrap-around)
_MASK = (1 << 64) - 1


def _hash(key: str) -> int:
    h = 0
    for ch in key:
        h = (h * _P + ord(ch) + 1) & _MASK
    return h


class HashedNgrams:
    """Several :class:`NgramTables` of one order as per-order sorted hash arrays.

    The keys of all models and of both tables (n-grams and contexts) share one
    array per key length, so one ``searchsorted`` per order serves every model:
    the hit for the n-gram ending at position ``i`` is also the context of the
    next order at ``i + 1``.

    Args:
        models: backoff tables of the same ``order``.

    Raises:
        ValueError: the orders differ, or two keys share a 64-bit hash (never seen).
    """

    def __init__(self, *models: NgramTables) -> None:
        import numpy as np

        if not models or len({m.order for m in models}) != 1:
            raise ValueError("HashedNgrams needs models of one order")
        self.order = models[0].order
        self.floors = [m.floor for m in models]
        # tables[o] = (sorted hashes, logp per model with NaN = unknown, bow per model with 0 = none)
        self.tables = []
        for length in range(self.order + 1):
            keys = sorted({k for m in models for k in (*m.logp, *m.bow) if len(k) == length})
            hashes = np.array([_hash(k) for k in keys], dtype=np.uint64)
            if len(hashes) > 1 and len(np.unique(hashes)) != len(hashes):
                raise ValueError("hash collision among n-gram keys")
            logp = np.array([[m.logp.get(k, np.nan) for k in keys] for m in models], dtype=np.float64)
            bow = np.array([[m.bow.get(k, 0.0) for k in keys] for m in models], dtype=np.float64)
            order = np.argsort(hashes, kind="stable")
            self.tables.append((hashes[order], logp[:, order], bow[:, order]))

    def score_words(self, words: list[str]) -> np.ndarray:
        """Per model and word, the sum of ``log P`` over ``word + EOS`` after ``BOS`` (the dict walk's total).

        Returns:
            An array of shape ``(models, len(words))``.
        """
        import numpy as np

        count = len(self.floors)
        if not words:
            return np.zeros((count, 0))
        seqs = [BOS + w + EOS for w in words]
        codes = np.frombuffer("".join(seqs).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        n = len(codes)
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # Symbols from the word's BOS up to each position: caps the order usable there.
        span = np.arange(n) - np.repeat(starts, lengths) + 1
        unit = codes + np.uint64(1)
        gram = unit
        logp: list[np.ndarray] = [
            np.zeros((count, n))
        ]  # logp[o][m, i]: model m, o-gram ending at i (NaN: unknown)
        bow: list[np.ndarray] = [
            np.zeros((count, n))
        ]  # bow[o][m, i]: weight of the o-gram ending at i as context
        for length in range(1, self.order + 1):
            if length > 1:
                prev = np.zeros(n, dtype=np.uint64)
                prev[1:] = gram[:-1]
                gram = prev * np.uint64(_P) + unit
            hashes, lp, bw = self.tables[length]
            if len(hashes):
                idx = np.minimum(np.searchsorted(hashes, gram), len(hashes) - 1)
                found = hashes[idx] == gram
                logp.append(np.where(found, lp[:, idx], np.nan))
                bow.append(np.where(found, bw[:, idx], 0.0))
            else:
                logp.append(np.full((count, n), np.nan))
                bow.append(np.zeros((count, n)))
        top = np.minimum(span, self.order)
        total = np.zeros((count, n))
        done = np.broadcast_to(span == 1, (count, n)).copy()  # the BOS itself is not scored
        floors = np.array(self.floors)[:, None]
        for o in range(self.order, 0, -1):
            active = (top >= o) & ~done
            hit = active & ~np.isnan(logp[o])
            total += np.where(hit, logp[o], 0.0)
            done |= hit
            miss = active & ~hit
            if o == 1:
                total += np.where(miss, floors, 0.0)
            else:
                context = np.zeros((count, n))
                context[:, 1:] = bow[o - 1][:, :-1]  # the (o-1)-gram ending just before i
                total += np.where(miss, context, 0.0)
        return np.add.reduceat(total, starts, axis=1)
