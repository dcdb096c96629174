"""Per-word evidence that a Latin-script token in Arabizi text is not Darija.

Independent of language identification on purpose: the decision is per word
and every verdict carries its reason, so a user can see why ``réunion`` stayed
Latin and ``3afak`` did not. Evidence, strongest first:

1. token kind: URLs, e-mails, @mentions, #hashtags, numbers and emoji are never words;
2. an Arabizi digit between letters (``3afak``, ``m3a``) -> Darija;
3. the Darija collision list (``la``, ``ma``, ``men``, ``had``) and the
   function-word lexicon -> Darija;
4. a letter Arabizi never uses (é, ç, è, œ…) -> foreign;
5. the French/English lexicon (``maps/foreign.json``) -> foreign;
6. a foreign suffix (``-tion``, ``-ment``, ``-ing``) or the per-character
   log-likelihood ratio of two character 4-gram models (French+English vs
   Arabizi tweets) above a threshold -> foreign;
7. otherwise Darija.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from aimm_nlp.text._translit_ngram import BOS, EOS, NgramTables

__all__ = ["ForeignDetector", "WordEvidence", "load_foreign_data"]

_DIGIT_IN_WORD = re.compile(r"[a-zA-Z][235789]|[235789][a-zA-Z]")


@dataclass(frozen=True)
class WordEvidence:
    """Why one Latin-script word was judged foreign (kept verbatim) or Darija (transliterated).

    Attributes:
        foreign: True when the word is kept verbatim under ``keep_foreign``.
        reason: ``arabizi_digit``, ``darija_lexicon``, ``accent``, ``foreign_lexicon``,
            ``foreign_suffix``, ``char_ngram``, ``foreign_context`` (a French article such
            as ``la`` before a foreign word) or ``default``.
        score: per-character log-likelihood ratio foreign vs Arabizi (0.0 when not computed).
    """

    foreign: bool
    reason: str
    score: float = 0.0


@lru_cache(maxsize=1)
def load_foreign_data() -> dict:
    """The shipped ``foreign.v1`` lexicons."""
    return json.loads(resources.files("aimm_nlp.text").joinpath("maps/foreign.json").read_text("utf-8"))


class ForeignDetector:
    """Decide per word; ``decide(word)`` is cached."""

    def __init__(self, foreign_lm: NgramTables, arabizi_lm: NgramTables, darija_words: set[str]) -> None:
        data = load_foreign_data()
        self.foreign_words = {w.lower() for w in data["foreign"]}
        self.darija_words = {w.lower() for w in data["darija"]} | {w.lower() for w in darija_words}
        self.accents = set(data["accents"])
        self.suffixes = tuple(data["foreign_suffixes"])
        self.threshold = float(data["char_lm_threshold"])
        self.min_len = int(data["min_len_char_lm"])
        self.foreign_lm = foreign_lm
        self.arabizi_lm = arabizi_lm
        self.decide = lru_cache(maxsize=1 << 16)(self._decide)

    def llr(self, word: str) -> float:
        """Per-character log-likelihood ratio, foreign vs Arabizi (positive = looks foreign)."""
        diff = 0.0
        for lm, sign in ((self.foreign_lm, 1.0), (self.arabizi_lm, -1.0)):
            ctx = BOS
            for ch in word + EOS:
                diff += sign * lm.score(ctx, ch)
                ctx = (ctx + ch)[-(lm.order - 1) :]
        return round(diff / (len(word) + 1), 4)

    def _decide(self, word: str) -> WordEvidence:
        w = word.lower().replace("’", "'")
        if _DIGIT_IN_WORD.search(w):
            return WordEvidence(False, "arabizi_digit")
        if w in self.darija_words:
            return WordEvidence(False, "darija_lexicon")
        if any(ch in self.accents for ch in w):
            return WordEvidence(True, "accent")
        if w in self.foreign_words or ("'" in w and w.split("'", 1)[1] in self.foreign_words):
            return WordEvidence(True, "foreign_lexicon")
        if len(w) < self.min_len:
            return WordEvidence(False, "default")
        score = self.llr(w)
        if w.endswith(self.suffixes) and score > 0.0:
            return WordEvidence(True, "foreign_suffix", score)
        if score > self.threshold:
            return WordEvidence(True, "char_ngram", score)
        return WordEvidence(False, "default", score)
