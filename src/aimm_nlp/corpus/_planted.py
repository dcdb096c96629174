"""Planted near-duplicates: a labelled set to measure near-dedup precision and recall.

Used by ``tests/corpus`` and ``benchmarks/bench_corpus.py``. Base documents are made
pairwise dissimilar (true Jaccard < ``max_base_jaccard`` on the shingles dedup uses,
checked on every LSH candidate pair), then ``n`` of them get a copy with realistic
tweet edits (emoji, punctuation, elongation, a typo, a dropped or repeated word)
whose true Jaccard with its original, after normalization, is at least ``min_jaccard``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from aimm_nlp.corpus.dedup import shingles

__all__ = ["jaccard", "plant_near_duplicates"]

_SUFFIXES = (" 😂😂", " !!!", " 👍", " ❤️❤️", "...", " ؟؟", " hhhh", " 🙏")


def jaccard(a: str, b: str) -> float:
    """True Jaccard similarity of the dedup shingles of ``a`` and ``b``."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def _edit(text: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    words = text.split()
    if kind == 0:
        return text + rng.choice(_SUFFIXES)
    if kind == 1:  # elongation, folded back by the normalizer
        i = rng.randrange(len(text))
        return text[: i + 1] + text[i] * 4 + text[i + 1 :] if text[i].isalpha() else text + "!!"
    if kind == 2 and len(text) > 2:  # typo: swap two neighbouring characters
        i = rng.randrange(len(text) - 1)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 3 and len(words) > 6:  # drop one word
        i = rng.randrange(len(words))
        return " ".join(words[:i] + words[i + 1 :])
    if kind == 4 and len(words) > 3:  # repeat one word
        i = rng.randrange(len(words))
        return " ".join(words[: i + 1] + words[i:])
    return text.replace(" ", "  ", 1) + " " + rng.choice(_SUFFIXES).strip()


def _dissimilar(texts: Sequence[str], max_jaccard: float) -> list[str]:
    from datasketch import LeanMinHash, MinHashLSH

    from aimm_nlp.corpus.dedup import NUM_PERM, signature

    lsh, kept = MinHashLSH(threshold=max(0.3, max_jaccard - 0.2), num_perm=NUM_PERM), []
    for text in dict.fromkeys(texts):
        mh = LeanMinHash(seed=1, hashvalues=signature(text).astype("uint64"), scheme="affine32")
        if any(jaccard(text, kept[k]) >= max_jaccard for k in lsh.query(mh)):
            continue
        lsh.insert(len(kept), mh)
        kept.append(text)
    return kept


def plant_near_duplicates(
    texts: Sequence[str],
    *,
    n: int,
    seed: int = 0,
    min_chars: int = 40,
    min_jaccard: float = 0.85,
    max_base_jaccard: float = 0.5,
    preset: str = "auto",
) -> tuple[list[str], set[int]]:
    """Return ``(docs, planted)``: dissimilar base documents followed by ``n`` near-duplicate copies.

    ``planted`` holds the indices (in ``docs``) of the copies; each copy comes after its original.
    """
    from aimm_nlp.text.normalize import normalize

    rng = random.Random(seed)
    base = _dissimilar([t for t in texts if len(normalize(t, preset=preset)) >= min_chars], max_base_jaccard)
    copies = []
    for original in rng.sample(base, min(n, len(base))):
        for _ in range(8):
            copy = _edit(original, rng)
            if rng.random() < 0.5:
                copy = _edit(copy, rng)
            sim = jaccard(normalize(original, preset=preset), normalize(copy, preset=preset))
            if copy != original and sim >= min_jaccard:
                copies.append(copy)
                break
    rng.shuffle(copies)
    return base + copies, set(range(len(base), len(base) + len(copies)))
