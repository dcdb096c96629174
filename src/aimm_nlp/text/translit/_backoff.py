"""Back-off of a trained joint model to the shipped ranker, and the held-out split that measures it.

A trained model decides a word in this order:

1. the word (its Latin spelling, elongation squeezed) was in the training pairs at least
   ``lexicon_min`` times (0: never): the training spelling seen most often there (the user's own
   convention for the words they gave);
2. the shipped ranker's spelling is a word of its Darija word list and ``guard`` is set: the
   shipped spelling;
3. the joint model's best spelling has a posterior (over its top 5) of at least ``min_prob``: that;
4. otherwise the shipped ranker's spelling.

The rule is chosen by cross-validation on the training rows only: 3 folds of rows grouped by target
text (as the held-out split: every spelling of a word, every copy of a sentence on one side), so a
word-list row's word is unseen by the model that spells it while a sentence's common words are seen,
as in use. The rule chosen has the lowest CER over the folds among the rules that are not worse than
the shipped ranker on either kind of row (rows of one word, rows of several); the shipped ranker
alone (``min_prob=1.01``, no lexicon) is one of them, so the choice never loses on the folds.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from aimm_nlp._distance import edit_distance
from aimm_nlp.text.translit._eval import fold

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
    lexicon_min: int = 0

    def to_dict(self) -> dict[str, float | bool | int]:
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


def lexicon_of(pairs: Sequence[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """Latin word -> (its most frequent Arabic spelling in the pairs, how often the word was seen)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for src, dst in pairs:
        seen[squeeze(src)][dst] += 1
    return {src: (counts.most_common(1)[0][0], counts.total()) for src, counts in seen.items()}


def posterior(ranked: Sequence[tuple[str, float]]) -> float:
    """Share of the best spelling in the (top-k) costs: ``exp(-c0) / sum(exp(-ci))``."""
    if not ranked:
        return 0.0
    best = ranked[0][1]
    return 1.0 / sum(math.exp(best - c) for _, c in ranked)


def decide(
    rule: BackoffRule,
    *,
    known: tuple[str, int] | None,
    shipped: str,
    in_vocab: bool,
    joint: str | None,
    prob: float,
) -> tuple[str, str]:
    """The spelling of one word and which evidence chose it (``lexicon``, ``shipped``, ``joint``)."""
    if known is not None and rule.lexicon_min and known[1] >= rule.lexicon_min:
        return known[0], "lexicon"
    if joint is None or (rule.guard and in_vocab) or prob < rule.min_prob:
        return shipped, "shipped"
    return joint, "joint"


def _grid() -> list[BackoffRule]:
    return [BackoffRule(p, g, n) for n in (0, 1, 3, 10) for g in (True, False) for p in _MIN_PROBS]


def choose_rule(
    rows: Sequence[tuple[str, list[tuple[str, str]]]],
    *,
    train: Callable[[list[tuple[str, str]]], Callable[[str, int], list[tuple[str, float]]]],
    shipped: Callable[[list[str]], list[str]],
    vocab: dict[str, float] | set[str],
    seed: int,
) -> tuple[BackoffRule, dict]:
    """Cross-validate the back-off rule on training rows ``(target text, word pairs)``.

    ``train`` fits a joint model to word pairs and returns its ``rank(word, k)``; ``shipped`` spells
    many words with the shipped ranker. Returns the rule chosen (see the module docstring) and the
    CER of the shipped ranker and of the rule, per kind of row.
    """
    fold_of = [
        int.from_bytes(hashlib.sha256(f"cv{seed}:{fold(t, keep_spaces=True)}".encode()).digest()[:8], "big")
        % CV_FOLDS
        for t, _ in rows
    ]
    # (reference, kind of row, shipped spelling, in vocab, joint spelling, posterior, lexicon entry)
    scored: list[tuple[str, str, str, bool, str | None, float, tuple[str, int] | None]] = []
    for k in range(CV_FOLDS):
        inside = [p for (_, wp), f in zip(rows, fold_of, strict=True) if f != k for p in wp]
        outside = [wp for (_, wp), f in zip(rows, fold_of, strict=True) if f == k]
        if not inside or not outside:
            continue
        outside.sort(key=lambda wp: hashlib.sha256(f"{seed}:{wp}".encode()).digest())
        sample: list[tuple[str, str, str]] = []
        for wp in outside:
            if len(sample) >= CV_WORDS:
                break
            kind = "one_word_rows" if len(wp) == 1 else "longer_rows"
            sample.extend((src, dst, kind) for src, dst in wp)
        rank, known = train(inside), lexicon_of(inside)
        spelled = shipped([squeeze(s) for s, _, _ in sample])
        for (src, ref, kind), mine in zip(sample, spelled, strict=True):
            ranked = rank(squeeze(src), 5)
            joint = ranked[0][0] if ranked else None
            scored.append((ref, kind, mine, mine in vocab, joint, posterior(ranked), known.get(squeeze(src))))
    kinds = sorted({r[1] for r in scored})
    refs = [fold(r[0]) for r in scored]
    lengths = {
        kind: max(1, sum(len(f) for f, r in zip(refs, scored, strict=True) if r[1] == kind)) for kind in kinds
    }
    memo: dict[tuple[int, str], int] = {}

    def errors(hyps: list[str]) -> dict[str, float]:
        """Folded CER per kind of row (the sums of :func:`score`, one edit distance per word and spelling)."""
        per = dict.fromkeys(kinds, 0)
        for i, (h, r) in enumerate(zip(hyps, scored, strict=True)):
            d = memo.get((i, h))
            if d is None:
                d = memo[(i, h)] = edit_distance(fold(h), refs[i])
            per[r[1]] += d
        return {kind: per[kind] / lengths[kind] for kind in kinds}

    def overall(per: dict[str, float]) -> float:
        return sum(per[k] * lengths[k] for k in kinds) / max(1, sum(lengths.values()))

    base_cer = errors([r[2] for r in scored])
    best_rule, best, best_per = BackoffRule(), overall(base_cer), base_cer
    for rule in _grid():
        per = errors(
            [
                decide(rule, known=kn, shipped=sh, in_vocab=iv, joint=jt, prob=pr)[0]
                for _, _, sh, iv, jt, pr, kn in scored
            ]
        )
        if overall(per) < best and all(per[kind] <= base_cer[kind] for kind in kinds):
            best_rule, best, best_per = rule, overall(per), per
    report = {
        "folds": CV_FOLDS,
        "words": len(scored),
        "words_by_kind": {kind: sum(r[1] == kind for r in scored) for kind in kinds},
        "cer_folded_shipped": {k: round(v, 4) for k, v in base_cer.items()},
        "cer_folded_rule": {k: round(v, 4) for k, v in best_per.items()},
    }
    return best_rule, report
