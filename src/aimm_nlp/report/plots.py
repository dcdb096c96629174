"""The report's figures (matplotlib, PNG bytes): one size, one font size, one colour per system.

- :func:`scores_by_group`: every task's normalized primary score with its 95 % interval, one panel per
  language/script group, one bar colour per system (a legend entry only for systems with a bar);
- :func:`fertility`: tokens per word by language, our tokenizer next to the reference tokenizers;
- :func:`training_curves`: training loss per step, evaluation points where the run evaluated.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aimm_nlp.report.board import Board, normalize

__all__ = ["WIDTH_IN", "fertility", "scores_by_group", "training_curves"]

WIDTH_IN = 10.0  # every figure is this wide (1000 px at DPI), so they line up in the report
DPI = 100
_STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "legend.fontsize": 9,
          "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False, "axes.spines.right": False}  # fmt: skip


@contextmanager
def _figure(rows: int, cols: int, height_per_row: float) -> Iterator[tuple[Any, Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(_STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH_IN, height_per_row * rows), squeeze=False)
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _colours(names: list[str]) -> dict[str, Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    return {name: cmap(i % 10) for i, name in enumerate(names)}


def _short(task: str) -> str:
    return task.removeprefix("mini_").replace("_", " ")


def scores_by_group(board: Board) -> bytes | None:
    """One figure: a panel per group, normalized primary score per task and system, 95 % interval bars."""
    groups = [g for g in dict.fromkeys(t.group for t in board.tasks)]
    panels = []
    for g in groups:
        tasks = [t for t in board.in_group(g) if normalize(t.primary or "", 0.5) is not None]
        if any(_norm_cell(board, s, t) for t in tasks for s in board.systems):
            panels.append((g, tasks))
    if not panels:
        return None
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    colours = _colours(board.systems)
    used: dict[str, Any] = {}
    with _figure(rows, cols, 3.0) as (fig, axes):
        for ax in axes.flat[len(panels) :]:
            ax.set_visible(False)
        for ax, (group, tasks) in zip(axes.flat, panels, strict=False):
            systems = [s for s in board.systems if any(_norm_cell(board, s, t) for t in tasks)]
            width = 0.8 / max(3, len(systems))
            for i, t in enumerate(tasks):  # the bars of a task centred on it, only systems that scored it
                here = [(s, got) for s in systems if (got := _norm_cell(board, s, t))]
                for k, (system, (y, low, high)) in enumerate(here):
                    x = i + width * (k - (len(here) - 1) / 2)
                    err = [[max(0.0, y - low)], [max(0.0, high - y)]]
                    used[system] = ax.bar([x], [y], width, yerr=err, capsize=2, color=colours[system])
            ax.set_xticks(range(len(tasks)))
            ax.set_xticklabels([_short(t.name) for t in tasks], rotation=20, ha="right")
            ax.set_ylim(0, 1.05)
            ax.set_title(group)
        for ax in axes[:, 0]:
            ax.set_ylabel("normalized score")
        fig.legend([used[s] for s in board.systems if s in used], [s for s in board.systems if s in used],
                   loc="lower center", ncol=min(6, len(used)), frameon=False)  # fmt: skip
        fig.suptitle("Primary score per task, normalized (1 = best possible), 95 % interval")
        fig.tight_layout(rect=(0, 0.08 if rows == 1 else 0.05, 1, 1))
        return _png(fig)


def _norm_cell(board: Board, system: str, task: Any) -> tuple[float, float, float] | None:
    """(value, low, high) of a cell on the normalized scale (low <= high whatever the direction)."""
    cell = board.cell(system, task.name)
    metric = task.primary or ""
    value = normalize(metric, cell.value) if cell else None
    if value is None:
        return None
    if cell.ci is None:
        return value, value, value
    a, b = normalize(metric, cell.ci[0]), normalize(metric, cell.ci[1])
    return value, min(a, b), max(a, b)


def fertility(folder: str | Path) -> bytes | None:
    """Tokens per word by language and tokenizer, from a saved tokenizer report (``metrics.json``)."""
    rows = json.loads((Path(folder) / "metrics.json").read_text("utf-8")).get("rows") or []
    rows = [r for r in rows if isinstance(r.get("fertility"), (int, float))]
    if not rows:
        return None
    langs = list(dict.fromkeys(r["lang"] for r in rows))
    toks = list(dict.fromkeys(r["tokenizer"] for r in rows))
    colours = _colours(toks)
    with _figure(1, 1, 3.4) as (fig, axes):
        ax = axes[0, 0]
        width = 0.8 / len(toks)
        for k, tok in enumerate(toks):
            found = {r["lang"]: r["fertility"] for r in rows if r["tokenizer"] == tok}
            xs = [i - 0.4 + width * (k + 0.5) for i, lang in enumerate(langs) if lang in found]
            ax.bar(xs, [found[lang] for lang in langs if lang in found], width, color=colours[tok], label=tok)
        ax.set_xticks(range(len(langs)))
        ax.set_xticklabels(langs)
        ax.set_ylabel("tokens per word (lower is better)")
        ax.set_title("Tokenizer fertility by language")
        ax.legend(frameon=False)
        fig.tight_layout()
        return _png(fig)


def _history(run: Path) -> list[dict[str, Any]]:
    log = run / "metrics.jsonl"
    out = []
    for line in log.read_text("utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("step"), (int, float)):
            out.append(rec)
    return out


def training_curves(runs: dict[str, str | Path]) -> bytes | None:
    """Training loss per step of each run folder (``metrics.jsonl``), evaluation loss as points."""
    found = {name: h for name, run in runs.items() if (h := _history(Path(run)))}
    if not found:
        return None
    cols = min(2, len(found))
    with _figure(math.ceil(len(found) / cols), cols, 3.0) as (fig, axes):
        for ax in axes.flat[len(found) :]:
            ax.set_visible(False)
        for ax, (name, hist) in zip(axes.flat, found.items(), strict=False):
            train = [(h["step"], h["loss"]) for h in hist if isinstance(h.get("loss"), (int, float))]
            evals = [
                (h["step"], h["eval_loss"]) for h in hist if isinstance(h.get("eval_loss"), (int, float))
            ]
            if train:
                ax.plot(*zip(*train, strict=True), color="#1f77b4", label="training loss")
            if evals:
                ax.plot(*zip(*evals, strict=True), "o", color="#d62728", label="evaluation loss")
            ax.set_title(name)
            ax.set_xlabel("optimizer step")
            ax.set_ylabel("loss")
            if train or evals:
                ax.legend(frameon=False)
        fig.tight_layout()
        return _png(fig)
