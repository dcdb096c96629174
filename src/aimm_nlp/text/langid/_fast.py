"""One text, fast: the features of :func:`._features.featurize` without building sparse matrices.

``identify(text)`` used to run the batch code on a batch of one (about 570 us, most of it building
seven ``scipy.sparse`` matrices and the word-shape arrays). Here the text is cleaned with ``str``
methods and ``re`` exactly as :func:`._encode.prepare` cleans it, the n-gram hashes of all orders
come from a handful of numpy operations, words and word shapes from a short Python loop, and the
logits are one gather of weight rows. ``tests/text/langid/test_langid_fast.py`` checks that the result
equals the batch path (to 1e-6) on a table of texts in every script, with URLs, digits, elongation,
diacritics and emoji.
"""

from __future__ import annotations

import math
import re
from functools import cache

import numpy as np

from aimm_nlp.text.langid._encode import _DIGIT, _MASK_RE, _MUL, SPACE, P, _lut, may_mask
from aimm_nlp.text.langid._morph import (
    DARIJA_MARKERS,
    DARIJA_WORDS,
    MSA_FUNCTION_WORDS,
    PATTERN_EXCEPTIONS,
    _hash_set,
    feature_bucket,
)

__all__ = ["raw_logits"]

_DROP = "\x01"  # stands for a dropped character (diacritic, tatweel) until the squeeze is done
_DIGITS = "".join(chr(_DIGIT + d) for d in range(10))
_LONE_DIGIT = re.compile(f"(?<![^\\x00-\\x20{_DIGITS}])[{_DIGITS}](?![^\\x00-\\x20{_DIGITS}])")
_ANY_DIGIT = re.compile(f"[{_DIGITS}]")
_RUN3 = re.compile(r"(.)\1\1+", re.DOTALL)


def _two(m: re.Match) -> str:
    return m.group(1) * 2


_SPACES = re.compile(" {2,}")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_M32 = 0xFFFFFFFF


@cache
def _table() -> dict[int, str]:
    """``str.translate`` table equal to ``_lut`` (only the code points it changes)."""
    lut = _lut()
    out = {}
    for cp in range(0x10000):
        v = int(lut[cp])
        if v != cp:
            out[cp] = _DROP if v == -1 else chr(v)
    return out


def clean(text: str) -> str:
    """``text`` cleaned as ``prepare([text])`` does, as a ``str`` ending with the separator ``\\x00``."""
    s = " " + text.replace("\x00", " ") + " \x00"
    if may_mask(s):
        s = _MASK_RE.sub(" ", s)
    if not s.isascii() and max(s) > "\uffff":
        s = _ASTRAL.sub(" ", s)  # above the BMP: ``_lut`` maps everything to a space
    s = s.translate(_table())
    if _ANY_DIGIT.search(s):
        s = _LONE_DIGIT.sub(" ", s)
    if _RUN3.search(s):
        s = _RUN3.sub(_two, s)
    if "  " in s:
        s = _SPACES.sub(" ", s)
    return s.replace(_DROP, "") if _DROP in s else s


@cache
def _salts(orders: tuple[int, ...], bits: int) -> tuple[np.ndarray, np.ndarray, int, np.uint32, np.ndarray]:
    """Per n-gram order 1..max: the salt xor of :func:`._encode.bucket` (a row), which orders are used
    (a row), how many, the bucket shift, and the n-grams of the last ``max`` positions that reach the
    separator (``tail[r, k]``: position ``n - max + r``, order ``k + 1``)."""
    top = max(orders)
    k = np.arange(1, top + 1, dtype=np.uint64)
    salt = ((k * 0x9E3779B1) & _M32).astype(np.uint32)[None, :]
    used = np.array([o in orders for o in range(1, top + 1)])
    tail = np.add.outer(np.arange(top), np.arange(top)) >= top - 1
    return salt, used, int(used.sum()), np.uint32(32 - bits), tail


@cache
def _hashes(words: frozenset) -> frozenset:
    return frozenset(int(h) for h in _hash_set(words))


def _word_hash(word: str) -> int:
    h = 0
    for ch in reversed(word):
        h = (h * int(P) + ord(ch)) & _M32
    return h


def _bucket(h: int, salt: int, bits: int) -> int:
    return (((h ^ (salt * 0x9E3779B1 & _M32)) * int(_MUL)) & _M32) >> (32 - bits)


_CLASSES = {"kt": "كت", "ytn": "يتن", "wf": "وف", "ktg": "كتغ", "long": "اويى"}


