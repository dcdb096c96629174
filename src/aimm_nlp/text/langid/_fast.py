"""One text, fast: the features and probabilities of the batch path without sparse matrices.

``identify(text)`` used to run the batch code on a batch of one (about 570 us, most of it building
seven ``scipy.sparse`` matrices and the word-shape arrays). Here:

* cleaning maps every code point with one ``uint16`` gather (``_lut`` over all of Unicode), then
  runs the digit, elongation and space rules with ``re`` only where the text needs them;
* the n-gram hashes of all orders are one small matrix product over a strided view of the cleaned
  text's code points, bucketed by three in-place operations;
* word features (whole-word bucket, ``charhash.v2`` word shapes, letters per script) are looked up
  per distinct word;
* the weight rows of the word shapes, words and n-grams are one gather and one dot product with their
  values (``morph``, then ones); a single space's unigram, which counts for nothing, is taken back out
  on the 7 sums; calibration and softmax run on 7 Python floats.

The word memo holds at most ``_MEMO_SIZE`` words per model and is emptied when full; no result
depends on it.

The per-model structures are built on first use from the loaded arrays, so any model of the same
format (a retrained one too) works. ``tests/text/langid/test_langid_fast.py`` checks that the result
equals the batch path (to 1e-6) on a table of texts in every script, with URLs, digits, elongation,
diacritics, emoji and code-switching, and on real lines of every shared corpus.
"""

from __future__ import annotations

import math
import re
from functools import cache
from operator import mul
from typing import Any

import numpy as np

from aimm_nlp.text.langid._encode import _DIGIT, _MASK_RE, _MUL, SPACE, P, _lut, may_mask
from aimm_nlp.text.langid._morph import (
    DARIJA_MARKERS,
    DARIJA_WORDS,
    FEATURES,
    MSA_FUNCTION_WORDS,
    PATTERN_EXCEPTIONS,
    _hash_set,
    feature_bucket,
)

__all__ = ["clean", "logits_one", "predict_one"]

_DROP = "\x01"  # stands for a dropped character (diacritic, tatweel) until the squeeze is done
_DIGITS = "".join(chr(_DIGIT + d) for d in range(10))
_LONE_DIGIT = re.compile(f"(?<![^\\x00-\\x20{_DIGITS}])[{_DIGITS}](?![^\\x00-\\x20{_DIGITS}])")
_ANY_DIGIT = re.compile(f"[{_DIGITS}]")
_RUN3 = re.compile(r"(.)\1\1+", re.DOTALL)
_SPACES = re.compile(" {2,}")
_M32 = 0xFFFFFFFF
#: Distinct words kept per model; the memo is emptied when full (memory stays bounded).
_MEMO_SIZE = 200_000


def _two(m: re.Match) -> str:
    return m.group(1) * 2


@cache
def _table() -> np.ndarray:
    """``_lut`` over every code point (above the BMP: a space), dropped characters as ``_DROP``, as
    ``uint16`` (every cleaned code point is in the BMP): one gather cleans a text's characters."""
    table = np.full(0x110000, SPACE, dtype=np.uint16)
    lut = _lut()
    table[:0x10000] = np.where(lut == -1, ord(_DROP), lut)
    return table


def clean(text: str) -> str:
    """``text`` cleaned as ``prepare([text])`` does, as a ``str`` ending with the separator ``\x00``."""
    s = " " + text.replace("\x00", " ") + " \x00"
    if may_mask(s):
        s = _MASK_RE.sub(" ", s)
    cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    s = _table().take(cps).tobytes().decode("utf-16-le")
    if _ANY_DIGIT.search(s):
        s = _LONE_DIGIT.sub(" ", s)
    if _RUN3.search(s):
        s = _RUN3.sub(_two, s)
    if "  " in s:
        s = _SPACES.sub(" ", s)
    return s.replace(_DROP, "") if _DROP in s else s


@cache
def _hashes(words: frozenset) -> frozenset:
    return frozenset(int(h) for h in _hash_set(words))


_POWERS = [pow(int(P), j, 1 << 32) for j in range(64)]


def _word_hash(word: str) -> int:
    """The hash of ``_encode.word_hashes``: sum of code point j times ``P**j``, modulo 2**32."""
    if len(word) <= len(_POWERS):
        return sum(map(mul, map(ord, word), _POWERS)) & _M32
    h = 0
    for ch in reversed(word):
        h = (h * int(P) + ord(ch)) & _M32
    return h


# Letter classes of the patterns (``_morph``): ka-/ta-, person prefixes, w-/f-, ka-/ta-/gha-, long vowels.
_KT, _YTN, _WF, _KTG, _LONG = "كت", "يتن", "وف", "كتغ", "اويى"


