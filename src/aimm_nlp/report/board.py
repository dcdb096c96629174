"""The leaderboard as data: systems x tasks on each task's primary metric, groups, normalized aggregates.

A *system* is one model (or baseline) and may come from several results files: ``NAME=path`` names a
file's system, and files given the same name are merged (e.g. aimm's run and lm-eval's run of the same
model, or a model's generation run cut to ``--limit`` next to its full run). Rows for the same
task/metric merge into one cell; where two files both score it, the first file given wins and the
other value is kept in :attr:`Board.duplicates`. lm-eval's own results JSON is read as it is
(:mod:`aimm_nlp.report.lmeval`).

Each task has a primary metric (``primary_metric:`` in its YAML, else its type's default, see
:func:`aimm_nlp.evaluation.schema.primary_metric`) and a language/script group (:data:`GROUPS`).
Aggregates average *normalized* primaries (:func:`normalize`, described by :data:`NORMALIZATION`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["GROUPS", "NORMALIZATION", "Board", "Cell", "TaskInfo", "load_board", "normalize", "run_names"]

#: the language/script groups of the per-group views, in display order; ``multi``: several languages
GROUPS = ("ary_Arab", "ary_Latn", "arb_Arab", "fra_Latn", "eng_Latn", "zgh_Tfng", "ber_Latn", "multi")
#: codes that join a group (FLORES' Amazigh varieties join the Amazigh group of their script)
GROUP_OF = {"tzm_Tfng": "zgh_Tfng", "taq_Tfng": "zgh_Tfng", "kab_Latn": "ber_Latn", "zgh_Latn": "ber_Latn"}
#: a native-script label per group, shown next to the code
GROUP_LABELS = {"ary_Arab": "الدارجة", "ary_Latn": "Darija (Arabizi)", "arb_Arab": "العربية الفصحى",
                "fra_Latn": "Français", "eng_Latn": "English", "zgh_Tfng": "ⵜⴰⵎⴰⵣⵉⵖⵜ",
                "ber_Latn": "Tamaziɣt", "multi": "several languages"}  # fmt: skip

NORMALIZATION = (
    "Aggregates are the mean, over the tasks a system ran, of its primary score rescaled to 0-1 "
    "(1 = best possible): accuracy and F1 as they are; chrF, BLEU and other 0-100 scores / 100; "
    "error rates (CER, WER, TER / 100) as 1 - rate (0 when the rate is 1 or more); bits per byte as "
    "1 - bpb / 8 (8 bits per byte: a model no better than uniform over bytes). Other metrics are left out "
    "of aggregates. The coverage (tasks averaged / tasks in the group) is shown beside each aggregate."
)
_PERCENT = {"chrf", "bleu"}
_RATES = {"cer", "wer"}


def normalize(metric: str, value: float | None) -> float | None:
    """``value`` of ``metric`` on the 0-1 scale of :data:`NORMALIZATION`; None when it has none.

    Examples:
        >>> normalize("chrf", 42.0), normalize("cer", 0.25), normalize("bits_per_byte", 2.0)
        (0.42, 0.75, 0.75)
        >>> normalize("word_perplexity", 12.5) is None
        True
    """
    if value is None or not math.isfinite(value):
        return None
    base = metric.split(",")[0]
    if base in _PERCENT:
        out = value / 100
    elif base in _RATES or base == "ter":
        out = 1 - (value / 100 if base == "ter" else value)
    elif base == "bits_per_byte":
        out = 1 - value / 8
    elif base in {"acc", "acc_norm", "f1", "seqeval_f1", "token_acc", "exact_match", "mcc"} or base.endswith(
        ("_acc", "_f1")
    ):
        out = value
    else:
        return None
    return min(1.0, max(0.0, out))


@dataclass(frozen=True)
class Cell:
    """One score: value (None: the run could not compute it), 95 % interval, item count, where from."""

    value: float | None
    ci: tuple[float, float] | None
    n: int | None
    source: str
    ci_kind: str = "bootstrap"

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (the ``±`` shown)."""
        return None if self.ci is None else (self.ci[1] - self.ci[0]) / 2


@dataclass(frozen=True)
class TaskInfo:
    """A task as the report describes it (from the results files' ``configs``, ``lang``, provenance)."""

    name: str
    lang: str
    group: str
    primary: str | None
    higher_is_better: dict[str, bool]
    output_type: str = "-"
    version: Any = None
    n_shot: Any = None
    config: dict[str, Any] = field(default_factory=dict)
    data_sha256: str | None = None
    prompt_sha256: str | None = None
    example: dict[str, Any] | None = None

    def up(self, metric: str) -> bool:
        """Whether higher is better for ``metric`` (True when no file says)."""
        return self.higher_is_better.get(metric, True)


