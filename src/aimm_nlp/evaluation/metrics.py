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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aimm_nlp._distance import edit_distance

__all__ = ["METRICS", "Metric", "bootstrap_ci", "edit_distance", "macro_f1"]

Item = dict[str, Any]


@dataclass(frozen=True)
class Metric:
    """A metric: ``aggregate(items) -> float``; ``mean`` metrics average a per-item value."""

    name: str
    aggregate: Callable[[Sequence[Item]], float]
    higher_is_better: bool
    item_value: Callable[[Item], float] | None = None  # set for per-item mean metrics


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


def macro_f1(golds: Sequence[Any], preds: Sequence[Any]) -> float:
    """Macro-averaged F1 over the classes present in gold or predictions."""
    labels = sorted(set(golds) | set(preds), key=str)
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(golds, preds, strict=True))
        fp = sum(g != label and p == label for g, p in zip(golds, preds, strict=True))
        fn = sum(g == label and p != label for g, p in zip(golds, preds, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else float("nan")


def _f1(items: Sequence[Item]) -> float:
    preds = [_argmax(i["lls"]) if "lls" in i else i["pred"] for i in items]
    return macro_f1([i["gold"] for i in items], preds)


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
METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("acc", _mean(_acc), True, _acc),
        Metric("acc_norm", _mean(_acc_norm), True, _acc_norm),
        Metric("acc_bytes", _mean(_acc_bytes), True, _acc_bytes),
        Metric("exact_match", _mean(_exact), True, _exact),
        Metric("f1", _f1, True),
        Metric("bleu", _sacre("bleu"), True),
        Metric("chrf", _sacre("chrf"), True),
        Metric("ter", _sacre("ter"), False),
        Metric("cer", _error_rate(list), False),
        Metric("wer", _error_rate(str.split), False),
        Metric("bits_per_byte", _ratio("ll", "bytes", lambda x: x / _LN2), False),
        Metric("bits_per_char", _ratio("ll", "chars", lambda x: x / _LN2), False),
        Metric("byte_perplexity", _ratio("ll", "bytes", math.exp), False),
        Metric("perplexity", _perplexity, False),
        Metric("word_perplexity", _ratio("ll", "words", math.exp), False),
        Metric("seqeval_f1", _seqeval, True),
        Metric("token_acc", _token_acc, True),
    ]
}


def bootstrap_ci(
    metric: Metric, items: Sequence[Item], *, iters: int = 1000, seed: int = 1234, alpha: float = 0.05
) -> tuple[float, float] | None:
    """Percentile bootstrap (1 - alpha) interval of ``metric`` over items; None when < 2 items.

    Mean metrics resample a vector of per-item values (fast); corpus metrics (BLEU,
    F1, bits-per-byte) recompute the aggregate on each resample, with at most 200 draws.
    """
    import numpy as np

    n = len(items)
    if n < 2 or iters <= 0:
        return None
    rng = np.random.default_rng(seed)
    if metric.item_value is not None:
        values = np.array([metric.item_value(i) for i in items], dtype=np.float64)
        stats = values[rng.integers(0, n, size=(iters, n))].mean(axis=1)
    else:
        draws = rng.integers(0, n, size=(min(iters, 200), n))
        stats = np.array([metric.aggregate([items[j] for j in row]) for row in draws])
    lo, hi = np.nanpercentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)
