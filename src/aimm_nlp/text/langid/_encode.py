"""Cleaning and hashing of language-ID input: a batch becomes one ``uint32`` codepoint array.

Shared by the n-gram features (:mod:`._features`) and the word-shape features (:mod:`._morph`):
lowercase, drop diacritics/tatweel, mask URLs/@users/emoji/punctuation and digit-only tokens,
squeeze elongations and spaces; then word hashes and hash buckets.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

__all__ = ["SEP", "SPACE", "P", "bucket", "may_mask", "prepare", "word_hashes"]

SPACE = _SPACE = 32
SEP = _SEP = 0  # sentence separator; an n-gram that contains it is discarded
_MASK_RE = re.compile(r"[hHwW@#](?:(?<=[hH])[tT][tT][pP][sS]?://\S+|(?<=[wW])[wW][wW]\.\S+|(?<=[@#])[\w.]+)")
_DIGIT = 0xE000  # ASCII digits move to the private-use area so "letter" tests stay simple
P = _P = np.uint32(1_000_003)
_MUL = np.uint32(0x9E3779B1)  # Fibonacci hashing multiplier


@lru_cache(maxsize=1)
def _lut() -> np.ndarray:
    """Codepoint -> cleaned codepoint for the BMP (``0xFFFF`` stands for everything above).

    Letters are lowercased, Arabic diacritics and tatweel map to ``-1`` (dropped),
    ASCII digits stay (Arabizi writes ع as 3), everything else becomes a space.
    """
    table = np.full(0x10000, _SPACE, dtype=np.int32)
    for cp in range(0xFFFF):
        ch = chr(cp)
        if ch.isalpha():
            low = ch.lower()
            table[cp] = ord(low) if len(low) == 1 else cp
        elif ch.isdigit() and cp < 0x80:
            table[cp] = _DIGIT + cp - 48
    table[[*range(0x064B, 0x0653), 0x0670, 0x0640, *range(0x0300, 0x0370)]] = -1
    # Arabic-script variants that spelling habits, not language, decide.
    for src, dst in {"ک": "ك", "ی": "ي", "ۃ": "ة", "ے": "ي"}.items():
        table[ord(src)] = ord(dst)
    table[_SEP] = _SEP
    return table


def prepare(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Clean a batch: return (codes, offsets) with ``codes[offsets[i]:offsets[i+1]]`` = text i.

    Each cleaned text is `` words `` followed by the separator code. Digits count as
    letters only next to a letter (``3likom`` keeps its 3, ``2024`` disappears).
    """
    table = _lut()
    joined = "".join([" " + t.replace("\x00", " ") + " \x00" for t in texts])
    if may_mask(joined):
        joined = _MASK_RE.sub(" ", joined)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = table[np.minimum(cps, 0xFFFF)]
    digit = (codes >= _DIGIT) & (codes < _DIGIT + 10)
    if digit.any():
        alpha = (codes > _SPACE) & ~digit
        near = np.zeros(len(codes), dtype=bool)
        near[1:] |= alpha[:-1]
        near[:-1] |= alpha[1:]
        codes[digit & ~near] = _SPACE
    keep = codes != -1
    same1 = np.zeros(len(codes), dtype=bool)
    same1[1:] = codes[1:] == codes[:-1]
    same2 = np.zeros(len(codes), dtype=bool)
    same2[2:] = same1[2:] & same1[1:-1]
    keep &= ~(same2 | (same1 & (codes == _SPACE)))
    codes = codes[keep].astype(np.uint32)
    ends = np.flatnonzero(codes == _SEP) + 1
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = ends
    return codes, offsets


def may_mask(text: str) -> bool:
    """False when ``_MASK_RE`` cannot match ``text`` (each match holds ``@``, ``#``, ``://`` or ``w.``/``W.``),
    a cheap test that skips the regex; it depends on nothing but ``text`` in any letter case, so a text
    is masked alike alone, in any batch and in the one-text path."""
    return "@" in text or "#" in text or "://" in text or "w." in text or "W." in text


def bucket(h: np.ndarray, salt: int, bits: int) -> np.ndarray:
    return ((h ^ np.uint32(salt * 0x9E3779B1 & 0xFFFFFFFF)) * _MUL) >> np.uint32(32 - bits)


def word_hashes(codes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (word starts, uint32 word hashes, per-text word offsets) of a prepared batch.

    A word is a maximal run of non-space, non-separator codes; its hash does not depend
    on where it stands.
    """
    blank = (codes == _SPACE) | (codes == _SEP)
    n = len(codes)
    starts = np.flatnonzero(~blank & np.concatenate(([True], blank[:-1])))
    indptr = np.searchsorted(starts, offsets)
    if len(starts) == 0:
        return starts, np.zeros(0, dtype=np.uint32), indptr
    # Position-weighted sum with powers of an odd constant, re-based at each word start
    # (odd numbers are invertible modulo 2**32, so the hash does not depend on position).
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(n, _P, dtype=np.uint32), dtype=np.uint32)
        inv = np.cumprod(np.full(n, _inverse(int(_P)), dtype=np.uint32), dtype=np.uint32)
        weighted = np.where(blank, np.uint32(0), codes * powers)
        # reduceat sums up to the next word start, i.e. through the trailing blanks (weight 0).
        h = np.add.reduceat(weighted, starts, dtype=np.uint32) * inv[starts]
    return starts, h, indptr


def _inverse(x: int) -> np.uint32:
    """Multiplicative inverse of an odd number modulo 2**32 (Newton iteration)."""
    inv = x
    for _ in range(5):
        inv = (inv * (2 - x * inv)) % (1 << 32)
    return np.uint32(inv)
