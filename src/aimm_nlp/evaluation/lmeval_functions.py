"""Metric functions for the task files ``aimm tasks export --lm-eval`` writes (lm-eval lacks them).

This file is copied as it is next to the exported YAMLs (``aimm_lmeval_functions.py``), which name
its functions with lm-eval's ``!function`` tag, so it imports nothing from aimm_nlp: lm-eval runs the
exported tasks where aimm is not installed. Each function computes what the aimm metric of the same
name computes (:mod:`aimm_nlp.evaluation.metrics`), so both harnesses give the same score.

- ``macro_f1``: aggregation of ``f1`` items ``(gold, pred)``, macro F1 over the classes present in
  gold or predictions (lm-eval's own ``f1`` is binary and fails on three classes).
- ``process_label`` / ``process_text``: ``process_results`` of exported pipeline tasks, whose docs
  carry the rendered target in ``_aimm_target``; the first gives ``acc`` and ``f1`` items, the
  second ``cer``, ``wer`` and ``chrf`` items.
- ``cer`` / ``wer``: aggregations, edits over reference length summed over the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["cer", "edit_distance", "macro_f1", "process_label", "process_text", "wer"]


def macro_f1(items: Sequence[tuple[Any, Any]]) -> float:
    """Macro F1 of ``(gold, pred)`` pairs over the labels present in either.

    Examples:
        >>> round(macro_f1([(0, 0), (1, 2), (2, 2)]), 4)
        0.5556
    """
    golds, preds = [g for g, _ in items], [p for _, p in items]
    labels = sorted(set(golds) | set(preds), key=str)
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(golds, preds, strict=True))
        fp = sum(g != label and p == label for g, p in zip(golds, preds, strict=True))
        fn = sum(g == label and p != label for g, p in zip(golds, preds, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else float("nan")


def edit_distance(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Levenshtein distance (insertions, deletions, substitutions cost 1).

    Examples:
        >>> edit_distance("salam", "slam"), edit_distance("سلام", "سلاام")
        (1, 1)
    """
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _rate(items: Sequence[tuple[str, str]], split: Any) -> float:
    edits = sum(edit_distance(split(pred), split(ref)) for pred, ref in items)
    total = sum(len(split(ref)) for _, ref in items)
    return edits / total if total else float("nan")


def cer(items: Sequence[tuple[str, str]]) -> float:
    """Character error rate of ``(pred, ref)`` pairs: character edits / reference characters.

    Examples:
        >>> cer([("salam", "slam"), ("ⴰⵣⵓⵍ", "ⴰⵣⵓⵍ")])
        0.125
    """
    return _rate(items, list)


def wer(items: Sequence[tuple[str, str]]) -> float:
    """Word error rate of ``(pred, ref)`` pairs: word edits / reference words (whitespace split)."""
    return _rate(items, str.split)


def _pred_ref(doc: dict[str, Any], results: Sequence[str]) -> tuple[str, str]:
    return str(results[0]), str(doc["_aimm_target"])


def process_label(doc: dict[str, Any], results: Sequence[str]) -> dict[str, Any]:
    """``acc`` and ``f1`` items of one doc of an exported label pipeline task (language ID, script ID)."""
    pred, ref = _pred_ref(doc, results)
    return {"acc": float(pred == ref), "f1": (ref, pred)}


def process_text(doc: dict[str, Any], results: Sequence[str]) -> dict[str, Any]:
    """``cer``, ``wer`` and ``chrf`` items of one doc of an exported text pipeline task (transliteration)."""
    pred, ref = _pred_ref(doc, results)
    return {"cer": (pred, ref), "wer": (pred, ref), "chrf": (ref, pred)}
