"""Scoring transliterations: CER (folded and strict) and word-exact, overall and per source.

*Folded* CER compares letters only: it drops diacritics (incl. shadda) and
tatweel, folds alef variants (أ إ آ ٱ -> ا), alef maqsura (ى -> ي) and teh
marbuta (ة -> ه), and removes spaces and punctuation. *Strict* CER compares
the NFC text with whitespace collapsed, every character counted. Word-exact is
the share of reference words reproduced exactly (folded), matched by position
when both sides have the same number of words, else by longest common
subsequence.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from aimm_nlp._distance import edit_distance

__all__ = ["Scores", "edit_distance", "fold", "score"]

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_NON_LETTER = re.compile(r"[\W_]+")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def fold(text: str, *, keep_spaces: bool = False) -> str:
    """The folded form used by folded CER (``keep_spaces`` for word splitting)."""
    text = _MARKS.sub("", unicodedata.normalize("NFC", text)).translate(_FOLD)
    if keep_spaces:
        return " ".join(_NON_LETTER.sub(" ", text).split())
    return _NON_LETTER.sub("", text)


def _strict(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Scores:
    """Aggregated scores of one system on one set of pairs."""

    n: int
    cer_folded: float
    cer_strict: float
    word_exact: float

    def to_dict(self) -> dict[str, float]:
        """Rounded plain dict for JSON."""
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _word_hits(hyp: str, ref: str) -> tuple[int, int]:
    h, r = fold(hyp, keep_spaces=True).split(), fold(ref, keep_spaces=True).split()
    if len(h) == len(r):
        return sum(a == b for a, b in zip(h, r, strict=True)), len(r)
    blocks = difflib.SequenceMatcher(a=h, b=r, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks), len(r)


def score(
    hyps: Sequence[str], refs: Sequence[str], *, sources: Sequence[str] | None = None
) -> tuple[Scores, dict[str, Scores]]:
    """Score system outputs against references; returns overall and per-source scores."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for i, (hyp, ref) in enumerate(zip(hyps, refs, strict=True)):
        fh, fr = fold(hyp), fold(ref)
        sh, sr = _strict(hyp), _strict(ref)
        hits, words = _word_hits(hyp, ref)
        row = (edit_distance(fh, fr), len(fr), edit_distance(sh, sr), len(sr), hits, words)
        keys = ("", sources[i]) if sources and sources[i] else ("",)
        for key in keys:
            a = acc[key]
            for j, v in enumerate(row):
                a[j] += v

    def make(a: list[int], n: int) -> Scores:
        return Scores(n, a[0] / max(a[1], 1), a[2] / max(a[3], 1), a[4] / max(a[5], 1))

    counts: dict[str, int] = defaultdict(int)
    for s in sources or []:
        counts[s] += 1
    overall = make(acc[""], len(refs))
    per = {k: make(v, counts[k]) for k, v in sorted(acc.items()) if k}
    return overall, per
