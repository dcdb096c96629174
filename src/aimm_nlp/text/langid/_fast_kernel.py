"""numba kernel of the one-text path (:mod:`aimm_nlp.text.langid._fast`): one call from code points to
probabilities.

Imported only by :func:`aimm_nlp.text.langid._fast_jit.load` (it imports numba), which compiles the kernel
or reads it from numba's on-disk cache (``cache=True``). Every array comes from the caller
(``_fast_jit.KernelArrays``, built from the loaded model, so a retrained model of the same format works).
Every hash operation is on ``uint64`` values masked to 32 bits, its constants read from ``hashes``
(a ``uint64``/``int64`` mix turns into floats in numba).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

__all__ = ["one_text"]

_SPACE, _SEP, _DROP, _DIGIT = 32, 0, 1, 0xE000
_ARABIC = 0x0600
# letters of the word-shape patterns of ``_morph`` (see ``_fast._shapes``)
_KAF, _TEH, _YEH, _NOON, _WAW, _FEH, _GHAIN = 0x0643, 0x062A, 0x064A, 0x0646, 0x0648, 0x0641, 0x063A
_ALEF, _MEEM, _SHEEN, _DAL, _LAM, _ALEF_MAKSURA = 0x0627, 0x0645, 0x0634, 0x062F, 0x0644, 0x0649


@numba.njit(cache=True)
def _alpha(c: int) -> bool:
    """A letter of the cleaned text (not a space, separator, dropped mark or digit)."""
    return c > _SPACE and not (_DIGIT <= c < _DIGIT + 10)


@numba.njit(cache=True)
def _kt(c: int) -> bool:
    return c == _KAF or c == _TEH


@numba.njit(cache=True)
def _ytn(c: int) -> bool:
    return c == _YEH or c == _TEH or c == _NOON


@numba.njit(cache=True)
def _member(sets: Any, lo: int, hi: int, h: Any) -> bool:
    """Whether ``h`` is in the sorted ``sets[lo:hi]`` (binary search)."""
    end = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if sets[mid] < h:
            lo = mid + 1
        else:
            hi = mid
    return lo < end and sets[lo] == h


@numba.njit(cache=True)
def _shapes(codes: Any, start: int, n: int, out: Any) -> int:
    """``_fast._shapes`` of the word ``codes[start:start + n]``: writes the feature indices 2..8 it shows
    into ``out``; returns how many."""
    c = np.full(4, _SPACE, np.int64)
    for i in range(min(n, 4)):
        c[i] = codes[start + i]
    last = codes[start + n - 1]
    k = 0
    if (_kt(c[0]) and _ytn(c[1]) and n >= 4) or (
        (c[0] == _WAW or c[0] == _FEH) and _kt(c[1]) and _ytn(c[2]) and n >= 5
    ):
        out[k] = 2
        k += 1
    if (c[0] == _GHAIN and ((_ytn(c[1]) and n >= 4) or (c[1] == _ALEF and _ytn(c[2]) and n >= 5))) or (
        c[0] == _WAW
        and c[1] == _GHAIN
        and ((_ytn(c[2]) and n >= 5) or (c[2] == _ALEF and _ytn(c[3]) and n >= 6))
    ):
        out[k] = 3
        k += 1
    if c[0] == _MEEM and last == _SHEEN and n >= 4:
        out[k] = 4
        k += 1
    if last == _WAW and (
        (_ytn(c[0]) and n >= 4) or ((_kt(c[0]) or c[0] == _GHAIN) and _ytn(c[1]) and n >= 5)
    ):
        out[k] = 5
        k += 1
    if last == _WAW and n >= 4:
        before = codes[start + n - 2]
        if not (before == _ALEF or before == _WAW or before == _YEH or before == _ALEF_MAKSURA):
            out[k] = 6
            k += 1
    for i, first in ((7, _DAL), (8, _FEH)):
        if c[0] == first and ((c[1] == _ALEF and c[2] == _LAM and n >= 5) or (c[1] == _LAM and n >= 4)):
            out[k] = i
            k += 1
    return k


@numba.njit(cache=True, nogil=True)
def one_text(
    cps: Any,
    table: Any,
    script_lut: Any,
    weights: Any,
    hashes: Any,
    ints: Any,
    floats: Any,
    sets: Any,
    shift: Any,
    out: Any,
) -> None:
    """The probabilities of one text, as ``Model.predict_proba`` gives them (and its logits).

    ``cps``: the text's code points (``uint32``; URLs, @users and #tags already masked, as ``clean``
    does). Cleans them as ``_encode.prepare`` does (``table``: ``_fast._table``, one code per code
    point), then sums the weight rows of every feature of the batch path: the n-grams of every order of
    ``ints[16:16 + top]`` (an n-gram that reaches the separator, and a single space's unigram, count as
    a feature of bucket 0), the whole-word buckets, the word shapes of ``_morph`` (value ``floats[0]``).

    Layouts: ``hashes`` = (P, multiplier, 2**32 - 1, 32 - bits, whole-word salt, salt of order 1..top);
    ``ints`` = (top, words, used orders, end of the Darija words, end of the MSA words, end of the
    exceptions in ``sets``, 0, the bucket of the 9 word shapes, order 1..top used); ``floats`` =
    (morph, temperature of the 4 script indices, bias (classes), calibration bias (classes), allowed
    classes per script index (4 x classes)); ``out`` = (raw logits, calibrated logits + ``shift``,
    probabilities: classes each; script index; letters per script (3)).
    """
    p, mul, m32, bits_shift, word_salt = hashes[0], hashes[1], hashes[2], hashes[3], hashes[4]
    top, words, n_used = ints[0], ints[1], ints[2]
    n_classes = weights.shape[1]
    morph = floats[0]
    # cleaning: `` text \x00`` through the table; lone digits; runs of 3+ kept as 2, of spaces as 1
    m = cps.shape[0]
    raw = np.empty(m + 3, np.int64)
    raw[0] = _SPACE
    for i in range(m):
        c = cps[i]
        raw[i + 1] = _SPACE if c == 0 else table[c]
    raw[m + 1] = _SPACE
    raw[m + 2] = _SEP
    for i in range(1, m + 1):
        if _DIGIT <= raw[i] < _DIGIT + 10 and not (_alpha(raw[i - 1]) or _alpha(raw[i + 1])):
            raw[i] = _SPACE
    codes = np.empty(m + 3, np.int64)
    n = 0
    for i in range(m + 3):
        c = raw[i]
        if c == _DROP:
            continue
        if i >= 1 and c == raw[i - 1] and (c == _SPACE or (i >= 2 and c == raw[i - 2])):
            continue
        codes[n] = c
        n += 1
    acc = np.zeros(n_classes)
    # n-grams: order k + 1 at i hashes codes[i:i + k + 1]; those that reach the separator add nothing
    added = 0
    for i in range(n - 1):
        h = np.uint64(0)
        for k in range(min(top, n - 1 - i)):
            c = codes[i + k]
            h = (h * p + np.uint64(c)) & m32
            if ints[16 + k] and not (k == 0 and c == _SPACE):
                b = (((h ^ hashes[5 + k]) * mul) & m32) >> bits_shift
                for j in range(n_classes):
                    acc[j] += weights[b, j]
                added += 1
    # words: whole-word buckets and word shapes
    shapes = np.empty(9, np.int64)
    n_words = 0
    n_shapes = 0
    i = 0
    while i < n:
        if codes[i] == _SPACE or codes[i] == _SEP:
            i += 1
            continue
        start = i
        h = np.uint64(0)
        power = np.uint64(1)
        while i < n and codes[i] != _SPACE and codes[i] != _SEP:
            h = (h + np.uint64(codes[i]) * power) & m32
            power = (power * p) & m32
            i += 1
        n_words += 1
        if words:
            b = (((h ^ word_salt) * mul) & m32) >> bits_shift
            for j in range(n_classes):
                acc[j] += weights[b, j]
        if morph > 0 and _ARABIC <= codes[start] < _ARABIC + 256:
            k = 0
            if _member(sets, 0, ints[3], h):
                shapes[k] = 0
                k += 1
            if _member(sets, ints[3], ints[4], h):
                shapes[k] = 1
                k += 1
            if not _member(sets, ints[4], ints[5], h):
                k += _shapes(codes, start, i - start, shapes[k:])
            for s in range(k):
                b = ints[7 + shapes[s]]
                for j in range(n_classes):
                    acc[j] += morph * weights[b, j]
            n_shapes += k
    # features of bucket 0 (its weight is 0 in a saved model; added all the same, as the batch path does)
    zero = n * n_used - added
    if zero:
        for j in range(n_classes):
            acc[j] += zero * weights[0, j]
    letters = np.zeros(3, np.int64)
    for i in range(n):
        s = script_lut[codes[i]]
        if s:
            letters[s - 1] += 1
    total = letters[0] + letters[1] + letters[2]
    script = 3
    if total:
        script = 0
        for s in range(1, 3):
            if letters[s] > letters[script]:
                script = s
    n_feats = n * n_used + (n_words if words else 0) + n_shapes
    norm = math.sqrt(max(n_feats, 1))
    temp = floats[1 + script]
    best = -np.inf
    for j in range(n_classes):
        x = acc[j] / norm + floats[5 + j]
        out[j] = x
        y = x / temp + floats[5 + n_classes + j] + shift[j]
        out[n_classes + j] = y
        if floats[5 + (2 + script) * n_classes + j] and y > best:
            best = y
    summed = 0.0
    for j in range(n_classes):
        e = 0.0
        if floats[5 + (2 + script) * n_classes + j]:
            e = math.exp(out[n_classes + j] - best)
        out[2 * n_classes + j] = e
        summed += e
    for j in range(n_classes):
        out[2 * n_classes + j] /= summed
    out[3 * n_classes] = script
    for s in range(3):
        out[3 * n_classes + 1 + s] = letters[s]