def _shapes(word: str) -> tuple[int, ...]:
    """Indices (into ``_morph.FEATURES``) of the pattern features 2..8 this Arabic word shows."""
    n = len(word)
    c = word + "    "
    kt, ytn, wf, ktg, long_ = _KT, _YTN, _WF, _KTG, _LONG
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
    return tuple(out)


def _word(word: str, p: _OneText) -> tuple[int, tuple[int, ...], int]:
    """(the word's bucket, the buckets of the word shapes it shows, its letters per script packed in one
    int, 32 bits per script) for one cleaned word."""
    h = _word_hash(word)
    shapes: tuple[int, ...] = ()
    if p.morph and "\u0600" <= word[0] < "\u0700":
        listed = (0,) if h in p.darija else ()
        listed += (1,) if h in p.msa else ()
        shapes = listed if h in p.exceptions else listed + _shapes(word)
    letters = len(word) << 32 if word.isascii() else sum(map(p.letter.__getitem__, map(ord, word)))
    return (
        ((h ^ _WORD_SALT) * int(_MUL) & _M32) >> (32 - p.bits),
        tuple([p.shape_buckets[i] for i in shapes]) if shapes else (),
        letters,
    )


_WORD_SALT = 99 * 0x9E3779B1 & _M32  # the salt of whole-word buckets (``_features.featurize``)