def _shapes(word: str) -> list[int]:
    """Indices (into ``_morph.FEATURES``) of the pattern features 2..8 this Arabic word shows."""
    n = len(word)
    c = word + "    "
    kt, ytn, wf, ktg, long_ = (_CLASSES[k] for k in ("kt", "ytn", "wf", "ktg", "long"))
    out = []
    if (c[0] in kt and c[1] in ytn and n >= 4) or (c[0] in wf and c[1] in kt and c[2] in ytn and n >= 5):
        out.append(2)
    if (c[0] == "غ" and ((c[1] in ytn and n >= 4) or (c[1] == "ا" and c[2] in ytn and n >= 5))) or (
        c[0] == "و" and c[1] == "غ" and ((c[2] in ytn and n >= 5) or (c[2] == "ا" and c[3] in ytn and n >= 6))
    ):
        out.append(3)
    if c[0] == "م" and word[-1] == "ش" and n >= 4:
        out.append(4)
    if word[-1] == "و" and ((c[0] in ytn and n >= 4) or (c[0] in ktg and c[1] in ytn and n >= 5)):
        out.append(5)
    if word[-1] == "و" and n >= 4 and word[-2] not in long_:
        out.append(6)
    for i, first in ((7, "د"), (8, "ف")):
        if c[0] == first and ((c[1] == "ا" and c[2] == "ل" and n >= 5) or (c[1] == "ل" and n >= 4)):
            out.append(i)
    return out


def _word_buckets(word: str, bits: int, words: bool, morph: float) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(the word's bucket, or none; its word-shape buckets) for one cleaned word."""
    h = _word_hash(word)
    shapes = []
    if morph and "\u0600" <= word[0] < "\u0700":
        shapes = [0] if h in _hashes(DARIJA_MARKERS | DARIJA_WORDS) else []
        shapes += [1] if h in _hashes(MSA_FUNCTION_WORDS) else []
        if h not in _hashes(PATTERN_EXCEPTIONS):
            shapes += _shapes(word)
    return ((_bucket(h, 99, bits),) if words else ()), tuple(feature_bucket(i, bits) for i in shapes)


_WORD_CACHE_SIZE = 200_000


def _word_features(model, s: str) -> tuple[list[int], list[int], int]:
    """(word buckets, word-shape buckets, number of words) of a cleaned text; words are memoised per model."""
    word_b: list[int] = []
    shape_b: list[int] = []
    if not (model.words or model.morph):
        return word_b, shape_b, 0
    cache = model.__dict__.setdefault("_word_cache", {})
    words = s[:-1].split()
    for word in words:
        got = cache.get(word)
        if got is None:
            if len(cache) >= _WORD_CACHE_SIZE:
                cache.clear()
            got = cache[word] = _word_buckets(word, model.bits, model.words, model.morph)
        word_b += got[0]
        shape_b += got[1]
    return word_b, shape_b, len(words)


@cache
def _powers(top: int) -> np.ndarray:
    """``M[j, k] = P**(k - j)`` (mod 2**32) for ``j <= k``, else 0: ``windows @ M`` gives every order's hash."""
    m = np.zeros((top, top), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(top):
            for j in range(k + 1):
                m[j, k] = np.uint32(pow(int(P), k - j, 1 << 32))
    return m


_GRID: list[np.ndarray] = [np.zeros((0, 1), dtype=np.intp)]


def _grid(n: int, top: int) -> np.ndarray:
    """``grid[i, k] = i + k`` for ``i < n`` (grown on demand, kept)."""
    g = _GRID[0]
    if g.shape[0] < n or g.shape[1] != top:
        size = max(n, 2 * g.shape[0], 256)
        g = _GRID[0] = np.arange(size)[:, None] + np.arange(top)[None, :]
    return g[:n]


def raw_logits(model, text: str) -> tuple[list[float], list[int]]:
    """(uncalibrated logits of ``text`` per class, letters per script (3)) as ``Model`` computes them."""
    s = clean(text)
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)  # the last code is the separator
    top = max(model.orders)
    salt, used, n_used, shift, tail = _salts(model.orders, model.bits)
    grid = _grid(n, top)
    pad = np.zeros(n + top, dtype=np.uint32)
    pad[:n] = codes
    b = pad[grid] @ _powers(top)  # (n, top): the hash of the n-gram of order k + 1 at i (wraps mod 2**32)
    np.bitwise_xor(b, salt, out=b)
    np.multiply(b, _MUL, out=b)
    np.right_shift(b, shift, out=b)
    # n-grams that reach the separator, single spaces and unused orders go to bucket 0, whose weight
    # is 0: they count as features (as in the batch path) but add nothing.
    if n >= top:
        b[n - top :][tail] = 0
    else:
        b[grid >= n - 1] = 0
    b[codes == SPACE, 0] = 0
    if n_used < top:
        b[:, ~used] = 0
    word_b, shape_b, n_words = _word_features(model, s)
    grams = np.concatenate((b.ravel(), np.array(word_b + shape_b, dtype=np.uint32)))
    values = _ones(len(grams))
    if shape_b:
        values = values.copy()
        values[len(grams) - len(shape_b) :] = model.morph
    n_feats = n * n_used + (n_words if model.words else 0) + len(shape_b)
    norm = math.sqrt(max(n_feats, 1))  # the same IEEE operations as the batch path, in the same order
    summed = np.dot(values, model.weights.take(grams, axis=0)).tolist()
    logits = [x / norm + b for x, b in zip(summed, model.bias.tolist(), strict=True)]
    return logits, np.bincount(model.script_lut[codes], minlength=4)[1:].tolist()


_ONES: list[np.ndarray] = [np.ones(4096)]


def _ones(n: int) -> np.ndarray:
    if len(_ONES[0]) < n:
        _ONES[0] = np.ones(2 * n)
    return _ONES[0][:n]
