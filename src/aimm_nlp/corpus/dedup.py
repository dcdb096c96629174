"""Exact and near-duplicate detection: text hashes and MinHash LSH (``datasketch``).

Signatures are pure functions of the text (fixed seed and permutations), so they are
computed in parallel with ``Dataset.map(num_proc=...)``; the LSH index is then filled
in one ordered pass, keeping the first document of every near-duplicate cluster.
That makes the result independent of ``num_proc`` and identical in streaming mode.

Shingles are character 5-grams of the case-folded text with punctuation, emoji and
spacing removed: tweets are too short for word n-grams, and a retweet that only
adds ``!!!`` or an emoji must still match. A candidate from the LSH index counts
as a duplicate only if the estimated Jaccard similarity reaches the threshold.

Memory: the index holds, per kept document, its band keys and its signature
(``num_perm`` x 4 bytes, 512 B by default): about 1.5 KB per kept document.

Examples:
    >>> near = NearDuplicates(threshold=0.8)
    >>> a = "واش نتا مزيان؟ الله يعطيك الصحة بزاف على هاد الخدمة"
    >>> b = "واش نتا مزيان!!! الله يعطيك الصحة بزاف على هاد الخدمة 👍"
    >>> near.seen(signature(a)), near.seen(signature(b)), near.seen(signature("salam labas 3lik a khoya"))
    (False, True, False)
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import numpy as np
import regex

__all__ = ["NUM_PERM", "NearDuplicates", "shingles", "signature", "signature_batch", "text_hash"]

NUM_PERM = 128
SHINGLE = 5
_SEED = 1
_NOT_WORD = regex.compile(r"[\W_]+")


def text_hash(text: str) -> int:
    """A 64-bit hash of the (already normalized) text, for exact duplicates."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def shingles(text: str, n: int = SHINGLE) -> set[bytes]:
    """Character ``n``-grams of the case-folded text without punctuation or emoji."""
    core = " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
    if len(core) <= n:
        return {core.encode("utf-8")}
    return {core[i : i + n].encode("utf-8") for i in range(len(core) - n + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=_SEED).permutations


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash signature of ``text`` (``uint32[num_perm]``)."""
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=_SEED, permutations=_permutations(num_perm), scheme="affine32")
    m.update_batch(list(shingles(text)))
    return m.hashvalues.astype(np.uint32)


def signature_batch(batch: dict[str, list[Any]], num_perm: int = NUM_PERM) -> dict[str, list[Any]]:
    """``Dataset.map`` function: add a ``_sig`` column of MinHash signatures."""
    return {"_sig": [signature(t, num_perm) for t in batch["text"]]}


class NearDuplicates:
    """An ordered MinHash LSH index: ``seen(sig)`` is True for a near-duplicate of an earlier text.

    Args:
        threshold: Jaccard similarity of character 5-grams at or above which two texts are duplicates.
        num_perm: signature length (must match :func:`signature`).
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = NUM_PERM) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        # Favour recall in the banding (weights): candidates are verified below, so false positives are cheap.
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.05, 0.95))
        self._sigs: dict[int, bytes] = {}

    def seen(self, sig: np.ndarray) -> bool:
        """Query, and insert ``sig`` when it is new. Returns True if it duplicates an earlier one."""
        from datasketch import LeanMinHash

        sig = np.asarray(sig, dtype=np.uint32)
        mh = LeanMinHash(seed=_SEED, hashvalues=sig.astype(np.uint64), scheme="affine32")
        for key in self._lsh.query(mh):
            other = np.frombuffer(self._sigs[key], dtype=np.uint32)
            if np.count_nonzero(other == sig) >= self.threshold * self.num_perm:
                return True
        key = len(self._sigs)
        self._sigs[key] = sig.tobytes()
        self._lsh.insert(key, mh, check_duplication=False)
        return False