@dataclass(frozen=True)
class Board:
    """Systems, tasks and every cell; ``notes[system]`` says why a system ran no task of some kind."""

    systems: list[str]
    tasks: list[TaskInfo]
    cells: dict[tuple[str, str, str], Cell]
    files: dict[str, list[str]]
    provenance: dict[str, list[dict[str, Any]]]
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def metrics(self, task: str) -> list[str]:
        """Every metric of ``task`` some system scored, primary first."""
        info = self.task(task)
        found = sorted({m for (_, t, m) in self.cells if t == task})
        return sorted(found, key=lambda m: m != info.primary)

    def task(self, name: str) -> TaskInfo:
        return next(t for t in self.tasks if t.name == name)

    def cell(self, system: str, task: str, metric: str | None = None) -> Cell | None:
        """A system's score on ``task`` (its primary metric unless ``metric`` is given)."""
        return self.cells.get((system, task, metric or self.task(task).primary or ""))

    def best(self, task: str, metric: str | None = None) -> set[str]:
        """The systems with the best score in a column (empty with fewer than two scores)."""
        metric = metric or self.task(task).primary or ""
        scored = {
            s: c.value
            for s in self.systems
            if (c := self.cells.get((s, task, metric))) and c.value is not None
        }
        if len(scored) < 2:
            return set()
        top = (max if self.task(task).up(metric) else min)(scored.values())
        return {s for s, v in scored.items() if v == top}

    def in_group(self, group: str | None) -> list[TaskInfo]:
        return [t for t in self.tasks if group is None or t.group == group]

    def aggregate(self, system: str, group: str | None = None) -> tuple[float | None, int, int]:
        """(mean normalized primary, tasks averaged, tasks in the group) of ``system``."""
        tasks = self.in_group(group)
        values = []
        for t in tasks:
            c = self.cell(system, t.name)
            norm = normalize(t.primary or "", c.value) if c else None
            if norm is not None:
                values.append(norm)
        return (sum(values) / len(values) if values else None), len(values), len(tasks)

    def missing_reason(self, system: str, task: str) -> str:
        """Why a system has no score on a task (n/a)."""
        if (system, task) in self.skipped:
            return f"skipped: {self.skipped[(system, task)]}"
        c = self.cell(system, task)
        if c is not None and c.value is None:
            return "the run could not compute this score"
        return f"not run: {self.notes[system]}" if system in self.notes else "not run by this system"


def group_of(lang: str | None) -> str:
    """The group of a task's ``lang`` (``ary_Arab+ary_Latn``: several languages, ``multi``)."""
    if not lang or "+" in lang:
        return "multi"
    lang = GROUP_OF.get(lang, lang)
    return lang if lang in GROUPS else "multi"


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


def split_run_arg(arg: str | os.PathLike[str]) -> tuple[str | None, str]:
    """``NAME=path`` -> (NAME, path); a plain path (or an existing file whose name has ``=``) -> (None, path)."""
    text = os.fspath(arg)
    name, sep, path = text.partition("=")
    if sep and name and "/" not in name and os.sep not in name and not Path(text).exists():
        return name, path
    return None, text


def _example(path: str, task: str) -> dict[str, Any] | None:
    """The first logged item of ``task`` in the run's ``<stem>.samples.jsonl`` (input and target), if any."""
    import json

    log = Path(path).with_suffix(".samples.jsonl")
    try:
        with log.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if isinstance(rec, dict) and rec.get("task") == task:
                    shown = {
                        k: rec.get(k) for k in ("request", "gold", "ref", "target") if rec.get(k) is not None
                    }
                    return {k: str(v)[:200] for k, v in shown.items()} or None
    except (OSError, ValueError, UnicodeError):
        return None
    return None


