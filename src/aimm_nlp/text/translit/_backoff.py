"""Back-off of a trained joint model to the shipped ranker, and the held-out split that measures it.

A trained model decides a word in this order:

1. the word (its Latin spelling, elongation squeezed) was in the training pairs at least
   ``lexicon_min`` times (0: never): the training spelling seen most often there (the user's own
   convention for the words they gave);
2. the shipped ranker's spelling is a word of its Darija word list and ``guard`` is set: the
   shipped spelling;
3. the joint model's best spelling has a posterior (over its top 5) of at least ``min_prob``: that;
4. otherwise the shipped ranker's spelling.

Lines of up to 3 words (a word list's entries) and longer lines (running text) follow different
conventions in the same pair file (DODa's word list and its sentences), so each kind of line has its
own rule. Each is chosen by cross-validation on the training rows of that kind only: 3 folds of rows
grouped by target text (as the held-out split: every spelling of a word, every copy of a sentence on
one side), so a word-list row's word is unseen by the model that spells it while a sentence's common
words are seen, as in use. The model that spells a fold's short lines (joint model and lexicon) is
trained without the rows of another source that hold one of their (target) words (the sentences beside
a word list), as the held-out split is measured: in a file of a word list and sentences, most entries'
words stand in some sentence, and a model that had seen them there looked better over the folds than on
unseen words (DODa, sources "words" and "sentences": the short-line rule it chose spelled unseen words
at 0.152 against the default's 0.148). A rule is a candidate when it is not worse than the shipped
ranker on that kind of line nor on any source of the pair file (its ``source`` or ``source_file``
column: a word list and sentences in one file follow their own conventions, neither may pay for the
other).

A rule must also earn every spelling it changes (:func:`_best_rule`): a paired bootstrap over the
cross-validation rows (resampled by target text, :data:`RESAMPLES` Poisson resamples) keeps only the
candidates that beat the shipped ranker in at least :data:`LEVEL` of the resamples, and of those the
one that changes the fewest words from the shipped spelling while the best of them (lowest CER) does
not beat it in :data:`LEVEL` of the resamples (the "one standard error" rule of model selection,
with a bootstrap instead of a standard error). A gain the folds cannot tell from noise keeps the
shipped ranker, whose spelling of an unseen word is then the default's; a kind of line with too few
training words to tell keeps it too.

A line is routed by its length and by its batch (a file, one `batch()` call; a source of the pair file in
cross-validation): in a word list, a batch whose lines of 4+ words are under :data:`WORD_LIST_LONG_SHARE` of
its lines, every line is an entry and gets the short-line rule (:func:`line_classes`). A line alone, or in a
list too small to tell, is routed by its length, so a source's rare lines of the other kind get that kind's
rule. A word's spelling does not depend on its line (:func:`decide`), so the report names each source whose
words in lines of the other kind a chosen rule spells worse than the shipped ranker, with both CERs
(``worse_on_other_lines``): what such a line of that source pays. It is reported, not decided on: trained on
DODa's word list and sentences, the long-line rule spells the word list's words worse (0.141 -> 0.166 over
the folds), and no rule of :func:`decide` keeps every word-list source whole while the sentences gain (the
README gives the figures).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from aimm_nlp._distance import edit_distance
from aimm_nlp.text.translit._eval import fold

__all__ = [
    "BackoffRule",
    "choose_rules",
    "decide",
    "heldout_side",
    "lexicon_of",
    "line_class",
    "line_classes",
    "posterior",
]

_ELONGATION = re.compile(r"(.)\1{2,}")
# The grid of cross-validation: 1.01 means "never the joint model" (the shipped ranker everywhere).
_MIN_PROBS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
CV_FOLDS = 3
# Words scored per fold, kind of line and source: enough for a stable choice, bounded time on big pair files.
CV_WORDS = 2000
# Lines of this many words or more are running text, fewer a word list's entry: each kind has its rule.
LONG_LINE = 4
KINDS = ("short", "long")
# A batch with fewer lines of LONG_LINE+ words than this share is a word list (they are multi-word entries).
# The training side of the README's DODa split: 0.04 % of the word list's lines (0.3 and 0.5 % in its two
# source files that have any), 14 % of the sentences'.
WORD_LIST_LONG_SHARE = 0.01
# A kind of line with fewer words scored in cross-validation keeps the shipped ranker (no evidence).
MIN_CV_WORDS = 300
# A source of the pair file with this many words scored (of one kind of line) must not lose either.
MIN_SOURCE_WORDS = 100
# Paired bootstrap of the rule choice: resamples of the CV rows, and the share of them a rule must win.
RESAMPLES = 1000
LEVEL = 0.95


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


def line_class(words: int) -> str:
    """``short`` (a word list's entry: up to 3 words) or ``long`` (running text) for a line of ``words``."""
    return "long" if words >= LONG_LINE else "short"


def line_classes(words: Sequence[int]) -> list[str]:
    """The kind of each line of one batch, given each line's number of words: all ``short`` in a word list
    (lines of :data:`LONG_LINE`+ words under :data:`WORD_LIST_LONG_SHARE` of them), else :func:`line_class`.

    >>> set(line_classes([1] * 150 + [4])), line_classes([1, 4])
    ({'short'}, ['short', 'long'])
    """
    if sum(n >= LONG_LINE for n in words) < WORD_LIST_LONG_SHARE * len(words):
        return ["short"] * len(words)
    return [line_class(n) for n in words]


def choose_rules(
    rows: Sequence[tuple[str, str, list[tuple[str, str]]]],
    *,
    train: Callable[[list[tuple[str, str]]], Callable[[str, int], list[tuple[str, float]]]],
    shipped: Callable[[list[str]], list[str]],
    vocab: dict[str, float] | set[str],
    seed: int,
) -> tuple[dict[str, BackoffRule], dict]:
    """Cross-validate one back-off rule per kind of line on training rows ``(target text, source,
    word pairs)``.

    ``train`` fits a joint model to word pairs and returns its ``rank(word, k)``; ``shipped`` spells
    many words with the shipped ranker. Returns the rule of each kind of line (:func:`line_class`),
    chosen as the module docstring says: among the rules not worse than the shipped ranker on that kind
    of line nor on any source of the pair file (its ``source`` column) with at least
    :data:`MIN_SOURCE_WORDS` words scored, those that beat the shipped ranker in at least :data:`LEVEL`
    of the bootstrap resamples, and of those the one changing the fewest words that the best of them
    does not beat in :data:`LEVEL` of the resamples; else the shipped ranker (also for a kind with fewer
    than :data:`MIN_CV_WORDS` words scored: no evidence). Also a report per kind: the CER of the
    shipped ranker and of the rule over the folds, the words the rule changes, the share of resamples
    in which it beats the shipped ranker, the lowest-CER candidate (chosen or not), and the sources
    whose words in lines of the other kind the rule spells worse than the shipped ranker
    (``worse_on_other_lines``: what that source's rare lines of this kind would pay).
    """
    fold_of = [
        int.from_bytes(hashlib.sha256(f"cv{seed}:{fold(t, keep_spaces=True)}".encode()).digest()[:8], "big")
        % CV_FOLDS
        for t, _, _ in rows
    ]
    kind_of, by_source = [""] * len(rows), defaultdict(list)  # a source of the pair file: a batch in use
    for i, (_, source, _) in enumerate(rows):
        by_source[source].append(i)
    for idx in by_source.values():
        for i, kind in zip(idx, line_classes([len(rows[i][2]) for i in idx]), strict=True):
            kind_of[i] = kind
    # (reference, kind of line, source, shipped spelling, in vocab, joint spelling, posterior, lexicon
    # entry, the row's folded target text: the unit the bootstrap resamples)
    scored: list[tuple] = []
    words_of = [{fold(dst) for _, dst in wp} for _, _, wp in rows]
    samples = []
    for k in range(CV_FOLDS):
        outside = [
            (src, wp, t, kind) for (t, src, wp), f, kind in zip(rows, fold_of, kind_of, strict=True) if f == k
        ]
        outside.sort(key=lambda row: hashlib.sha256(f"{seed}:{row[:2]}".encode()).digest())
        sample: list[tuple[str, str, str, str, str]] = []
        taken: dict[tuple[str, str], int] = defaultdict(int)
        for source, wp, target, kind in outside:  # up to CV_WORDS words of each kind of line and source
            if taken[kind, source] < CV_WORDS:
                taken[kind, source] += len(wp)
                group = fold(target, keep_spaces=True)
                sample.extend((src, dst, kind, source, group) for src, dst in wp)
        samples.append(sample)
    counts = Counter(s[2] for sample in samples for s in sample)
    for k, sample in enumerate(samples):
        # A short line's words are unseen by the model that spells them, as a held-out word list's
        # entries are: its training rows leave out every row of another source (the sentences beside
        # a word list) holding one of their (target) words. Rows of the entry's own source stay (a
        # list's other entries), and so do the words of running text, as in use.
        unseen: dict[str, set[str]] = defaultdict(set)  # word -> the sources of the short lines holding it
        for _, dst, kind, source, _ in sample:
            if kind == "short":
                unseen[fold(dst)].add(source)
        inside = {
            kind: [
                i
                for i, ((_, source, _), f, words) in enumerate(zip(rows, fold_of, words_of, strict=True))
                if f != k and (kind == "long" or not any(unseen.get(w, {source}) - {source} for w in words))
            ]
            for kind in KINDS
            if counts[kind] >= MIN_CV_WORDS  # else that kind keeps the shipped ranker: no model to score
        }
        spellers: dict[str, tuple] = {}
        for kind, idx in inside.items():
            # one model for both kinds where no row was left out (a pair file of one source)
            same = next((spellers[o] for o in spellers if inside[o] == idx), None)
            pairs = [p for i in idx for p in rows[i][2]]
            if same is not None or pairs:
                spellers[kind] = same or (train(pairs), lexicon_of(pairs))
        sample = [s for s in sample if s[2] in spellers]
        if not sample:
            continue
        spelled = shipped([squeeze(s) for s, *_ in sample])
        for (src, ref, kind, source, group), mine in zip(sample, spelled, strict=True):
            rank, known = spellers[kind]
            ranked = rank(squeeze(src), 5)
            joint = ranked[0][0] if ranked else None
            entry = known.get(squeeze(src))
            scored.append((ref, kind, source, mine, mine in vocab, joint, posterior(ranked), entry, group))
    rules: dict[str, BackoffRule] = {}
    report: dict = {
        "folds": CV_FOLDS,
        "long_line_words": LONG_LINE,
        "bootstrap": {"resamples": RESAMPLES, "level": LEVEL, "unit": "target text"},
    }
    for kind in KINDS:
        mine = [r for r in scored if r[1] == kind]
        sampled = [s for sample in samples for s in sample if s[2] == kind]  # scored or not
        words = {"words": len(sampled), "sources": dict(sorted(Counter(s[3] for s in sampled).items()))}
        if len(mine) >= MIN_CV_WORDS:
            rules[kind], figures = _best_rule(mine, seed=seed)
        else:  # no evidence: the shipped ranker
            rules[kind], figures = BackoffRule(), {"cer_folded_shipped": None, "cer_folded_rule": None}
        report[kind] = {**words, "rule": rules[kind].to_dict(), **figures}
        report[kind]["worse_on_other_lines"] = _worse_elsewhere(
            rules[kind], [r for r in scored if r[1] != kind]
        )
    return rules, report


def _worse_elsewhere(rule: BackoffRule, scored: list) -> dict[str, dict[str, float | int]]:
    """The sources whose words in lines of the other kind ``rule`` spells worse than the shipped ranker
    (folded CER over the folds, sources with at least :data:`MIN_SOURCE_WORDS` such words).

    A word's spelling does not depend on its line, so these words stand for that source's lines of this
    kind when nothing tells their source (a line alone): what the rule costs them, told, not guessed.
    """
    if rule == BackoffRule():
        return {}
    by_source: dict[str, list] = defaultdict(list)
    for r in scored:
        by_source[r[2]].append(r)
    out = {}
    for source, rows in sorted(by_source.items()):
        if len(rows) < MIN_SOURCE_WORDS:
            continue
        n = max(1, sum(len(fold(r[0])) for r in rows))
        base = sum(edit_distance(fold(r[3]), fold(r[0])) for r in rows) / n
        got = (
            sum(
                edit_distance(
                    fold(decide(rule, known=kn, shipped=sh, in_vocab=iv, joint=jt, prob=pr)[0]), fold(ref)
                )
                for ref, _, _, sh, iv, jt, pr, kn, _ in rows
            )
            / n
        )
        if got > base:
            out[source] = {
                "words": len(rows),
                "cer_folded_shipped": round(base, 4),
                "cer_folded_rule": round(got, 4),
            }
    return out


@dataclass
class _Scored:
    rule: BackoffRule
    cer: list[float]  # folded CER on the whole kind of line, then on each source large enough to count
    per_group: Any  # numpy: edit distance minus the shipped ranker's, summed per target text
    changed: int  # words spelled otherwise than by the shipped ranker


def _best_rule(scored: list, *, seed: int = 0) -> tuple[BackoffRule, dict]:
    """The rule of one kind of line (the module docstring) and its cross-validation figures."""
    import numpy as np

    refs = [fold(r[0]) for r in scored]
    strata = [range(len(scored))]
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(scored):
        by_source[r[2]].append(i)
    if len(by_source) > 1:
        strata += [idx for idx in by_source.values() if len(idx) >= MIN_SOURCE_WORDS]
    lengths = [max(1, sum(len(refs[i]) for i in idx)) for idx in strata]
    groups = {g: j for j, g in enumerate(dict.fromkeys(r[8] for r in scored))}
    group_of = np.array([groups[r[8]] for r in scored])
    memo: dict[tuple[int, str], int] = {}

    def distances(hyps: list[str]) -> list[int]:
        """One edit distance per word and spelling (folded: the sums of :func:`score`)."""
        out = []
        for i, h in enumerate(hyps):
            d = memo.get((i, h))
            if d is None:
                d = memo[(i, h)] = edit_distance(fold(h), refs[i])
            out.append(d)
        return out

    shipped = [r[3] for r in scored]
    base_d = distances(shipped)
    base = [sum(base_d[i] for i in idx) / n for idx, n in zip(strata, lengths, strict=True)]
    candidates = []
    for rule in _grid():
        hyps = [
            decide(rule, known=kn, shipped=sh, in_vocab=iv, joint=jt, prob=pr)[0]
            for _, _, _, sh, iv, jt, pr, kn, _ in scored
        ]
        d = distances(hyps)
        got = [sum(d[i] for i in idx) / n for idx, n in zip(strata, lengths, strict=True)]
        if got[0] < base[0] and all(g <= b for g, b in zip(got, base, strict=True)):
            delta = np.bincount(group_of, weights=np.subtract(d, base_d), minlength=len(groups))
            delta = delta.astype(np.float32)  # sums of small whole numbers: exact
            changed = sum(h != s for h, s in zip(hyps, shipped, strict=True))
            candidates.append(_Scored(rule, got, delta, changed))
    figures: dict = {"cer_folded_shipped": round(base[0], 4), "best_candidate": None}
    chosen, wins = BackoffRule(), None
    if candidates:
        # Poisson bootstrap (each target text drawn Poisson(1) times), paired: every rule on the same
        # resamples; only the target texts some candidate spells otherwise than the shipped ranker count.
        touched = np.flatnonzero(np.any([c.per_group != 0 for c in candidates], axis=0))
        draws = np.random.default_rng(seed).poisson(1.0, size=(RESAMPLES, len(touched))).astype(np.float32)

        def beats(a: Any, b: Any) -> float:
            """Share of the resamples in which per-group distances ``a`` sum below ``b``'s."""
            return float(np.mean(draws @ (a - b)[touched] < 0))

        zero = np.zeros(len(groups), dtype=np.float32)
        top = min(candidates, key=lambda c: c.cer[0])
        figures["best_candidate"] = {
            "rule": top.rule.to_dict(),
            "cer_folded": round(top.cer[0], 4),
            "beats_shipped": round(beats(top.per_group, zero), 3),
        }
        earned = [c for c in candidates if beats(c.per_group, zero) >= LEVEL]
        if earned:
            best = min(earned, key=lambda c: c.cer[0])
            pick = min(
                (c for c in earned if beats(best.per_group, c.per_group) < LEVEL),
                key=lambda c: (c.changed, c.cer[0]),
            )
            chosen, wins = pick.rule, (pick, beats(pick.per_group, zero))
    figures["cer_folded_rule"] = round(wins[0].cer[0], 4) if wins else round(base[0], 4)
    figures["words_changed"] = wins[0].changed if wins else 0
    figures["beats_shipped"] = round(wins[1], 3) if wins else None
    return chosen, figures
