"""Metrics by registered name: a per-item value, a corpus aggregation, a direction.

Items are what the harness records per doc (``lls``/``gold`` for multiple choice, also
``greedy``/``target`` for loglikelihood tasks,
``pred``/``ref`` strings for generation, ``ll``/``bytes``/``words``/``chars`` for
perplexity). The aggregations follow lm-eval exactly where it has the metric
(``acc``, ``acc_norm``, ``perplexity``, ``bits_per_byte``, ``byte_perplexity``, ``word_perplexity``);
BLEU/chrF/TER come from ``sacrebleu`` and span F1 from ``seqeval``.

Examples:
    >>> METRICS["bits_per_byte"].aggregate([{"ll": -8.0 * 0.6931471805599453, "bytes": 4}])
    2.0
    >>> METRICS["cer"].aggregate([{"pred": "salam", "ref": "slam"}])
    0.25
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aimm_nlp._distance import edit_distance
from aimm_nlp.evaluation.lmeval_functions import macro_f1 as _pairs_macro_f1

__all__ = ["METRICS", "Metric", "bootstrap_ci", "edit_distance", "macro_f1"]

Item = dict[str, Any]


@dataclass(frozen=True)
class Metric:
    """A metric: ``aggregate(items) -> float``; ``mean`` metrics average a per-item value."""

    name: str
    aggregate: Callable[[Sequence[Item]], float]
    higher_is_better: bool
    item_value: Callable[[Item], float] | None = None  # set for per-item mean metrics
    # corpus metrics that are a function of summed per-item counts: items -> (an n x k table of
    # sufficient statistics, a function of the table's column sums -> the metric)
    stats: Callable[[Sequence[Item]], tuple[Any, Callable[[Any], float]]] | None = None


def _argmax(values: Sequence[float]) -> int:
    best = 0
    for i, v in enumerate(values):  # first maximum, as numpy.argmax
        if v > values[best]:
            best = i
    return best


def _mean(fn: Callable[[Item], float]) -> Callable[[Sequence[Item]], float]:
    return lambda items: sum(fn(i) for i in items) / len(items) if items else float("nan")


def _acc(item: Item) -> float:
    if "target" in item:  # a loglikelihood item: 1 if the target is the greedy continuation (lm-eval)
        return float(item["greedy"][0])
    pred = _argmax(item["lls"]) if "lls" in item else item["pred"]
    return float(pred == item["gold"])


def _acc_norm(item: Item) -> float:
    lls = [ll / len(c) if len(c) else ll for ll, c in zip(item["lls"], item["choices"], strict=True)]
    return float(_argmax(lls) == item["gold"])


def _acc_bytes(item: Item) -> float:
    lls = [ll / len(c.encode()) if c else ll for ll, c in zip(item["lls"], item["choices"], strict=True)]
    return float(_argmax(lls) == item["gold"])


def _exact(item: Item) -> float:
    return float(str(item["pred"]).strip() == str(item["ref"]).strip())


def _error_rate(split: Callable[[str], Sequence[Any]]) -> Callable[[Sequence[Item]], float]:
    def agg(items: Sequence[Item]) -> float:
        edits = sum(edit_distance(split(str(i["pred"])), split(str(i["ref"]))) for i in items)
        total = sum(len(split(str(i["ref"]))) for i in items)
        return edits / total if total else float("nan")

    return agg


def _error_stats(split: Callable[[str], Sequence[Any]]) -> Callable[[Sequence[Item]], tuple[Any, Callable]]:
    def stats(items: Sequence[Item]) -> tuple[Any, Callable]:
        table = [
            (edit_distance(split(str(i["pred"])), split(str(i["ref"]))), len(split(str(i["ref"]))))
            for i in items
        ]
        return table, lambda s: s[0] / s[1] if s[1] else float("nan")

    return stats


def macro_f1(golds: Sequence[Any], preds: Sequence[Any]) -> float:
    """Macro-averaged F1 over the classes present in gold or predictions (one implementation with the
    exported lm-eval tasks' ``macro_f1``, :mod:`aimm_nlp.evaluation.lmeval_functions`, which must import
    nothing from aimm_nlp)."""
    return _pairs_macro_f1(list(zip(golds, preds, strict=True)))


def _f1(items: Sequence[Item]) -> float:
    preds = [_argmax(i["lls"]) if "lls" in i else i["pred"] for i in items]
    return macro_f1([i["gold"] for i in items], preds)


def _f1_stats(items: Sequence[Item]) -> tuple[Any, Callable]:
    """Per label, one-hot true positive, false positive and false negative counts of each item."""
    preds = [_argmax(i["lls"]) if "lls" in i else i["pred"] for i in items]
    golds = [i["gold"] for i in items]
    labels = sorted(set(golds) | set(preds), key=str)  # macro_f1's order: the same float sum
    col = {label: 3 * k for k, label in enumerate(labels)}
    table = []
    for g, p in zip(golds, preds, strict=True):
        row = [0] * (3 * len(labels))
        if g == p:
            row[col[g]] = 1
        else:
            row[col[p] + 1] = 1
            row[col[g] + 2] = 1
        table.append(row)

    def finish(s: Any) -> float:
        scores = []
        for k in range(len(labels)):  # a label counts when it is in the draw's golds or predictions
            tp, fp, fn = int(s[3 * k]), int(s[3 * k + 1]), int(s[3 * k + 2])
            if tp + fp + fn:
                scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum(scores) / len(scores) if scores else float("nan")

    return table, finish


def _sacre_stats(kind: str) -> Callable[[Sequence[Item]], tuple[Any, Callable]]:
    """sacrebleu's own per-segment statistics (n-gram matches and totals, lengths, edits) and its
    score from their sums: what ``corpus_bleu``/``corpus_chrf``/``corpus_ter`` compute."""

    def stats(items: Sequence[Item]) -> tuple[Any, Callable]:
        from sacrebleu.metrics import BLEU, CHRF, TER

        metric = {"bleu": BLEU, "chrf": CHRF, "ter": TER}[kind]()
        hyps, refs = [str(i["pred"]) for i in items], [[str(i["ref"]) for i in items]]
        table = metric._extract_corpus_statistics(hyps, refs)
        return table, lambda s: float(metric._compute_score_from_stats(s.tolist()).score)

    return stats


def _ratio_stats(num: str, den: str, fn: Callable[[float], float]) -> Callable:
    def stats(items: Sequence[Item]) -> tuple[Any, Callable]:
        table = [(float(i[num]), float(i[den])) for i in items]
        return table, lambda s: fn(-s[0] / s[1]) if s[1] else float("nan")

    return stats


def _perplexity_stats(items: Sequence[Item]) -> tuple[Any, Callable]:
    return [(float(i["lls"][0]), 1.0) for i in items], lambda s: math.exp(-s[0] / s[1])


def _token_acc_stats(items: Sequence[Item]) -> tuple[Any, Callable]:
    table = [(sum(p == r for p, r in zip(i["pred"], i["ref"], strict=True)), len(i["ref"])) for i in items]
    return table, lambda s: s[0] / s[1] if s[1] else float("nan")


def _sacre(kind: str) -> Callable[[Sequence[Item]], float]:
    def agg(items: Sequence[Item]) -> float:
        import sacrebleu

        fn = {"bleu": sacrebleu.corpus_bleu, "chrf": sacrebleu.corpus_chrf, "ter": sacrebleu.corpus_ter}[kind]
        return float(fn([str(i["pred"]) for i in items], [[str(i["ref"]) for i in items]]).score)

    return agg


def _ratio(num: str, den: str, fn: Callable[[float], float]) -> Callable[[Sequence[Item]], float]:
    def agg(items: Sequence[Item]) -> float:
        total = sum(i[den] for i in items)
        return fn(-sum(i["ll"] for i in items) / total) if total else float("nan")

    return agg


def _perplexity(items: Sequence[Item]) -> float:
    """lm-eval's ``perplexity`` of loglikelihood tasks: exp(-mean per-doc log-likelihood of the target)."""
    return math.exp(-sum(i["lls"][0] for i in items) / len(items)) if items else float("nan")