def load_board(runs: list[str | os.PathLike[str]], *, notes: dict[str, str] | None = None) -> Board:
    """Read every results file (``NAME=path`` names its system) and build the :class:`Board`.

    Raises:
        InputFileError: a run file is missing or not a results file (see ``load_results``).
        ConfigError: the same file is given twice.
    """
    from aimm_nlp.evaluation.results import load_results
    from aimm_nlp.evaluation.schema import primary_metric
    from aimm_nlp.report.lmeval import as_aimm

    parsed = [split_run_arg(r) for r in runs]
    plain = [p for name, p in parsed if name is None]
    auto = iter(run_names(plain)) if plain else iter(())
    named = [(name or next(auto), path) for name, path in parsed]
    if len({os.path.abspath(p) for _, p in named}) < len(named):
        from aimm_nlp.errors import ConfigError

        twice = next(p for i, (_, p) in enumerate(named) if os.path.abspath(p) in
                     {os.path.abspath(q) for _, q in named[:i]})  # fmt: skip
        raise ConfigError(f"{twice} is given twice; name each results file once")
    systems: list[str] = []
    cells: dict[tuple[str, str, str], Cell] = {}
    files: dict[str, list[str]] = {}
    prov: dict[str, list[dict[str, Any]]] = {}
    skipped: dict[tuple[str, str], str] = {}
    duplicates: list[str] = []
    tasks: dict[str, TaskInfo] = {}
    for system, path in named:
        data, ci_kind = as_aimm(load_results(path))
        if system not in systems:
            systems.append(system)
        files.setdefault(system, []).append(str(path))
        prov.setdefault(system, []).append(data.get("provenance") or {})
        for s in data.get("skipped") or []:
            skipped.setdefault((system, s["task"]), str(s.get("reason", "")))
        for task, row in data["results"].items():
            n = ((data.get("n-samples") or {}).get(task) or {}).get("effective")
            for metric, (value, ci) in _row_scores(row).items():
                key = (system, task, metric)
                new = Cell(value, ci, n, str(path), ci_kind)
                if key in cells:
                    old = cells[key]
                    duplicates.append(f"{system}: {task} {metric}: {_fmt(old.value)} from {old.source} kept, "
                                      f"{_fmt(value)} from {path} also given")  # fmt: skip
                    continue
                cells[key] = new
            if task not in tasks:
                tasks[task] = _task_info(task, data, path, primary_metric)
            else:  # a later file may know the direction of more metrics
                hib = {
                    **((data.get("higher_is_better") or {}).get(task) or {}),
                    **tasks[task].higher_is_better,
                }
                tasks[task] = _replace(tasks[task], higher_is_better=hib)
    for name, info in tasks.items():  # a primary no file scored (lm-eval filters: "exact_match,strict-match")
        scored = sorted({m for (_, t, m) in cells if t == name})
        if info.primary not in scored and scored:
            alt = [m for m in scored if m.split(",")[0] == info.primary] or scored
            tasks[name] = _replace(info, primary=alt[0])
    order = {g: i for i, g in enumerate(GROUPS)}
    ordered = sorted(tasks.values(), key=lambda t: (order[t.group], t.name))
    return Board(systems, ordered, cells, files, prov, skipped, duplicates, dict(notes or {}))


def _replace(info: TaskInfo, **changes: Any) -> TaskInfo:
    import dataclasses

    return dataclasses.replace(info, **changes)


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.4g}"


def _row_scores(row: dict[str, Any]) -> dict[str, tuple[float | None, tuple[float, float] | None]]:
    out = {}
    for key, value in row.items():
        metric, sep, flt = key.partition(",")
        if not sep or metric.endswith(("_stderr", "_ci95")):
            continue
        ci = row.get(f"{metric}_ci95,{flt}")
        ok = isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci)
        name = metric if flt == "none" else f"{metric},{flt}"
        out[name] = (None if value is None else float(value), (float(ci[0]), float(ci[1])) if ok else None)
    return out


def _task_info(task: str, data: dict[str, Any], path: str, primary_metric: Any) -> TaskInfo:
    config = (data.get("configs") or {}).get(task) or {}
    prov = data.get("provenance") or {}
    lang = (data.get("lang") or {}).get(task) or config.get("lang") or "-"
    return TaskInfo(
        name=task,
        lang=lang,
        group=group_of(lang if lang != "-" else None),
        primary=primary_metric(config) if config else None,
        higher_is_better=dict((data.get("higher_is_better") or {}).get(task) or {}),
        output_type=str(config.get("output_type", "-")),
        version=(data.get("versions") or {}).get(task),
        n_shot=(data.get("n-shot") or {}).get(task),
        config=config,
        data_sha256=(prov.get("data_sha256") or {}).get(task) or (data.get("task_hashes") or {}).get(task),
        prompt_sha256=(prov.get("prompt_sha256") or {}).get(task),
        example=_example(path, task),
    )
