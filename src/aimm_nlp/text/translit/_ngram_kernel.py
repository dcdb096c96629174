"""numba kernel of the keep-foreign scorer (:meth:`~aimm_nlp.text.translit._ngram_np.HashedNgrams.diff_totals`).

Plain Python here: :func:`aimm_nlp.text.translit._ngram_np._load_jit` compiles it with numba when
numba imports (``numba.njit(cache=True)``). It imports nothing, numpy included.
"""

from __future__ import annotations

from typing import Any

__all__ = ["diff_kernel"]


def diff_kernel(
    codes: Any,
    starts: Any,
    ends: Any,
    table: Any,
    view: Any,
    consts: Any,
    floors: Any,
    out: Any,
    hashes: Any,
    slots: Any,
) -> None:
    """numba kernel of :meth:`~aimm_nlp.text.translit._ngram_np.HashedNgrams.diff_totals` (compiled by :func:`aimm_nlp.text.translit._ngram_np._load_jit`; plain Python here).

    Word ``w`` is ``codes[starts[w]:ends[w]]`` (code points). Per word, walks ``BOS + word + EOS``:
    the hash of the n-gram of every order ending at a position is the hash of the one an order
    shorter ending at the previous position, times P, plus the letter (rolled in ``hashes``, for
    this position and the previous one). Then the back-off walk of ``NgramTables.score`` per model,
    in its order of terms, and ``out[w] += score_0 - score_1`` per position, like the dict walk. An
    n-gram is probed only when a walk reaches it, once for both models and for its use as the next
    position's context (``slots`` remembers where it was found); a walk that stops at the longest
    order probes nothing else (every order probed up front: 2.0 ms on 6,200 DODa words, this: 1.6).
    Takes no numpy (the module imports numpy lazily): every array comes from the caller, every
    uint64 constant from ``consts`` (a uint64/int64 mix turns into floats in numba).
    """
    p, gold, shift = consts[0], consts[1], consts[2]
    order = int(consts[3])
    bos, eos, empty, one = consts[4], consts[5], consts[6], consts[7]
    unset = empty - one  # in ``slots``: not probed yet
    for w in range(ends.shape[0]):
        start = starts[w]
        size = ends[w] - start + 2
        cur, prev = 0, 1  # hashes[k, o], slots[k, o]: the o-gram ending here (k = cur) or just before (prev)
        total = 0.0
        for i in range(size):
            if i == 0:
                unit = bos + one
            elif i == size - 1:
                unit = eos + one
            else:
                unit = codes[start + i - 1] + one
            top = min(i + 1, order)
            for o in range(1, top + 1):
                hashes[cur, o] = hashes[prev, o - 1] * p + unit  # hashes[k, 0] stays 0: the empty key
                slots[cur, o] = unset
            if i > 0:
                score = 0.0
                for m in range(2):
                    acc = 0.0
                    for o in range(top, 0, -1):
                        slot = slots[cur, o]
                        if slot == unset:  # probe (once per position for both models)
                            h = hashes[cur, o]
                            slot = (
                                h * gold
                            ) >> shift  # uint64 all along (slot + an int64 1 would be a float)
                            while table[slot, 0] != empty and table[slot, 0] != h:
                                slot += one  # the table ends with an empty slot: no wrap-around
                            slots[cur, o] = slot  # a miss stops on an empty slot: NaN, NaN, 0, 0
                        lp = view[slot, 1 + m]
                        if lp == lp:  # not NaN: the n-gram is known
                            acc += lp
                            break
                        if o == 1:
                            acc += floors[m]
                        else:  # the back-off weight of the context: the (o-1)-gram ending just before
                            slot = slots[prev, o - 1]
                            if slot == unset:
                                h = hashes[prev, o - 1]
                                slot = (h * gold) >> shift
                                while table[slot, 0] != empty and table[slot, 0] != h:
                                    slot += one
                                slots[prev, o - 1] = slot
                            acc += view[slot, 3 + m]
                    score = acc if m == 0 else score - acc
                total += score
            cur, prev = prev, cur
        out[w] = total
