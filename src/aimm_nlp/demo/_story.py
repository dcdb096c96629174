"""The demo report's "What this shows": sentences computed from the scores, never written in advance.

Where the tiny classifier beats the majority baseline (and whether the 95 % intervals are apart),
where it still loses to the character n-gram baseline and why, what the tiny causal LM's numbers mean.
"""

from __future__ import annotations

from typing import Any

from aimm_nlp.report.board import Board

#: what each demo system cannot run: the reason shown on its n/a cells
SYSTEM_NOTES = {
    "tiny_classifier": "a sequence classifier: it cannot generate text or score bits per byte",
    "baseline_majority": "a classification baseline: it cannot generate text or score bits per byte",
    "baseline_char_ngram": "a classification baseline: it cannot generate text or score bits per byte",
    "pipelines": "language ID and transliteration pipelines only (no model)",
    "tiny_causal_lm": "the tiny causal LM runs classification (label scoring), bits per byte and generation",
}


def _score(board: Board, system: str, task: str) -> Any:
    cell = board.cell(system, task) if any(t.name == task for t in board.tasks) else None
    return cell if cell is not None and cell.value is not None else None


def _fmt(cell: Any) -> str:
    hw = f" ± {cell.half_width:.3f}" if cell.half_width is not None else ""
    return f"{cell.value:.3f}{hw}"


def _apart(a: Any, b: Any) -> bool:
    """Whether a's 95 % interval lies wholly above b's."""
    return a.ci is not None and b.ci is not None and a.ci[0] > b.ci[1]


def story(board: Board, *, n_train: int, epochs: int) -> str:
    """Markdown bullets about the classifier, the baselines and the causal LM, from the scores in ``board``."""
    sentiment = [t for t in board.tasks if "sentiment" in t.name]
    lines = []
    for t in sentiment:
        mine, major = _score(board, "tiny_classifier", t.name), _score(board, "baseline_majority", t.name)
        if mine is None or major is None:
            continue
        if _apart(mine, major):
            verdict = "beats it clearly (the 95 % intervals do not overlap)"
        elif mine.value > major.value:
            verdict = "is above it, but the 95 % intervals overlap"
        else:
            verdict = "does NOT beat it"
        lines.append(
            f"- **{t.name}** ({t.primary}): the tiny classifier scores {_fmt(mine)}, the majority baseline "
            f"{_fmt(major)}: the classifier {verdict}."
        )
    losses = []
    for t in sentiment:
        mine, ngram = _score(board, "tiny_classifier", t.name), _score(board, "baseline_char_ngram", t.name)
        if mine is not None and ngram is not None and ngram.value > mine.value:
            losses.append(f"{t.name} ({_fmt(mine)} vs {_fmt(ngram)})")
    if losses:
        lines.append(
            "- **Where it loses:** the character n-gram baseline is better on "
            + "; ".join(losses)
            + ". Why: the "
            f"classifier is a tiny BERT trained from scratch on {n_train} labelled sentences for {epochs} epochs, "
            "so it must learn every embedding from those few sentences, while character n-grams need no "
            "pretraining and generalize from a few hundred examples (shared stems, Arabizi spellings). "
            "Fine-tuning a pretrained encoder with `aimm finetune` is what closes this gap; the demo trains from "
            "scratch so that it runs offline in a few minutes."
        )
    elif any(_score(board, "tiny_classifier", t.name) for t in sentiment):
        lines.append(
            "- The tiny classifier is at or above the character n-gram baseline on every sentiment task."
        )
    bpb = [t for t in board.tasks if t.primary == "bits_per_byte" and _score(board, "tiny_causal_lm", t.name)]
    if bpb:
        shown = ", ".join(f"{t.lang} {_score(board, 'tiny_causal_lm', t.name).value:.2f}" for t in bpb)
        lines.append(
            f"- **Tiny causal LM, bits per byte** (lower is better; 8 = no better than uniform over bytes): {shown}. "
            "It was trained on the demo corpus only, so these compare languages for this one tiny model; word "
            "perplexities are in the task details, not in the leaderboard (their scale spans orders of magnitude)."
        )
    gen = [
        t for t in board.tasks if t.primary in ("chrf", "bleu") and _score(board, "tiny_causal_lm", t.name)
    ]
    if gen:
        values = {t.name: _score(board, "tiny_causal_lm", t.name).value for t in gen}
        verdict = (
            "values this low say that a model this small and this briefly trained does not translate, as expected"
            if max(values.values()) < 10
            else "read them as a smoke test, not as translation quality"
        )
        lines.append(
            "- **Translation** is scored only for the causal LM, the one system that can generate (the others "
            f"show n/a with the reason): chrF {', '.join(f'{k} {v:.1f}' for k, v in values.items())}; {verdict}."
        )
    return "\n".join(lines) + "\n" if lines else "No score to comment on.\n"
