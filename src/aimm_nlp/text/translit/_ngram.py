"""A small Witten-Bell n-gram model over symbol sequences, compiled to backoff tables.

Used twice by :mod:`aimm_nlp.text.translit`: as the character model of
Arabic-script Darija that ranks rule candidates (symbols = characters) and as
the joint-sequence model trained on transliteration pairs (symbols = graphones,
each encoded as one character). Keys are strings: compact in JSON, cheap to
slice, and invisible to the cyclic garbage collector. Interpolated Witten-Bell has an exact backoff form: for a context ``h``
seen ``c(h)`` times with ``T(h)`` distinct followers,
``P(w|h) = (c(h,w) + T(h) P(w|h')) / (c(h) + T(h))``, so an unseen ``w`` costs
``log(T(h) / (c(h) + T(h))) + log P(w|h')``. Storing the interpolated log
probability of every kept n-gram and that backoff weight per context gives
lookups of a few dict probes with no normalisation at query time.

Written by hand rather than taken from KenLM/NLTK: the tables must load as
plain JSON (no pickles, no compiled extension) and be queried per character
in a tight loop, where a dict probe beats any wrapper.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

__all__ = ["BOS", "EOS", "NgramTables", "tables_from_json", "tables_to_json", "train_ngram"]

BOS = "\x02"  # sequence start / end symbols
EOS = "\x03"


class NgramTables:
    """Backoff tables: ``logp[ngram]`` and ``bow[context]``, keys are strings of symbols.

    ``floor`` is the log probability of a symbol never seen at all.
    """

    __slots__ = ("bow", "ext", "floor", "logp", "memo", "order")

    def __init__(self, order: int, logp: dict[str, float], bow: dict[str, float], floor: float) -> None:
        self.order = order
        self.logp = logp
        self.bow = bow
        self.floor = floor
        self.memo: dict[str, float] = {}  # context + symbol -> log prob: repeated queries cost one probe
        self.ext: dict[str, tuple[float, str]] = {}  # context + NUL + string -> see extend()

    def extend(self, context: str, text: str) -> tuple[float, str]:
        """Log probability of ``text`` after ``context``, and the context that follows it."""
        key = context + "\x00" + text
        hit = self.ext.get(key)
        if hit is not None:
            return hit
        total = 0.0
        keep = self.order - 1
        for ch in text:
            total += self.score(context, ch)
            context = (context + ch)[-keep:] if keep else ""
        if len(self.ext) > 1 << 21:
            self.ext.clear()
        self.ext[key] = (total, context)
        return total, context

    def score(self, context: str, symbol: str) -> float:
        """``log P(symbol | context)``; ``context`` is already cut to ``order - 1`` symbols."""
        full = context + symbol
        hit = self.memo.get(full)
        if hit is not None:
            return hit
        logp, bow = self.logp, self.bow
        acc = 0.0
        h = context
        while True:
            p = logp.get(h + symbol)
            if p is not None:
                acc += p
                break
            if not h:
                acc += self.floor
                break
            acc += bow.get(h, 0.0)
            h = h[1:]
        if len(self.memo) > 1 << 21:
            self.memo.clear()
        self.memo[full] = acc
        return acc


def train_ngram(sequences: Iterable[tuple[str, float]], *, order: int, min_count: float = 1.0) -> NgramTables:
    """Count weighted sequences and compile interpolated Witten-Bell backoff tables.

    Args:
        sequences: ``(symbols, weight)`` pairs, symbols as a string; each is wrapped in BOS/EOS.
        order: n-gram order (>= 1).
        min_count: n-grams of order >= 3 seen fewer times are pruned (their mass
            is served by the lower orders through the backoff weight).

    Returns:
        The compiled :class:`NgramTables`.

    Examples:
        >>> lm = train_ngram([("سلام", 2.0), ("سلامة", 1.0)], order=3)
        >>> lm.score(BOS + "س", "ل") > lm.score(BOS + "س", "م")
        True
    """
    counts: list[Counter] = [Counter() for _ in range(order + 1)]
    for symbols, weight in sequences:
        seq = BOS + symbols + EOS
        for i in range(1, len(seq)):
            for n in range(1, min(order, i + 1) + 1):
                counts[n][seq[i - n + 1 : i + 1]] += weight
    vocab = {g[-1] for g in counts[1]}
    floor = -math.log(len(vocab) + 1) - 5.0
    ctx_total: dict[str, float] = defaultdict(float)
    ctx_types: dict[str, int] = defaultdict(int)
    for n in range(1, order + 1):
        for gram, c in counts[n].items():
            ctx_total[gram[:-1]] += c
            ctx_types[gram[:-1]] += 1
    logp: dict[str, float] = {}
    prob: dict[str, float] = {}
    uniform = 1.0 / (len(vocab) + 1)
    for n in range(1, order + 1):
        for gram, c in counts[n].items():
            h = gram[:-1]
            lower = prob[gram[1:]] if n > 1 else uniform
            tot, typ = ctx_total[h], ctx_types[h]
            p = (c + typ * lower) / (tot + typ)
            prob[gram] = p
            if n < 3 or c >= min_count:
                logp[gram] = round(math.log(p), 4)
    bow = {
        h: round(math.log(ctx_types[h] / (ctx_total[h] + ctx_types[h])), 4)
        for h in ctx_total
        if h and (len(h) < 2 or ctx_total[h] >= min_count)
    }
    return NgramTables(order, logp, bow, floor)


def tables_to_json(tables: NgramTables) -> dict:
    """A JSON-ready dict of the tables."""
    return {"order": tables.order, "floor": tables.floor, "logp": tables.logp, "bow": tables.bow}


def tables_from_json(data: dict) -> NgramTables:
    """Inverse of :func:`tables_to_json`."""
    return NgramTables(
        int(data["order"]),
        {str(k): float(v) for k, v in data["logp"].items()},
        {str(k): float(v) for k, v in data["bow"].items()},
        float(data["floor"]),
    )
