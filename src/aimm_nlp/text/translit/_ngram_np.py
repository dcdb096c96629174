"""The backoff n-gram model of :mod:`aimm_nlp.text.translit._ngram`, scored for many words at once in numpy.

:meth:`NgramTables.score` walks one context in Python; scoring every character
of thousands of new words that way costs microseconds per character. Here the
same tables become, per n-gram order, a sorted array of 64-bit polynomial
hashes of the keys with their log probabilities (and one for the backoff
weights of the contexts). The words of a batch are joined into one array of
code points; each distinct n-gram ending somewhere in them (of up to ``order``
symbols, back to its word's BOS) is found once (``np.unique``), its hash computed
for every order, and the backoff recursion

    score(h, w) = logp[hw] if hw is known else bow[h] + score(h[1:], w)

runs order by order over whole arrays (``np.searchsorted`` for the lookups); the
scores go back to every position holding that n-gram.
The result equals the dict walk up to float rounding (a test checks it). A
64-bit collision among a model's keys is checked at build time. With a
``cache_key`` the arrays are kept on disk for the next process
(:mod:`~aimm_nlp.text.translit._store`).
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables

if TYPE_CHECKING:
    import numpy as np

__all__ = ["HashedNgrams", "hash_many"]

_P = 1_000_003  # polynomial base; arithmetic is modulo 2**64 (uint64 wrap-around)
_MASK = (1 << 64) - 1
_GOLD = 0x9E3779B97F4A7C15  # Fibonacci hashing: home slot of h = (h * GOLD) >> (64 - bits)
JIT_MIN = 256  # words per call from which diff_totals runs the compiled kernel (when numba imports)
# Words scored with numpy (~2 us each, 7,600 distinct DODa word-list words a call; 6.5 us before each
# distinct n-gram was scored once) before numba is loaded for this kernel alone: ~0.45 s, what importing
# numba and its first call cost. Paying the load once numpy has cost as much is at most twice the best
# choice made knowing the job's length. Once numba is imported (the compiled search of the ranked
# default loads it), the kernel costs ~0.05 s to load and is used at once.
JIT_AFTER = 200_000
_jit: Any = None  # the compiled kernel once loaded; False: unavailable


def warn_no_jit(what: str, fallback: str, exc: Exception) -> None:
    """The one warning of a numba failure at load (the compiled search, the keep-foreign scorer)."""
    import warnings

    warnings.warn(
        f"aimm_nlp: the compiled {what} is unavailable ({type(exc).__name__}: {exc}); "
        f"{fallback}. Set AIMM_NO_JIT=1 to silence this.",
        RuntimeWarning,
        stacklevel=4,
    )


def _hash(key: str) -> int:
    h = 0
    for ch in key:
        h = (h * _P + ord(ch) + 1) & _MASK
    return h


def hash_many(keys: list[str]) -> np.ndarray:
    """:func:`_hash` of every key, vectorised (uint64 wrap-around)."""
    import numpy as np

    if not keys:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + 1
    ends = np.cumsum(lengths)
    starts = ends - lengths
    h = np.zeros(len(keys), dtype=np.uint64)
    p = np.uint64(_P)
    for j in range(int(lengths.max(initial=0))):
        live = lengths > j
        h[live] = h[live] * p + codes[starts[live] + j]
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

    def __init__(self, *models: NgramTables, cache_key: str | None = None) -> None:
        if not models or len({m.order for m in models}) != 1:
            raise ValueError("HashedNgrams needs models of one order")
        self.order = models[0].order
        self.floors = [m.floor for m in models]
        self._numpy_words = 0  # words diff_totals scored with numpy (see JIT_AFTER)
        # tables[o] = (sorted hashes, logp per model with NaN = unknown, bow per model with 0 = none)
        if cache_key is None:
            arrays = self._build(models)
        else:
            from aimm_nlp.text.translit._store import fingerprint, load_or_build

            arrays = load_or_build(
                "foreign",
                cache_key,
                fingerprint([str(len(models))], [sys.modules[__name__], sys.modules[NgramTables.__module__]]),
                lambda: self._build(models),
                lambda found: self._sound(found, len(models)),
            )
        self.tables = [
            (arrays[f"hashes{o}"], arrays[f"logp{o}"], arrays[f"bow{o}"]) for o in range(self.order + 1)
        ]

    def _build(self, models: tuple[NgramTables, ...]) -> dict[str, np.ndarray]:
        import numpy as np

        arrays = {}
        for length in range(self.order + 1):
            keys = sorted({k for m in models for k in (*m.logp, *m.bow) if len(k) == length})
            hashes = hash_many(keys)
            if len(hashes) > 1 and len(np.unique(hashes)) != len(hashes):
                raise ValueError("hash collision among n-gram keys")
            logp = np.array([[m.logp.get(k, np.nan) for k in keys] for m in models], dtype=np.float64)
            bow = np.array([[m.bow.get(k, 0.0) for k in keys] for m in models], dtype=np.float64)
            order = np.argsort(hashes, kind="stable")
            arrays[f"hashes{length}"] = hashes[order]
            arrays[f"logp{length}"], arrays[f"bow{length}"] = logp[:, order], bow[:, order]
        return arrays

    def _sound(self, arrays: dict[str, np.ndarray], models: int) -> bool:
        """Whether arrays read back from the store have the names, dtypes and shapes the lookups need."""
        import numpy as np

        for o in range(self.order + 1):
            h, lp, bw = arrays.get(f"hashes{o}"), arrays.get(f"logp{o}"), arrays.get(f"bow{o}")
            if h is None or lp is None or bw is None or h.dtype != np.uint64 or h.ndim != 1:
                return False
            if (
                lp.dtype != np.float64
                or bw.dtype != np.float64
                or lp.shape != (models, len(h))
                or bw.shape != lp.shape
            ):
                return False
            if len(h) > 1 and not (h[1:] > h[:-1]).all():  # sorted and unique: searchsorted relies on it
                return False
        return True

    def prepare(self) -> None:
        """Load the compiled kernel of :meth:`diff_totals` and build its table now, where numba imports."""
        if len(self.floors) == 2 and _load_jit():
            _ = self._jit_table

    def score_words(self, words: list[str]) -> np.ndarray:
        """Per model and word, the sum of ``log P`` over ``word + EOS`` after ``BOS`` (the dict walk's total).

        Returns:
            An array of shape ``(models, len(words))``.
        """
        import numpy as np

        if not words:
            return np.zeros((len(self.floors), 0))
        total, starts, _ = self._positions(words)
        return np.add.reduceat(total, starts, axis=1)

    def diff_totals(
        self, words: list[str], *, spans: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    ) -> np.ndarray:
        """Per word, the sum over ``word + EOS`` of ``log P(models[0]) - log P(models[1])``, position by position.

        The differences are added in the order ``ForeignDetector.llr`` adds them (the first position,
        then the next...), so the totals are bit for bit those of the dict walk. A batch of
        :data:`JIT_MIN` words or more runs the compiled kernel when numba imports, once it is loaded
        (:meth:`prepare`, numba already imported, or :data:`JIT_AFTER` words scored); else numpy.

        Args:
            words: the words.
            spans: where the caller already has them as code points: ``(codes, starts, ends)``, word
                ``i`` is ``codes[starts[i]:ends[i]]`` (uint32 and int64 arrays); the compiled kernel
                reads them there instead of joining the words again.

        Raises:
            ValueError: the tables do not hold exactly two models.
        """
        import numpy as np

        if len(self.floors) != 2:
            raise ValueError("diff_totals compares two models")
        if not words:
            return np.zeros(0)
        if (
            len(words) >= JIT_MIN
            and (_jit or "numba" in sys.modules or self._numpy_words >= JIT_AFTER)
            and _load_jit()
        ):
            return self._diff_jit(words, spans)
        self._numpy_words += len(words)
        total, starts, lengths = self._positions(words)
        diff = total[0] - total[1]
        # Sequential sums (np.add.reduceat adds in pairs, whose rounding differs from the dict walk):
        # the words sorted by length, longest first, so the words that still have a position j are a
        # prefix of that order; one vector add per position j, at most the longest word's length.
        order = np.argsort(-lengths, kind="stable")
        first = starts[order] + 1  # the BOS itself is not scored
        left = lengths[order] - 1  # scored positions per word
        acc = np.zeros(len(words))
        live = len(words)
        for j in range(int(left[0])):
            while left[live - 1] <= j:
                live -= 1
            acc[:live] += diff[first[:live] + j]
        out = np.empty(len(words))
        out[order] = acc
        return out

    def _positions(self, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``log P`` of every position of ``BOS + word + EOS`` (0 at the BOS), per model, and where each
        word starts and how many symbols it has in that joined array.

        A position's scores depend only on the n-gram of up to ``order`` symbols that ends there (back to
        its word's BOS): a batch of 70k words has ~800k positions but ~60k such n-grams. Where each fits in
        64 bits exactly (order <= 4, symbols U+0001-U+FFFF) every distinct n-gram is scored once, at one of
        its positions, and copied to the others: the same floats, ~3x faster. Else every position is.
        """
        import numpy as np

        seqs = [BOS + w + EOS for w in words]
        codes = np.frombuffer("".join(seqs).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        n = len(codes)
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # Symbols from the word's BOS up to each position: caps the order usable there.
        span = np.arange(n) - np.repeat(starts, lengths) + 1
        if n and self.order <= 4 and 0 < int(codes.min()) and int(codes.max()) < 1 << 16:
            key = codes.astype(np.uint64)  # the n-gram ending at each position, 16 bits a symbol
            for j in range(1, self.order):
                back = np.zeros(n, dtype=np.uint64)
                back[j:] = codes[:-j]
                key |= np.where(span > j, back << np.uint64(16 * j), np.uint64(0))
            distinct, inverse = np.unique(key, return_inverse=True)
            at = np.empty(len(distinct), dtype=np.int64)
            at[inverse] = np.arange(n)  # one position of each distinct n-gram
            return self._scores_at(codes, span, at)[:, inverse], starts, lengths
        return self._scores_at(codes, span, np.arange(n)), starts, lengths

    def _scores_at(self, codes: np.ndarray, span: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Per model, ``log P`` of the symbol at each position ``at`` of the joined ``codes`` (the dict walk's
        back-off, term by term in its order; 0 at a BOS), ``span``: symbols from the word's BOS there."""
        import numpy as np

        count, m = len(self.floors), len(at)
        unit = codes.astype(np.uint64) + np.uint64(1)

        def gram(end: np.ndarray, length: int) -> np.ndarray:
            """The hash of the ``length`` symbols up to ``end`` (any value where fewer precede: never read)."""
            h = np.zeros(m, dtype=np.uint64)
            for back in range(length - 1, -1, -1):
                h = h * np.uint64(_P) + unit[np.maximum(end - back, 0)]
            return h

        def look(length: int, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Per model, the log probability (NaN: unknown) and back-off weight (0: none) of n-grams ``h``."""
            hashes, lp, bw = self.tables[length]
            if not len(hashes):
                return np.full((count, m), np.nan), np.zeros((count, m))
            idx = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
            found = hashes[idx] == h
            return np.where(found, lp[:, idx], np.nan), np.where(found, bw[:, idx], 0.0)

        top = np.minimum(span[at], self.order)
        total = np.zeros((count, m))
        done = np.broadcast_to(span[at] == 1, (count, m)).copy()  # the BOS itself is not scored
        floors = np.array(self.floors)[:, None]
        # Per position the terms come in the dict walk's order (longest context's back-off weight
        # first, the log probability last); the zeros added for the orders not used change nothing.
        for o in range(self.order, 0, -1):
            logp = look(o, gram(at, o))[0]
            active = (top >= o) & ~done
            hit = active & ~np.isnan(logp)
            total += np.where(hit, logp, 0.0)
            done |= hit
            miss = active & ~hit
            if o == 1:
                total += np.where(miss, floors, 0.0)
            else:  # the weight of the (o-1)-gram ending just before (at a word's BOS nothing is missed)
                total += np.where(miss, look(o - 1, gram(np.maximum(at - 1, 0), o - 1))[1], 0.0)
        return total

    @cached_property
    def _jit_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The keys of every order in one open-addressing table for :func:`~aimm_nlp.text.translit._ngram_kernel.diff_kernel` (built once).

        ``table[slot] = (hash, logp_0, logp_1, bow_0, bow_1)``, the floats by their bit patterns
        (NaN: no n-gram, 0.0: no back-off weight); hash 0 = empty slot, whose values are NaN and 0.0. Returns the table, a float64
        view of it, and the kernel's integer constants.
        """
        import numpy as np

        hashes = np.concatenate([t[0] for t in self.tables])
        logp = np.concatenate([t[1] for t in self.tables], axis=1)
        bow = np.concatenate([t[2] for t in self.tables], axis=1)
        if len(np.unique(hashes)) != len(hashes) or (hashes == 0).any():
            raise ValueError("hash collision among n-gram keys")
        bits = max(4, (2 * max(1, len(hashes)) - 1).bit_length())
        home = (hashes * np.uint64(_GOLD)) >> np.uint64(64 - bits)  # uint64 products wrap, as in the kernel
        # Linear probing without wrap-around, built in one pass: keys sorted by home slot, each takes
        # the first free slot from its home: slot_k = max(home_k, slot_(k-1) + 1) = k + max_(j<=k)(home_j - j).
        by_home = np.argsort(home, kind="stable")
        rank = np.arange(len(hashes))
        slot = rank + np.maximum.accumulate(home[by_home].astype(np.int64) - rank)
        size = max(1 << bits, int(slot[-1]) + 2) if len(slot) else 1 << bits  # the last slot stays empty
        table = np.zeros((size, 5), dtype=np.uint64)
        view = table.view(np.float64)
        view[:, 1:3] = np.nan  # an empty slot reads as an unknown n-gram without a back-off weight
        table[slot, 0] = hashes[by_home]
        view[slot, 1:3] = logp[:, by_home].T
        view[slot, 3:5] = bow[:, by_home].T
        consts = np.array([_P, _GOLD, 64 - bits, self.order, ord(BOS), ord(EOS), 0, 1], dtype=np.uint64)
        return table, view, consts

    def _diff_jit(
        self, words: list[str], spans: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    ) -> np.ndarray:
        import numpy as np

        table, view, consts = self._jit_table
        if spans is None:
            codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            ends = np.fromiter(map(len, words), dtype=np.int64, count=len(words)).cumsum()
            starts = np.concatenate([[0], ends[:-1]])
        else:
            codes, starts, ends = spans
        out = np.empty(len(words))
        hashes = np.zeros((2, self.order + 1), dtype=np.uint64)
        slots = np.zeros((2, self.order + 1), dtype=np.uint64)
        floors = np.array(self.floors, dtype=np.float64)
        _jit(codes, starts, ends, table, view, consts, floors, out, hashes, slots)
        return out


def _load_jit() -> Any:
    """The compiled :func:`~aimm_nlp.text.translit._ngram_kernel.diff_kernel`, or False (``AIMM_NO_JIT``, no numba, or it fails to compile)."""
    global _jit
    if _jit is None:
        if os.environ.get("AIMM_NO_JIT"):
            return False
        try:
            import numba
            import numpy as np

            from aimm_nlp.text.translit._ngram_kernel import diff_kernel

            kernel = numba.njit(cache=True, nogil=True)(diff_kernel)
            kernel(  # compiles, or loads the compiled code from numba's cache (the call's array types)
                np.frombuffer(bytes(4), np.uint32),
                np.zeros(1, np.int64),
                np.ones(1, np.int64),
                np.zeros((2, 5), np.uint64),
                np.zeros((2, 5)),
                np.array([_P, _GOLD, 63, 1, 2, 3, 0, 1], np.uint64),
                np.zeros(2),
                np.zeros(1),
                np.zeros((2, 2), np.uint64),
                np.zeros((2, 2), np.uint64),
            )
            _jit = kernel
        except ImportError:
            _jit = False
        except Exception as exc:  # any numba failure (no cache dir, an LLVM error) only costs speed
            warn_no_jit("keep-foreign scorer", "numpy is used (same scores, slower)", exc)
            _jit = False
    elif _jit and os.environ.get("AIMM_NO_JIT"):
        return False
    return _jit
