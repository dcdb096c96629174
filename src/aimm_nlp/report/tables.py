"""Leaderboards across runs (Markdown + HTML + PNG with CI bars); the CI regression gate is in gate.py.

Runs are results JSON files written by ``aimm eval`` (lm-eval's own files load too, without
intervals). A run is named by its file stem, or by as many of its folders as tell two files of the same
stem apart (``baselines/morocco``, ``results/morocco``). Rows are grouped by language/script (the task's
``lang``), so e.g. Darija in Arabic script and in Arabizi sit side by side; tasks a suite run
skipped are listed under the table with their reasons.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from aimm_nlp.report.gate import Regression, _scores, compare_to_baseline, regression_table

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


def _skipped(runs: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(run, s["task"], s["reason"]) for run, data in runs.items() for s in data.get("skipped") or []]


def _markdown(rows: list[dict[str, Any]], runs: list[str], skipped: list[tuple[str, str, str]] = ()) -> str:
    lines = ["# aimm_nlp leaderboard", "", "| task | lang | metric | " + " | ".join(runs) + " |",
             "|---|---|---|" + "---|" * len(runs)]  # fmt: skip
    cells: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in rows:
        ci = f" [{r['ci'][0]:.4f}, {r['ci'][1]:.4f}]" if r["ci"] else ""
        value = "n/a" if r["value"] is None else f"{r['value']:.4f}{ci}"  # null: the run could not score it
        cells.setdefault((r["task"], r["lang"], r["metric"]), {})[r["run"]] = value
    for (task, lang, metric), by_run in cells.items():
        lines.append(
            f"| {task} | {lang} | {metric} | " + " | ".join(by_run.get(run, "-") for run in runs) + " |"
        )
    if skipped:
        lines += ["", "## Skipped tasks", ""] + [f"- {run}: {task}: {why}" for run, task, why in skipped]
    return "\n".join(lines) + "\n"


def _html(markdown: str, plots: list[str], skipped: list[tuple[str, str, str]] = ()) -> str:
    rows = [line.strip("|").split("|") for line in markdown.splitlines() if line.startswith("|")]
    head, body = rows[0], rows[2:]
    th = "".join(f"<th>{html.escape(c.strip())}</th>" for c in head)
    trs, lang = "", None
    for row in body:
        if row[1].strip() != lang:  # one band per language/script
            lang = row[1].strip()
            trs += f'<tr class="lang"><th colspan="{len(head)}">{html.escape(lang)}</th></tr>'
        trs += "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in row) + "</tr>"
    if skipped:
        items = "".join(
            f"<li>{html.escape(run)}: <b>{html.escape(task)}</b>: {html.escape(why)}</li>"
            for run, task, why in skipped
        )
        trs_tail = f'<h2>Skipped tasks</h2><ul class="skipped">{items}</ul>'
    else:
        trs_tail = ""
    imgs = "".join(f'<figure><img src="{html.escape(p)}" alt="{html.escape(p)}"></figure>' for p in plots)
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>aimm_nlp leaderboard</title>'
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px 8px}</style></head><body><h1>aimm_nlp leaderboard</h1>"
        f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>{trs_tail}{imgs}</body></html>\n"
    )


def _plot(rows: list[dict[str, Any]], runs: list[str], metric: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted({(r["task"], r["lang"]) for r in rows if r["metric"] == metric})
    fig, ax = plt.subplots(figsize=(max(4, 1.2 * len(labels) * max(1, len(runs)) / 2), 3.5))
    width = 0.8 / max(1, len(runs))
    for k, run in enumerate(runs):
        found = {
            (r["task"], r["lang"]): r
            for r in rows
            if r["metric"] == metric and r["run"] == run and r["value"] is not None
        }
        xs = [i + k * width for i, lab in enumerate(labels) if lab in found]
        vals = [found[lab]["value"] for lab in labels if lab in found]
        errs = [[max(0.0, found[lab]["value"] - found[lab]["ci"][0]) if found[lab]["ci"] else 0 for lab in labels if lab in found],
                [max(0.0, found[lab]["ci"][1] - found[lab]["value"]) if found[lab]["ci"] else 0 for lab in labels if lab in found]]  # fmt: skip
        ax.bar(xs, vals, width, yerr=errs, capsize=3, label=run)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))])
    ax.set_xticklabels([f"{t}\n{lang}" for t, lang in labels], fontsize=7)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} per task / language (95% CI)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_names(paths: list[str | os.PathLike[str]]) -> list[str]:
    """A column name per results file: its stem, with parent folders added where stems collide.

    Raises:
        ConfigError: the same file is named twice.
    """
    from aimm_nlp.errors import ConfigError

    parts = [Path(os.path.abspath(p)).with_suffix("").parts for p in paths]
    depth = [1] * len(parts)
    while True:
        names = ["/".join(pp[-d:]) for pp, d in zip(parts, depth, strict=True)]
        seen: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            seen.setdefault(name, []).append(i)
        clashes = [group for group in seen.values() if len(group) > 1]
        if not clashes:
            return names
        for group in clashes:
            if all(depth[i] >= len(parts[i]) for i in group):
                raise ConfigError(f"{paths[group[0]]} is given twice; name each results file once")
            for i in group:
                depth[i] = min(depth[i] + 1, len(parts[i]))


def _refuse_replacing_a_run(
    folder: Path, runs: list[str | os.PathLike[str]], rows: list[dict[str, Any]]
) -> None:
    """A run file that the report would overwrite (``--out`` holding it as ``leaderboard.md``, a link...)."""
    from aimm_nlp._io import same_file_as
    from aimm_nlp.errors import ConfigError

    metrics = sorted({r["metric"] for r in rows})
    for name in ["leaderboard.md", "leaderboard.html", *(f"{m}.png" for m in metrics)]:
        run = same_file_as(folder / name, runs)
        if run is not None:
            raise ConfigError(
                f"{run}: this run file is {folder / name}, which the report writes; "
                "move the run file or pick another --out folder (nothing was written)"
            )


def report(runs: list[str | os.PathLike[str]], *, out: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``leaderboard.md``, ``leaderboard.html`` and one PNG per metric into ``out``.

    Every run file is read and checked before anything is written.

    Returns:
        The written paths by kind (``markdown``, ``html``, ``plot:<metric>``).

    Raises:
        InputFileError: a run file is missing, a folder, not UTF-8, not JSON or not a results file
            (a metric value that is not a number included), or ``out`` is a file.
        ConfigError: the same run file is given twice, or a run file is one the report would write
            (``out/leaderboard.md``...).
    """
    from aimm_nlp._io import atomic_output
    from aimm_nlp.errors import InputFileError
    from aimm_nlp.evaluation.results import load_results

    loaded = dict(zip(run_names(runs), map(load_results, runs), strict=True))
    names = list(loaded)
    rows = leaderboard_rows(loaded)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputFileError(f"{folder}: is a file; --out takes a folder for the report", path=str(folder))
    _refuse_replacing_a_run(folder, runs, rows)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    plots = []
    for metric in sorted({r["metric"] for r in rows}):
        png = folder / f"{metric}.png"
        _plot(rows, names, metric, png)
        written[f"plot:{metric}"] = png
        plots.append(png.name)
    skipped = _skipped(loaded)
    md = _markdown(rows, names, skipped)
    with atomic_output(folder / "leaderboard.md") as fh:
        fh.write(md)
    with atomic_output(folder / "leaderboard.html") as fh:
        fh.write(_html(md, plots, skipped))
    written["markdown"] = folder / "leaderboard.md"
    written["html"] = folder / "leaderboard.html"
    return written