def _bio(tags: Sequence[str]) -> list[str]:
    # POS-style tags (no B-/I- prefix) become one-token spans, so span F1 is well defined.
    return [t if t == "O" or t[:2] in ("B-", "I-", "E-", "S-") else f"B-{t}" for t in tags]


def _seqeval(items: Sequence[Item]) -> float:
    from seqeval.metrics import f1_score

    return float(f1_score([_bio(i["ref"]) for i in items], [_bio(i["pred"]) for i in items]))


def _token_acc(items: Sequence[Item]) -> float:
    pairs = [(p, r) for i in items for p, r in zip(i["pred"], i["ref"], strict=True)]
    return sum(p == r for p, r in pairs) / len(pairs) if pairs else float("nan")


_LN2 = math.log(2)


def _bits(x: float) -> float:
    return x / _LN2


METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("acc", _mean(_acc), True, _acc),
        Metric("acc_norm", _mean(_acc_norm), True, _acc_norm),
        Metric("acc_bytes", _mean(_acc_bytes), True, _acc_bytes),
        Metric("exact_match", _mean(_exact), True, _exact),
        Metric("f1", _f1, True, stats=_f1_stats),
        Metric("bleu", _sacre("bleu"), True, stats=_sacre_stats("bleu")),
        Metric("chrf", _sacre("chrf"), True, stats=_sacre_stats("chrf")),
        Metric("ter", _sacre("ter"), False, stats=_sacre_stats("ter")),
        Metric("cer", _error_rate(list), False, stats=_error_stats(list)),
        Metric("wer", _error_rate(str.split), False, stats=_error_stats(str.split)),
        Metric(
            "bits_per_byte", _ratio("ll", "bytes", _bits), False, stats=_ratio_stats("ll", "bytes", _bits)
        ),
        Metric(
            "bits_per_char", _ratio("ll", "chars", _bits), False, stats=_ratio_stats("ll", "chars", _bits)
        ),
        Metric(
            "byte_perplexity",
            _ratio("ll", "bytes", math.exp),
            False,
            stats=_ratio_stats("ll", "bytes", math.exp),
        ),
        Metric("perplexity", _perplexity, False, stats=_perplexity_stats),
        Metric(
            "word_perplexity",
            _ratio("ll", "words", math.exp),
            False,
            stats=_ratio_stats("ll", "words", math.exp),
        ),
        Metric("seqeval_f1", _seqeval, True),
        Metric("token_acc", _token_acc, True, stats=_token_acc_stats),
    ]
}