class _OneText:
    """What one-text scoring needs of a model, built once per loaded model from its arrays."""

    def __init__(self, model: Any) -> None:
        top = max(model.orders)
        k = np.arange(1, top + 1, dtype=np.uint64)
        self.top, self.pad, self.bits = top, "\x00" * (top - 1), model.bits
        self.salt = ((k * 0x9E3779B1) & _M32).astype(np.uint32)
        self.used = np.array([o in model.orders for o in range(1, top + 1)])
        self.n_used = int(self.used.sum())
        # the n-grams of the last ``top`` positions that reach the separator (tail[r, k]: order k + 1)
        self.tail = np.add.outer(np.arange(top), np.arange(top)) >= top - 1
        self.salts_shifts = self._salts_shifts(1024)
        # powers[j, k] = P**(k - j) (mod 2**32) for j <= k: ``windows @ powers`` gives every order's hash
        self.powers = np.zeros((top, top), dtype=np.uint32)
        for col in range(top):
            for j in range(col + 1):
                self.powers[j, col] = pow(int(P), col - j, 1 << 32)
        self.weights, self.bias = model.weights, model.bias.tolist()
        self.words, self.morph = model.words, model.morph
        self.shape_buckets = [feature_bucket(i, model.bits) for i in range(len(FEATURES))]
        # A single space's unigram counts for nothing: its weight row, subtracted once per space.
        space = ((SPACE ^ int(self.salt[0])) * int(_MUL) & _M32) >> (32 - model.bits)
        self.space_row = model.weights[space].tolist() if 1 in model.orders else [0.0] * len(model.labels)
        # feature values: (h, the values of h word-shape features (``morph``) then of n-grams and words (1))
        self.values = (_SHAPES_MAX, np.concatenate((np.full(_SHAPES_MAX, model.morph), np.ones(4096))))
        # per cleaned code point: 1 << (32 * script index) for a letter of a script (cleaned ASCII: a-z)
        steps = (0, 1, 1 << 32, 1 << 64)  # one int object each, shared by the 65,536 entries
        self.letter = [steps[x] for x in model.script_lut.tolist()]
        self.darija, self.msa = _hashes(DARIJA_MARKERS | DARIJA_WORDS), _hashes(MSA_FUNCTION_WORDS)
        self.exceptions = _hashes(PATTERN_EXCEPTIONS)
        temp, bias = model._calib
        self.temps = temp.tolist()
        self.columns = list(zip(self.space_row, self.bias, bias.tolist(), strict=True))  # per class
        self.allowed = [row.tolist() for row in model._mask]
        self.memo: dict[str, tuple[int, tuple[int, ...], int]] = {}

    def _salts_shifts(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """(salt, right shift) of every n-gram of a (``rows`` positions x orders) row-major matrix whose
        last row is the separator's. The shift is 32 (bucket 0, whose weight is 0) for unused orders and
        for the n-grams of the last ``top`` positions that reach the separator: they count as features
        (as in the batch path) but add nothing. A text of ``n`` positions takes the last ``n`` rows."""
        shifts = np.full((rows, self.top), 32 - self.bits, dtype=np.uint32)
        shifts[-self.top :][self.tail] = 32
        shifts[:, ~self.used] = 32
        return np.tile(self.salt, rows), shifts.ravel()


_SHAPES_MAX = 256  # word-shape features of one text that fit the head of ``_OneText.values`` at first


def _one_text(model: Any) -> _OneText:
    got = model.__dict__.get("_one_text")
    if got is None:
        got = model.__dict__["_one_text"] = _OneText(model)
    return got


def _sums(p: _OneText, text: str) -> tuple[list[float], int, list[int], int]:
    """(summed feature weights per class, with each single space's unigram; number of features; letters per
    script (3); number of single spaces) of ``text``."""
    s = clean(text)
    n, top = len(s), p.top  # the last code is the separator
    win = np.ndarray((n, top), np.uint32, (s + p.pad).encode("utf-32-le"), 0, (4, 4))
    b = win @ p.powers  # (n, top): the hash of the n-gram of order k + 1 at i (wraps mod 2**32)
    flat = b.ravel()  # 1-d operations: about twice as fast as broadcasting a row
    salts, shifts = p.salts_shifts
    if len(salts) < len(flat):  # grown, never shrunk (one swap: thread-safe)
        p.salts_shifts = salts, shifts = p._salts_shifts(2 * n)
    np.bitwise_xor(flat, salts[: len(flat)], out=flat)
    np.multiply(flat, _MUL, out=flat)
    np.right_shift(flat, shifts[len(shifts) - len(flat) :], out=flat)  # bucket 0 where the shift is 32
    words = s[:-1].split()
    memo = p.memo
    got = list(map(memo.get, words))
    if None in got:
        if len(memo) > _MEMO_SIZE:
            memo.clear()
        for i, g in enumerate(got):
            if g is None:
                got[i] = memo[words[i]] = _word(words[i], p)
    head = [i for g in got if g[1] for i in g[1]] if p.morph else []  # word shapes: value ``morph``
    n_shapes = len(head)
    if p.words:
        head += [g[0] for g in got]
    grams = np.concatenate((head, b.ravel())) if head else b.ravel()
    total = len(grams)
    h, values = p.values
    if n_shapes > h or total - n_shapes > len(values) - h:  # grown, never shrunk (one swap: thread-safe)
        h = max(h, n_shapes)
        p.values = h, values = h, np.concatenate((np.full(h, p.morph), np.ones(2 * total)))
    summed = np.dot(values[h - n_shapes : h - n_shapes + total], p.weights.take(grams, axis=0)).tolist()
    packed = sum([g[2] for g in got])
    n_feats = n * p.n_used + (len(words) if p.words else 0) + n_shapes
    return summed, n_feats, [packed & _M32, (packed >> 32) & _M32, packed >> 64], s.count(" ")


def _logits(p: _OneText, text: str, shift: np.ndarray | None) -> tuple[list[float], int, list[int]]:
    """(calibrated logits shifted by ``shift``, dominant-script index, letters per script) of ``text``."""
    summed, n_feats, c, n_spaces = _sums(p, text)
    script = c.index(max(c)) if c[0] + c[1] + c[2] else 3
    norm = math.sqrt(max(n_feats, 1))  # the same IEEE operations as the batch path, in the same order
    t = p.temps[script]
    # the single spaces' unigrams taken back out first (``x - 0 * w`` is ``x``)
    row = [((x - n_spaces * w) / norm + b) / t + cb for x, (w, b, cb) in zip(summed, p.columns, strict=True)]
    if shift is not None:
        row = [x + d for x, d in zip(row, shift.tolist(), strict=True)]
    return row, script, c


def logits_one(
    model: Any, text: str, shift: np.ndarray | None = None, *, calibrated: bool = True
) -> tuple[list[float], int, list[int]]:
    """``Model.logits`` of one text as Python values: (logits, calibrated and shifted by ``shift`` unless
    ``calibrated=False``; dominant-script index; letters per script (3))."""
    p = _one_text(model)
    if calibrated:
        return _logits(p, text, shift)
    summed, n_feats, c, n_spaces = _sums(p, text)
    script = c.index(max(c)) if c[0] + c[1] + c[2] else 3
    norm = math.sqrt(max(n_feats, 1))
    return [(x - n_spaces * w) / norm + b for x, (w, b, _) in zip(summed, p.columns, strict=True)], script, c


def predict_one(model: Any, text: str, shift: np.ndarray | None = None) -> tuple[list[float], int, int]:
    """``Model.predict_proba`` of one text: (probabilities as a list, script index, number of letters)."""
    p = _one_text(model)
    row, script, c = _logits(p, text, shift)
    allowed = p.allowed[script]
    top = max([x for x, ok in zip(row, allowed, strict=True) if ok])
    exps = [math.exp(x - top) if ok else 0.0 for x, ok in zip(row, allowed, strict=True)]
    total = sum(exps)
    return [e / total for e in exps], script, c[0] + c[1] + c[2]
