"""Leaderboards across runs: one HTML page, Markdown, CSV and JSON, PNG figures; the CI gate is in gate.py.

Runs are results JSON files written by ``aimm eval`` or by lm-eval (its stderr gives a normal 95 %
interval). A system is named ``NAME=path``, else by its file stem, or by as many of its folders as
tell two files of the same stem apart (``baselines/morocco``, ``results/morocco``). The leaderboard
is systems x tasks on each task's primary metric, with aggregates per language/script group
(:mod:`aimm_nlp.report.board`); tasks a run skipped show n/a with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aimm_nlp.report.board import NORMALIZATION, Board, TaskInfo, load_board, run_names, split_run_arg  # noqa: F401
from aimm_nlp.report.gate import Regression, _scores, compare_to_baseline, regression_table
from aimm_nlp.report.page import _num

__all__ = ["Regression", "compare_to_baseline", "leaderboard_rows", "regression_table", "report"]


def leaderboard_rows(runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (task, metric, run): value, CI and language, sorted for display."""
    rows = []
    for run, data in runs.items():
        langs = data.get("lang") or {}
        for (task, metric), (value, ci) in _scores(data).items():
            rows.append({"run": run, "task": task, "metric": metric, "lang": langs.get(task) or "-",
                         "value": value, "ci": ci})  # fmt: skip
    return sorted(rows, key=lambda r: (r["lang"], r["task"], r["metric"], r["run"]))


#: the files :func:`report` writes (plots: ``<name>.png`` of each figure drawn)
OUTPUTS = ("leaderboard.md", "leaderboard.html", "leaderboard.csv", "leaderboard.json")
PLOTS = ("scores_by_group", "fertility", "training_curves")


def _cell_text(board: Board, system: str, task: TaskInfo) -> str:
    cell = board.cell(system, task.name)
    if cell is None or cell.value is None:
        return "n/a"
    text = _num(cell.value) + (f" ± {_num(cell.half_width)}" if cell.half_width is not None else "")
    return f"**{text}**" if system in board.best(task.name) else text


def _agg_text(board: Board, system: str, group: str | None) -> str:
    value, k, total = board.aggregate(system, group)
    return "n/a" if value is None else f"{value:.3f} ({k}/{total})"


def markdown(board: Board, *, title: str = "aimm_nlp leaderboard") -> str:
    """The leaderboard as Markdown: aggregates per group, then systems x tasks overall and per group."""
    groups = list(dict.fromkeys(t.group for t in board.tasks))
    lines = [f"# {title}", "", "Primary metric per task (↑ higher is better, ↓ lower), value ± half the 95 % "
             "interval; **bold**: best in the column; n/a: not run or not computable.", "", NORMALIZATION, "",
             "## Aggregates", "", "| system | overall | " + " | ".join(groups) + " |",
             "|---|---|" + "---|" * len(groups)]  # fmt: skip
    for s in board.systems:
        lines.append(
            f"| {s} | {_agg_text(board, s, None)} | "
            + " | ".join(_agg_text(board, s, g) for g in groups)
            + " |"
        )
    for group in (None, *groups):
        tasks = board.in_group(group)
        lines += ["", f"## {group or 'All tasks'}", "",
                  "| system | " + " | ".join(f"{t.name} ({t.primary} {'↑' if t.up(t.primary or '') else '↓'})" for t in tasks) + " |",
                  "|---|" + "---|" * len(tasks)]  # fmt: skip
        lines += [
            f"| {s} | " + " | ".join(_cell_text(board, s, t) for t in tasks) + " |" for s in board.systems
        ]
    notes = [f"- {s}: n/a where not run: {why}" for s, why in board.notes.items()]
    notes += [f"- {s}: {t}: skipped: {why}" for (s, t), why in board.skipped.items()]
    if notes:
        lines += ["", "## Not run", "", *notes]
    return "\n".join(lines) + "\n"