def bootstrap_ci(
    metric: Metric, items: Sequence[Item], *, iters: int = 1000, seed: int = 1234, alpha: float = 0.05
) -> tuple[float, float] | None:
    """Percentile bootstrap (1 - alpha) interval of ``metric`` over items; None when < 2 items.

    Draws are ``numpy.random.default_rng(seed).integers(0, n, size=(iters, n))`` (made in blocks of
    rows, the same numbers). Mean metrics average per-item values per draw. Corpus metrics with
    per-item sufficient statistics (CER/WER edits and reference lengths, BLEU/chrF/TER sacrebleu
    segment statistics, F1 per-label counts, token accuracy, bits-per-byte and perplexities) sum
    those per draw: the interval recomputing the metric on every resample gives, in milliseconds.
    Other corpus metrics (seqeval span F1) recompute the aggregate per draw, with at most 200 draws.
    """
    import numpy as np

    n = len(items)
    if n < 2 or iters <= 0:
        return None
    rng = np.random.default_rng(seed)
    if metric.item_value is not None:
        values = np.array([metric.item_value(i) for i in items], dtype=np.float64)
        stats = np.concatenate([values[d].mean(axis=1) for d in _draws(rng, n, iters)])
    elif metric.stats is not None:
        stats = _summed(metric, items, _draws(rng, n, iters))
    else:
        stats = _recomputed(metric, items, _draws(rng, n, min(iters, 200)))
    lo, hi = np.nanpercentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)


def _draws(rng: Any, n: int, iters: int) -> Iterator[Any]:
    """``rng.integers(0, n, size=(iters, n))`` in blocks of rows (about 2**20 indices each)."""
    block = max(1, (1 << 20) // n)
    for start in range(0, iters, block):
        yield rng.integers(0, n, size=(min(block, iters - start), n))


def _summed(metric: Metric, items: Sequence[Item], draws: Iterable[Any]) -> Any:
    """The metric of every draw from the column sums of its items' sufficient statistics."""
    import numpy as np

    assert metric.stats is not None
    table, finish = metric.stats(items)
    values = np.asarray(table)
    values = values.reshape(len(items), -1)
    out = []
    for block in draws:
        for row in block:  # counts per item, times the table: exact for integer statistics
            out.append(finish(np.bincount(row, minlength=len(items)) @ values))
    return np.array(out, dtype=np.float64)


def _recomputed(metric: Metric, items: Sequence[Item], draws: Iterable[Any]) -> Any:
    """The metric of every draw, aggregated again from its items (the reference the fast paths match)."""
    import numpy as np

    return np.array([metric.aggregate([items[j] for j in row]) for block in draws for row in block])
