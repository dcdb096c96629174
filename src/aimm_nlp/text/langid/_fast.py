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

import re
from functools import cache

import numpy as np

from aimm_nlp.text.langid._encode import _DIGIT, _MASK_RE, _MUL, SPACE, P, _lut
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
    if "@" in s or "#" in s or "http" in s or "www" in s:
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
def _salts(orders: tuple[int, ...], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Per n-gram order (rows 1..max): the salt xor of :func:`._encode.bucket`, and whether it is used."""
    k = np.arange(1, max(orders) + 1, dtype=np.uint64)
    salt = ((k * 0x9E3779B1) & _M32).astype(np.uint32)[:, None]
    used = np.array([o in orders for o in range(1, max(orders) + 1)])
    return salt, used


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


def raw_logits(model, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(uncalibrated logits of ``text`` (classes), letters per script (3,)) as ``Model`` computes them."""
    s = clean(text)
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)  # the last code is the separator
    top = max(model.orders)
    salt, used = _salts(model.orders, model.bits)
    h = np.zeros((top, n + top), dtype=np.uint32)
    h[0, :n] = codes
    for k in range(1, top):  # order k + 1 at position i: h[k - 1, i] * P + codes[i + k] (wraps mod 2**32)
        np.multiply(h[k - 1, : n + top - k], P, out=h[k, : n + top - k])
        h[k, : n + top - k] += h[0, k:]
    b = ((h ^ salt) * _MUL) >> np.uint32(32 - model.bits)
    # n-grams that reach the separator (and single spaces) fall in bucket 0, whose weight is 0:
    # they count as features but add nothing, so they are left out of the gather.
    parts = [b[k - 1, : max(n - k, 0)] for k in range(2, top + 1) if used[k - 1]]
    if used[0]:
        parts.append(b[0, : n - 1][codes[:-1] != SPACE])
    word_b, shape_b, n_words = _word_features(model, s)
    parts += [np.array(word_b + shape_b, dtype=np.uint32)]
    grams = np.concatenate(parts)
    values = np.ones(len(grams))
    if shape_b:
        values[len(grams) - len(shape_b) :] = model.morph
    n_feats = n * int(used.sum()) + (n_words if model.words else 0) + len(shape_b)
    logits = np.dot(values, model.weights.take(grams, axis=0)) / np.sqrt(max(n_feats, 1)) + model.bias
    return logits, np.bincount(model.script_lut[codes], minlength=4)[1:]
