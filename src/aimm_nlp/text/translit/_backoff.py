"""Back-off of a trained joint model to the shipped ranker, and the held-out split that measures it.

A trained model decides a word in this order:

1. the word was in its training pairs (the Latin spelling, elongation squeezed): the training
   spelling seen most often (the user's own convention);
2. the shipped ranker's spelling is a word of its Darija word list and the rule says ``guard``: the
   shipped spelling;
3. the joint model's best spelling has a posterior (over its top 5) of at least ``min_prob``: that;
4. otherwise the shipped ranker's spelling.

``min_prob`` and ``guard`` are chosen by cross-validation on the training pairs only (folds by target
word, so each fold's words are unseen by the model scoring them); ``min_prob = 1.01`` (never the joint
model) is among the choices, so the rule chosen is never worse than the shipped ranker on those folds.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from aimm_nlp.text.translit._eval import fold, score

__all__ = ["BackoffRule", "choose_rule", "decide", "heldout_side", "lexicon_of", "posterior"]

_ELONGATION = re.compile(r"(.)\1{2,}")
# The grid of cross-validation: 1.01 means "never the joint model" (the shipped ranker everywhere).
_MIN_PROBS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
CV_FOLDS = 3
# Unique words scored per fold: enough for a stable choice, bounded time on big pair files.
CV_WORDS = 3000


@dataclass(frozen=True)
class BackoffRule:
    """When the joint model's spelling is used (see the module docstring)."""

    min_prob: float = 1.01
    guard: bool = True

    def to_dict(self) -> dict[str, float | bool]:
        return asdict(self)


def heldout_side(target: str, share: float, seed: int) -> bool:
    """Whether a pair with this target text is held out (all spellings of one target on one side)."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{fold(target, keep_spaces=True)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def squeeze(word: str) -> str:
    """The lookup form of a Latin word: elongation squeezed (``bzzzaf`` -> ``bzaf``)."""
    return _ELONGATION.sub(r"\1", word)


def lexicon_of(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Latin word -> its most frequent Arabic spelling in the training pairs (ties: the first seen)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for src, dst in pairs:
        seen[squeeze(src)][dst] += 1
    return {src: counts.most_common(1)[0][0] for src, counts in seen.items()}


def posterior(ranked: Sequence[tuple[str, float]]) -> float:
    """Share of the best spelling in the (top-k) costs: ``exp(-c0) / sum(exp(-ci))``."""
    if not ranked:
        return 0.0
    best = ranked[0][1]
    return 1.0 / sum(math.exp(best - c) for _, c in ranked)


def decide(
    rule: BackoffRule, *, known: str | None, shipped: str, in_vocab: bool, joint: str | None, prob: float
) -> tuple[str, str]:
    """The spelling of one word and which evidence chose it (``lexicon``, ``shipped``, ``joint``)."""
    if known is not None:
        return known, "lexicon"
    if joint is None or (rule.guard and in_vocab) or prob < rule.min_prob:
        return shipped, "shipped"
    return joint, "joint"


def choose_rule(
    pairs: Sequence[tuple[str, str]],
    *,
    train: Callable[[list[tuple[str, str]]], Callable[[str], list[tuple[str, float]]]],
    shipped: Callable[[list[str]], list[str]],
    vocab: dict[str, float] | set[str],
    seed: int,
) -> tuple[BackoffRule, dict]:
    """Cross-validate the back-off rule on training word pairs (folds by target word).

    ``train`` fits a joint model to word pairs and returns its ``rank(word, k)``; ``shipped`` spells
    many words with the shipped ranker. Returns the rule with the lowest folded CER over the folds and
    a table of every rule's CER (the shipped ranker alone included).
    """
    fold_of = [
        int.from_bytes(hashlib.sha256(f"cv{seed}:{fold(d)}".encode()).digest()[:8], "big") % CV_FOLDS
        for _, d in pairs
    ]
    rows: list[tuple[str, str, bool, str | None, float, str | None]] = []
    for k in range(CV_FOLDS):
        inside = [p for p, f in zip(pairs, fold_of, strict=True) if f != k]
        outside = list(dict.fromkeys(p for p, f in zip(pairs, fold_of, strict=True) if f == k))
        if not inside or not outside:
            continue
        outside.sort(key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).digest())
        outside = outside[:CV_WORDS]
        rank = train(inside)
        known = lexicon_of(inside)
        spelled = shipped([squeeze(s) for s, _ in outside])
        for (src, ref), mine in zip(outside, spelled, strict=True):
            ranked = rank(squeeze(src), 5)
            rows.append(
                (
                    ref,
                    mine,
                    mine in vocab,
                    ranked[0][0] if ranked else None,
                    posterior(ranked),
                    known.get(src),
                )
            )
    refs = [r[0] for r in rows]
    table: dict[str, float] = {"shipped": round(score([r[1] for r in rows], refs)[0].cer_folded, 4)}
    best = (table["shipped"], BackoffRule())
    for min_prob in _MIN_PROBS:
        for guard in (True, False):
            rule = BackoffRule(min_prob, guard)
            hyps = [
                decide(rule, known=kn, shipped=sh, in_vocab=iv, joint=jt, prob=pr)[0]
                for _, sh, iv, jt, pr, kn in rows
            ]
            cer = round(score(hyps, refs)[0].cer_folded, 4)
            table[f"min_prob={min_prob},guard={guard}"] = cer
            if cer < best[0]:
                best = (cer, rule)
    return best[1], {"folds": CV_FOLDS, "words": len(rows), "cer_folded": table}