def long_rows(board: Board) -> list[dict[str, Any]]:
    """One row per (system, task, metric): the CSV and JSON outputs."""
    rows = []
    for (system, task, metric), cell in board.cells.items():
        t = board.task(task)
        rows.append({"system": system, "task": task, "lang": t.lang, "group": t.group, "metric": metric,
                     "primary": metric == t.primary, "higher_is_better": t.up(metric), "value": cell.value,
                     "ci_low": cell.ci[0] if cell.ci else None, "ci_high": cell.ci[1] if cell.ci else None,
                     "ci_kind": cell.ci_kind if cell.ci else None, "n": cell.n, "source": cell.source})  # fmt: skip
    return sorted(
        rows, key=lambda r: (board.systems.index(r["system"]), r["task"], not r["primary"], r["metric"])
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["system"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _json(board: Board) -> str:
    import json

    groups = list(dict.fromkeys(t.group for t in board.tasks))
    aggregates = {s: {g or "overall": dict(zip(("mean", "tasks", "of"), board.aggregate(s, g), strict=True))
                      for g in (None, *groups)} for s in board.systems}  # fmt: skip
    doc = {"format_version": 1, "normalization": NORMALIZATION, "systems": board.systems,
           "tasks": [{"task": t.name, "lang": t.lang, "group": t.group, "primary_metric": t.primary,
                      "higher_is_better": t.up(t.primary or "")} for t in board.tasks],
           "aggregates": aggregates, "scores": long_rows(board)}  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _refuse_replacing_a_run(folder: Path, runs: list[str]) -> None:
    """A run file that the report would overwrite (``--out`` holding it as ``leaderboard.md``, a link...)."""
    from aimm_nlp._io import same_file_as
    from aimm_nlp.errors import ConfigError

    for name in [*OUTPUTS, *(f"{p}.png" for p in PLOTS)]:
        run = same_file_as(folder / name, runs)
        if run is not None:
            raise ConfigError(
                f"{run}: this run file is {folder / name}, which the report writes; "
                "move the run file or pick another --out folder (nothing was written)"
            )


def report(
    runs: list[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str],
    baseline: str | None = None,
    title: str = "aimm_nlp leaderboard",
    summary: str | None = None,
    sections: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    tokenizer_report: str | os.PathLike[str] | None = None,
    training_runs: Mapping[str, str | os.PathLike[str]] | None = None,
) -> dict[str, Path]:
    """Write the leaderboard into ``out``: ``leaderboard.html`` (one self-contained page), ``.md``,
    ``.csv``, ``.json``, and each figure as ``<name>.png`` (also embedded in the page).

    Args:
        runs: results JSON files of ``aimm eval`` or lm-eval; ``NAME=path`` names the file's system,
            and files given the same name are merged into one row (see :mod:`aimm_nlp.report.board`).
        baseline: a system name: every score shows its difference to that system's, coloured.
        title: the page's title.
        summary: Markdown shown at the top of the overview (what the scores show).
        sections: extra views, Markdown text by title (the demo's story, corpus and tokenizer tables).
        notes: per system, what it cannot run (shown as the reason of its n/a cells).
        tokenizer_report: a folder saved by ``evaluate_tokenizers(...).save`` (``metrics.json``):
            adds the fertility figure.
        training_runs: run folders of ``aimm finetune`` by name (``metrics.jsonl``): adds the training curves.

    Every run file is read and checked before anything is written.

    Returns:
        The written paths by kind (``markdown``, ``html``, ``csv``, ``json``, ``plot:<name>``).

    Raises:
        InputFileError: a run file is missing, a folder, not UTF-8, not JSON or not a results file
            (a metric value that is not a number included), ``out`` is a file, or a tokenizer report or
            training run folder lacks its ``metrics.json`` / ``metrics.jsonl``.
        ConfigError: the same run file is given twice, ``baseline`` names no system, or a run file is one
            the report would write (``out/leaderboard.md``...).
    """
    import time

    from aimm_nlp._io import atomic_output
    from aimm_nlp.errors import ConfigError, InputFileError
    from aimm_nlp.report import plots
    from aimm_nlp.report.page import render_page

    board = load_board(runs, notes=dict(notes or {}))
    if baseline is not None and baseline not in board.systems:
        raise ConfigError(
            f"--baseline {baseline!r}: no such system; the systems are {', '.join(board.systems)}"
        )
    needed = [(Path(tokenizer_report), "metrics.json")] if tokenizer_report is not None else []
    needed += [(Path(p), "metrics.jsonl") for p in (training_runs or {}).values()]
    for folder_in, name in needed:
        if not (folder_in / name).is_file():
            raise InputFileError(
                f"{folder_in}: no {name} in this folder (nothing was written)", path=str(folder_in)
            )
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputFileError(f"{folder}: is a file; --out takes a folder for the report", path=str(folder))
    _refuse_replacing_a_run(folder, [split_run_arg(r)[1] for r in runs])
    figures = {"Primary scores per language/script group": ("scores_by_group", plots.scores_by_group(board))}
    if tokenizer_report is not None:
        figures["Tokenizer fertility by language"] = ("fertility", plots.fertility(tokenizer_report))
    if training_runs:
        figures["Training curves"] = ("training_curves", plots.training_curves(dict(training_runs)))
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, png in figures.values():
        if png is not None:
            with atomic_output(folder / f"{name}.png", mode="wb") as fh:
                fh.write(png)
            written[f"plot:{name}"] = folder / f"{name}.png"
    pngs = {t: png for t, (_, png) in figures.items() if png is not None}
    page = render_page(board, title=title, baseline=baseline, figures=pngs, sections=sections, summary=summary,
                       created=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))  # fmt: skip
    rows = long_rows(board)
    for kind, name, text in (("markdown", "leaderboard.md", markdown(board, title=title)), ("html", "leaderboard.html", page),
                             ("csv", "leaderboard.csv", _csv(rows)), ("json", "leaderboard.json", _json(board))):  # fmt: skip
        with atomic_output(folder / name) as fh:
            fh.write(text)
        written[kind] = folder / name
    return written
