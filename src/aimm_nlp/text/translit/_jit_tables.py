"""The tables of the compiled Arabizi search (:mod:`aimm_nlp.text.translit._jit`) as numpy arrays.

Open-addressing hash tables over 64-bit polynomial hashes (the scheme of
:mod:`~aimm_nlp.text.translit._ngram_np`), a bit filter in front of the word list, the packing
of every table into the two arrays the kernel reads (:mod:`~aimm_nlp.text.translit._jit_kernel`),
and the character model as a state machine. numpy is imported when a table is built.
"""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING, Any

from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables
from aimm_nlp.text.translit._ngram_np import _MASK, _hash

if TYPE_CHECKING:
    import numpy as np

__all__ = ["bit_filter", "float_table", "open_table", "pack", "state_machine"]

_GOLD = 0x9E3779B97F4A7C15


def open_table(hashes: list[int], values: list[Any], dtype: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """``(keys, values, bits)``, key 0 = empty slot, linear probing from ``(h * GOLD) >> (64 - bits)``.

    Raises:
        ValueError: two keys share a hash, or a key hashes to 0 (never seen; the table would be wrong).
    """
    import numpy as np

    if len(set(hashes)) != len(hashes) or 0 in hashes:
        raise ValueError("hash collision among table keys")
    bits = max(4, (2 * max(1, len(hashes)) - 1).bit_length())
    size = 1 << bits
    keys = np.zeros(size, dtype=np.uint64)
    vals = np.zeros((size, *np.shape(values[0])) if values else size, dtype=dtype)
    mask = size - 1
    for h, v in zip(hashes, values, strict=True):
        slot = ((h * _GOLD) & _MASK) >> (64 - bits)
        while keys[slot]:
            slot = (slot + 1) & mask
        keys[slot], vals[slot] = h, v
    return keys, vals, bits


def float_table(hashes: list[int], values: list[float]) -> tuple[np.ndarray, np.ndarray, int]:
    """An interleaved float table: ``(pairs, view, bits)``, key in ``pairs[:, 0]``, value in ``view[:, 1]``."""
    import numpy as np

    keys, vals, bits = open_table(hashes, values, np.float64)
    pairs = np.zeros((len(keys), 2), dtype=np.uint64)
    pairs[:, 0] = keys
    view = pairs.view(np.float64)
    view[:, 1] = vals
    return pairs, view, bits


def bit_filter(keys: np.ndarray, bits: int) -> np.ndarray:
    """One bit per key of an open-addressing table, at ``(h * GOLD) >> (64 - bits)``: a clear bit says
    the key is absent without probing the table."""
    import numpy as np

    # uint64 products wrap, as in the kernel
    pos = (keys[keys != 0] * np.uint64(_GOLD)) >> np.uint64(64 - bits)
    filt = np.zeros(1 << (bits - 6), dtype=np.uint64)
    np.bitwise_or.at(filt, pos >> np.uint64(6), np.uint64(1) << (pos & np.uint64(63)))
    return filt


def pack(kernel: Any, ints: dict[str, Any], bits: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's tables as two arrays (see ``_jit_kernel.INT_NAMES``): ``ints`` starts with the
    offsets of its parts then of those of ``bits``; float parts of ``bits`` are stored by their bit patterns."""
    import numpy as np

    int_parts = [np.asarray(ints[name], dtype=np.int64).ravel() for name in kernel.INT_NAMES]
    bit_parts = [np.ascontiguousarray(bits[name]).ravel().view(np.uint64) for name in kernel.BIT_NAMES]
    head = len(int_parts) + len(bit_parts) + 2
    int_offsets = list(accumulate(map(len, int_parts), initial=head))
    bit_offsets = list(accumulate(map(len, bit_parts), initial=0))
    packed_ints = np.concatenate([np.array(int_offsets + bit_offsets, dtype=np.int64), *int_parts])
    return packed_ints, np.concatenate(bit_parts)


def state_machine(lm: NgramTables, lm_codes: list[int], kernel: Any) -> tuple:
    """The character model as a state machine: ``(log P, next state)`` per state and letter (see
    ``_jit_kernel.transition``), built when the model is loaded, and what building needs.

    Raises:
        ValueError: the model is not closed (an n-gram whose prefix is not a context, or a context of two
            letters or more that is no n-gram): the state machine would not give the same scores.
    """
    import numpy as np

    keep = lm.order - 1
    if any(k[:-1] not in lm.bow for k in lm.logp if len(k) > 1) or any(
        k not in lm.logp for k in lm.bow if len(k) > 1
    ):
        raise ValueError("the character model is not closed under prefixes; the compiled search needs it")
    states = ["", *sorted(lm.bow)]
    if max(map(len, states)) > keep:
        raise ValueError("a context of the character model is longer than its order allows")
    state_codes = np.zeros((len(states), max(keep, 1)), dtype=np.int64)
    for i, name in enumerate(states):
        state_codes[i, : len(name)] = [ord(ch) for ch in name]
    state_len = np.array(list(map(len, states)), dtype=np.int64)
    skeys, svals, sbits = open_table(list(map(_hash, states[1:])), list(range(1, len(states))), np.int64)
    letters = sorted({ch for key in (*lm.logp, *lm.bow) for ch in key})
    sym_codes = np.array([ord(ch) for ch in letters], dtype=np.int64)
    column = {ch: i for i, ch in enumerate(letters)}
    lk, lv, lb = float_table(list(map(_hash, lm.logp)), list(lm.logp.values()))
    bk, bv, bb = float_table(list(map(_hash, lm.bow)), list(lm.bow.values()))
    tlp = np.empty((len(states), len(letters) + 1))
    tnext = np.zeros((len(states), len(letters) + 1), dtype=np.int64)
    state_of = dict(zip(states, range(len(states)), strict=True))
    start = next((state_of[BOS[i:]] for i in range(len(BOS)) if BOS[i:] in state_of), 0)
    lm_sym = np.array([column.get(chr(c), len(letters)) for c in lm_codes] or [0], dtype=np.int64)
    machine = (
        tlp,
        tnext,
        sym_codes,
        lm_sym,
        start,
        column.get(EOS, len(letters)),
        state_codes,
        state_len,
        skeys,
        svals,
        sbits,
        lk,
        lv,
        lb,
        bk,
        bv,
        bb,
        float(lm.floor),
        keep,
        np.zeros(kernel.KEEP_MAX + 2, dtype=np.uint64),
        np.zeros(kernel.KEEP_MAX + 2),
    )
    kernel.fill(machine)
    return machine
