"""Scores of the language identifier on labelled texts (used by :func:`aimm_nlp.text.langid.evaluate`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LangidScores", "score_guesses"]


@dataclass(frozen=True)
class LangidScores:
    """Accuracy and per-label scores of :func:`evaluate_langid`.

    Returned by :func:`aimm_nlp.text.langid.evaluate`. ``macro_f1`` averages the F1 of the labels found in
    the gold column (a predicted label that never
    occurs in the gold column, such as ``und``, only costs recall). ``confusion[gold][pred]`` counts rows.
    """

    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_label": self.per_label,
            "confusion": self.confusion,
        }


def score_guesses(gold: list[str], pred: list[str]) -> LangidScores:
    """Score predicted codes against gold codes (the work of :func:`aimm_nlp.text.langid.evaluate`)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(gold))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    confusion: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for g, q in zip(gold, pred, strict=True):
        confusion[g][q] += 1
    return LangidScores(
        n=len(gold),
        accuracy=sum(g == q for g, q in zip(gold, pred, strict=True)) / len(gold),
        macro_f1=float(f.mean()),
        per_label={
            label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, label in enumerate(labels)
        },
        confusion={g: dict(sorted(c.items())) for g, c in confusion.items()},
    )
