"""The CI regression gate: is a run worse than its baseline, and are the two runs comparable at all?

Two runs are compared only when they scored the same documents with the same prompts: per task, the
sample counts (``n-samples``), the few-shot count (``n-shot``), the data file's sha256
(``provenance.data_sha256``) and the prompt hash (``provenance.prompt_sha256``) must agree, or
:func:`check_comparable` refuses. A check a file cannot support (lm-eval's results JSON has no data or
prompt hash; older aimm files no prompt hash) is skipped and named, never silently passed.

Each metric is compared by its own rule: perplexities (:data:`RELATIVE_METRICS`) by their relative change
(``0.01`` = 1 % worse), every other metric (accuracies, F1, BLEU, chrF, CER, bits per byte...) by its
absolute change; the direction comes from ``higher_is_better``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RELATIVE_METRICS", "Regression", "check_comparable", "compare_to_baseline", "regression_table"]

# unbounded scores whose scale spans orders of magnitude: a change is judged relative to the baseline
RELATIVE_METRICS = frozenset({"perplexity", "word_perplexity", "byte_perplexity"})


@dataclass(frozen=True)
class Regression:
    """A metric that moved the wrong way by more than the allowed drop.

    ``drop`` is absolute, or relative to ``baseline`` when ``rule`` is ``"relative"`` (perplexities).
    """

    task: str
    metric: str
    baseline: float
    current: float
    drop: float
    rule: str = "absolute"


def _scores(data: dict[str, Any]) -> dict[tuple[str, str], tuple[float | None, list[float] | None]]:
    """Every ``(task, metric)`` score; ``None`` where the run could not compute it (JSON ``null``).

    Files read with :func:`~aimm_nlp.evaluation.results.load_results` hold only numbers or ``null``
    there; any other value raises here rather than silently dropping its row.
    """
    from aimm_nlp.errors import DataError

    out = {}
    for task, row in data["results"].items():
        for key, value in row.items():
            metric, _, flt = key.partition(",")
            if not flt or metric.endswith(("_stderr", "_ci95")):
                continue
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise DataError(f"results.{task}.{key}: {value!r} is not a number")
            ci = row.get(f"{metric}_ci95,{flt}")
            ok_ci = (
                isinstance(ci, (list, tuple))
                and len(ci) == 2
                and all(isinstance(v, (int, float)) for v in ci)
            )
            out[(task, metric)] = (None if value is None else float(value), list(ci) if ok_ci else None)
    return out


def _bad_drop(value: Any) -> bool:
    return isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf


def compare_to_baseline(
    run: dict[str, Any],
    baseline: dict[str, Any],
    *,
    max_drop: float = 0.01,
    max_drops: Mapping[str, float] | None = None,
) -> list[Regression]:
    """Metrics of ``run`` worse than ``baseline`` by more than their allowed drop.

    The allowed drop of a metric is ``max_drops[metric]`` if given, else ``max_drop``; it is relative
    for :data:`RELATIVE_METRICS` (``0.01``: 1 % higher perplexity) and absolute for every other metric.
    Direction comes from ``higher_is_better``; a metric missing from ``run`` (or ``null`` there) is a
    regression; a ``null`` baseline score has nothing to compare with and is skipped. Whether the two
    runs are comparable at all is :func:`check_comparable`'s question.

    Raises:
        ConfigError: ``max_drop`` or a ``max_drops`` value is negative or not a number.

    Examples:
        >>> base = {"results": {"t": {"acc,none": 0.80}}, "higher_is_better": {"t": {"acc": True}}}
        >>> run = {"results": {"t": {"acc,none": 0.75}}, "higher_is_better": {"t": {"acc": True}}}
        >>> compare_to_baseline(run, base, max_drop=0.01)[0].drop
        0.05
        >>> ppl = lambda v: {"results": {"t": {"word_perplexity,none": v}}}
        >>> compare_to_baseline(ppl(5.5e19 * (1 + 1.8e-7)), ppl(5.5e19))  # relative: 1.8e-7 <= 0.01
        []
    """
    from aimm_nlp.errors import ConfigError

    max_drops = dict(max_drops or {})
    errors = [f"max_drop must be a number >= 0, got {max_drop!r}"] if _bad_drop(max_drop) else []
    errors += [
        f"max_drops[{m!r}] must be a number >= 0, got {v!r}" for m, v in max_drops.items() if _bad_drop(v)
    ]
    if errors:
        raise ConfigError(errors[0] if len(errors) == 1 else "invalid allowed drops:", errors=errors)
    mine, base = _scores(run), _scores(baseline)
    hib = {**(baseline.get("higher_is_better") or {}), **(run.get("higher_is_better") or {})}
    out = []
    for (task, metric), (value, _) in sorted(base.items()):
        if value is None:
            continue
        up = hib.get(task, {}).get(metric, True)
        current = mine.get((task, metric), (None, None))[0]
        current = math.nan if current is None else current
        drop = (value - current) if up else (current - value)
        rule = "relative" if metric in RELATIVE_METRICS else "absolute"
        if rule == "relative" and drop == drop:
            drop = drop / abs(value) if value else (math.inf if drop > 0 else 0.0)
        if current != current or drop > max_drops.get(metric, max_drop):  # NaN: missing metric
            shown = round(drop, 6) if drop == drop else math.inf
            out.append(Regression(task, metric, value, current, shown, rule))
    return out


def _per_task(data: dict[str, Any], *path: str) -> dict[str, Any] | None:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


# (what is compared, where each file records it per task, the fix when the two files differ)
_CHECKS = (
    ("sample count", ("n-samples",), "effective",
     "evaluate with the baseline's --limit (and the same data), or regenerate the baseline"),
    ("document count before --limit", ("n-samples",), "original",
     "the task's data changed: evaluate on the baseline's data, or regenerate the baseline"),
    ("few-shot count", ("n-shot",), None, "pass the baseline's --num-fewshot, or regenerate the baseline"),
    ("data_sha256", ("provenance", "data_sha256"), None,
     "the task's data file changed: evaluate on the baseline's data (--data), or regenerate the baseline"),
    ("prompt_sha256", ("provenance", "prompt_sha256"), None,
     "the task's prompt template or few-shot settings changed: use the baseline's task file, or "
     "regenerate the baseline"),
)  # fmt: skip


def check_comparable(run: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Refuse to compare runs that did not score the same documents with the same prompts.

    For every task scored by both files: sample counts, document counts, few-shot count, data and
    prompt hashes must be equal wherever both files record them. Returns the checks that could not be
    made (a key missing from one file, e.g. lm-eval's results JSON has no data or prompt hash), one line
    each, so the caller can say so.

    Raises:
        ConfigError: the runs differ; one error per task and check, naming both values and the fix.

    Examples:
        >>> base = {"results": {"t": {"acc,none": 0.8}}, "n-samples": {"t": {"original": 200, "effective": 200}}}
        >>> run = {"results": {"t": {"acc,none": 0.9}}, "n-samples": {"t": {"original": 200, "effective": 3}}}
        >>> check_comparable(run, base)
        Traceback (most recent call last):
        ...
        aimm_nlp.errors.ConfigError: the run and the baseline are not comparable (nothing was compared):
          - t: sample count differs (baseline 200, this run 3): evaluate with the baseline's --limit (and the same data), or regenerate the baseline
    """
    from aimm_nlp.errors import ConfigError

    tasks = sorted(set(run.get("results") or {}) & set(baseline.get("results") or {}))
    errors, unchecked = [], []
    for what, path, sub, fix in _CHECKS:
        mine, base = _per_task(run, *path), _per_task(baseline, *path)
        missing = []
        for task in tasks:
            a, b = (mine or {}).get(task), (base or {}).get(task)
            if sub is not None:
                a, b = (
                    (a.get(sub) if isinstance(a, dict) else None),
                    (b.get(sub) if isinstance(b, dict) else None),
                )
            if a is None or b is None:
                missing.append(task)
            elif a != b:
                errors.append(f"{task}: {what} differs (baseline {b}, this run {a}): {fix}")
        if missing:
            unchecked.append(f"{what} not compared (not recorded in both files): {', '.join(missing)}")
    if errors:
        raise ConfigError(
            "the run and the baseline are not comparable (nothing was compared):", errors=errors
        )
    return unchecked


def regression_table(
    regressions: list[Regression], *, max_drop: float, max_drops: Mapping[str, float] | None = None
) -> str:
    """A Markdown table of regressions for CI logs (relative drops are marked ``(rel.)``)."""
    allowed = ", ".join([str(max_drop), *(f"{m}={v}" for m, v in sorted((max_drops or {}).items()))])
    lines = [f"{len(regressions)} regression(s) beyond max drop {allowed}:", "",
             "| task | metric | baseline | current | drop |", "|---|---|---|---|---|"]  # fmt: skip
    for r in regressions:
        drop = f"{r.drop:.4f}" + (" (rel.)" if r.rule == "relative" else "")
        fmt = ".4g" if r.rule == "relative" else ".4f"  # perplexities span orders of magnitude
        lines.append(f"| {r.task} | {r.metric} | {r.baseline:{fmt}} | {r.current:{fmt}} | {drop} |")
    return "\n".join(lines)
