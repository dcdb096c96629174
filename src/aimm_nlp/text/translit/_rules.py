"""Arabizi -> Arabic-script Darija: grapheme rules generate spellings, a char n-gram model ranks them.

The rule table (``maps/arabizi.json``) lists, for every Latin grapheme (``3``,
``7``, ``kh``, ``ou``, ``ch``…), the Arabic strings it can stand for with a
cost; word-initial and word-final positions have their own lists (``el-`` is
the article, final ``-a`` may be ة). A doubled consonant (``bzzaf``) is
written once by default. A beam search walks the word left to right and
scores every partial spelling with ``rule cost + lm_weight * -log P_char`` under
the character model of Arabic-script Darija; a spelling attested in the
model's word list earns a bonus. The function-word lexicon short-cuts the
search for the most frequent words.
"""

from __future__ import annotations

import heapq
import json
from functools import lru_cache
from typing import Any

from aimm_nlp.text._pkgdata import read_text
from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables

__all__ = ["RuleTable", "load_rule_table", "rank_rules"]

_CONSONANTS = "bdfhjklmnqrstvwxyzDHSTZ"
SHADDA = "\u0651"


class RuleTable:
    """The compiled grapheme table: ``options(word, i)`` -> ``[(length, arabic, cost), …]``."""

    def __init__(self, data: dict[str, Any]) -> None:
        graphemes: dict[str, list[tuple[str, float]]] = {
            g: [(a, float(c)) for a, c in opts] for g, opts in data["graphemes"].items()
        }
        gem = data["gemination_cost"]
        for ch in _CONSONANTS:
            if ch in graphemes and ch + ch not in graphemes:
                base = graphemes[ch]
                graphemes[ch + ch] = (
                    [(a, c + gem["single"]) for a, c in base]
                    + [(a + SHADDA, c + gem["shadda"]) for a, c in base if len(a) == 1]
                    + [(a + a, c + gem["double"]) for a, c in base if a]
                )
        self.graphemes = graphemes
        self.initial = {g: [(a, float(c)) for a, c in o] for g, o in data["initial"].items()}
        self.before_geminate = {g: [(a, float(c)) for a, c in o] for g, o in data["before_geminate"].items()}
        self.final = {g: [(a, float(c)) for a, c in o] for g, o in data["final"].items()}
        self.max_len = max(map(len, [*graphemes, *self.initial, *self.final]))
        self.lexicon: dict[str, str] = dict(data["lexicon"])

    def options(self, word: str, i: int) -> list[tuple[int, str, float]]:
        """Every grapheme starting at ``word[i]``, with its Arabic readings and costs."""
        out: list[tuple[int, str, float]] = []
        n = len(word)
        for length in range(min(self.max_len, n - i), 0, -1):
            g = word[i : i + length]
            opts = None
            if i == 0:
                opts = self.initial.get(g)
            if opts is None and i + length == n:
                opts = self.final.get(g)
            if (
                opts is None
                and i + length + 1 < n
                and word[i + length] == word[i + length + 1]
                and word[i + length] in _CONSONANTS
            ):
                opts = self.before_geminate.get(g)
            if opts is None:
                opts = self.graphemes.get(g)
            if opts is None and g != g.lower():
                opts = self.graphemes.get(g.lower())
            if opts is not None:
                out.extend((length, a, c) for a, c in opts)
        if not out:  # a letter no rule knows: keep it as it is
            out.append((1, word[i], 0.0))
        return out


@lru_cache(maxsize=1)
def rule_table_text() -> str:
    """The shipped ``arabizi.v1`` table's JSON text."""
    return read_text("maps/arabizi.json")


def load_rule_table() -> RuleTable:
    """The shipped ``arabizi.v1`` table."""
    return RuleTable(json.loads(rule_table_text()))


def _case_fold(word: str) -> str:
    """Capitals mid-word mark emphatics (``tkhSiS``); a capitalised or all-caps word is just case."""
    if word[1:].islower() or word.isupper() or word[1:] == word[1:].lower():
        return word.lower()
    return word[0].lower() + word[1:]


def rank_rules(
    word: str,
    *,
    table: RuleTable,
    lm: NgramTables,
    vocab: dict[str, float],
    k: int = 5,
    beam: int = 12,
    lm_weight: float = 1.0,
    vocab_bonus: float = 3.0,
) -> list[tuple[str, float]]:
    """Rank Arabic spellings of one Arabizi ``word``; lower score is better.

    Args:
        word: one Latin-script token (letters, digits, apostrophes).
        table: the grapheme rules.
        lm: character model of Arabic-script Darija (string keys).
        vocab: attested Arabic-script words -> bonus scale in [0, 1].
        k: how many candidates to return.
        beam: hypotheses kept per input position.
        lm_weight: weight of the character model against the rule costs.
        vocab_bonus: subtracted (times the word's scale) for attested spellings.

    Returns:
        Up to ``k`` ``(arabic, score)`` pairs, best first, distinct spellings.
    """
    w = _case_fold(word)
    hit = table.lexicon.get(w)
    if hit is not None and k == 1:
        return [(hit, 0.0)]
    n = len(w)
    # hyps[i]: {output: (score, lm_context)}; identical outputs merge (keep best).
    hyps: list[dict[str, tuple[float, str]]] = [{} for _ in range(n + 1)]
    hyps[0][""] = (0.0, BOS)
    extend = lm.extend
    for i in range(n):
        layer = hyps[i]
        if not layer:
            continue
        best = (
            heapq.nsmallest(beam, layer.items(), key=lambda kv: kv[1][0])
            if len(layer) > beam
            else layer.items()
        )
        for length, arab, cost in table.options(w, i):
            target = hyps[i + length]
            for out, (score, ctx) in best:
                # The character model never saw diacritics: score the letters, not the shadda.
                lp, new_ctx = extend(ctx, arab.replace(SHADDA, "") if SHADDA in arab else arab)
                s = score + cost - lm_weight * lp
                new = out + arab
                old = target.get(new)
                if old is None or s < old[0]:
                    target[new] = (s, new_ctx)
    final: list[tuple[str, float]] = []
    for out, (score, ctx) in hyps[n].items():
        s = score - lm_weight * lm.score(ctx, EOS) - vocab_bonus * vocab.get(out, 0.0)
        final.append((out, s))
    final.sort(key=lambda t: t[1])
    if hit is not None:
        final = [(hit, final[0][1] - 1.0 if final else 0.0)] + [c for c in final if c[0] != hit]
    return [(a, round(s, 4)) for a, s in final[:k]]
