"""``Results``: a superset of lm-eval's results JSON, plus provenance, CIs and per-item logs.

Top-level keys shared with lm-eval: ``results`` (``"acc,none"`` style keys), ``versions``,
``configs``, ``n-shot``, ``higher_is_better``, ``n-samples``. aimm adds ``"<metric>_ci95,none"``
bootstrap intervals inside ``results``, ``lang`` per task, a ``provenance`` block (sha256 of
data files, weights and tokenizer, package versions, seed, batch size, device,
prompt-template hashes) and ``schema_version``. Files are written atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "Results", "load_results"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Results:
    """Scores of one evaluation run.

    ``scores[task][metric]`` is the value, ``ci95[task][metric]`` its (low, high)
    bootstrap interval, ``samples[task]`` the per-item log, ``skipped`` the ``(task, reason)``
    pairs a suite run could not serve, ``suite`` the suite's name, version and data sources.
    """

    scores: dict[str, dict[str, float]]
    ci95: dict[str, dict[str, tuple[float, float] | None]]
    versions: dict[str, Any]
    configs: dict[str, dict[str, Any]]
    n_shot: dict[str, int]
    higher_is_better: dict[str, dict[str, bool]]
    n_samples: dict[str, dict[str, int]]
    langs: dict[str, str | None]
    provenance: dict[str, Any]
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    suite: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (lm-eval's keys + aimm's)."""
        results: dict[str, dict[str, Any]] = {}
        for task, scores in self.scores.items():
            row: dict[str, Any] = {"alias": task}
            for metric, value in scores.items():
                row[f"{metric},none"] = value
                ci = self.ci95[task].get(metric)
                row[f"{metric}_ci95,none"] = list(ci) if ci else None
            results[task] = row
        return {
            "schema_version": SCHEMA_VERSION,
            "results": results,
            "versions": self.versions,
            "configs": self.configs,
            "n-shot": self.n_shot,
            "higher_is_better": self.higher_is_better,
            "n-samples": self.n_samples,
            "lang": self.langs,
            "provenance": self.provenance,
            "group": self.suite,
            "skipped": [{"task": t, "reason": r} for t, r in self.skipped],
        }

    def write(self, path: str | os.PathLike[str], *, samples: bool = True) -> Path:
        """Write the JSON (and ``<stem>.samples.jsonl`` per-item log) atomically; return the JSON path."""
        from aimm_nlp._io import atomic_output

        path = Path(path)
        if samples:
            with atomic_output(path.with_suffix(".samples.jsonl")) as fh:
                for task, rows in self.samples.items():
                    for row in rows:
                        fh.write(json.dumps({"task": task, **row}, ensure_ascii=False, default=str) + "\n")
        with atomic_output(path) as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, indent=2, default=str)
            fh.write("\n")
        return path

    def to_markdown(self) -> str:
        """One row per (task, metric) with its 95 % interval.

        Examples:
            >>> r = Results({"t": {"acc": 0.5}}, {"t": {"acc": (0.25, 0.75)}}, {}, {}, {}, {}, {}, {"t": "ary_Arab"}, {})
            >>> print(r.to_markdown())
            | task | lang | metric | value | 95% CI |
            |---|---|---|---|---|
            | t | ary_Arab | acc | 0.5000 | [0.2500, 0.7500] |
        """
        lines = ["| task | lang | metric | value | 95% CI |", "|---|---|---|---|---|"]
        for task, scores in self.scores.items():
            for metric, value in scores.items():
                ci = self.ci95.get(task, {}).get(metric)
                ci_text = f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "-"
                lines.append(
                    f"| {task} | {self.langs.get(task) or '-'} | {metric} | {value:.4f} | {ci_text} |"
                )
        return "\n".join(lines)

    def summary_table(self) -> str:
        """Which tasks ran (with their item counts) and which were skipped, and why.

        Examples:
            >>> r = Results({"t": {"acc": 0.5}}, {"t": {}}, {}, {}, {}, {}, {"t": {"effective": 9}},
            ...             {"t": "ary_Arab"}, {}, skipped=[("u", "data file missing: x.tsv")])
            >>> print(r.summary_table())
            | task | lang | status | items / reason |
            |---|---|---|---|
            | t | ary_Arab | ran | 9 |
            | u | - | skipped | data file missing: x.tsv |
        """
        lines = ["| task | lang | status | items / reason |", "|---|---|---|---|"]
        for task in self.scores:
            n = self.n_samples.get(task, {}).get("effective", "-")
            lines.append(f"| {task} | {self.langs.get(task) or '-'} | ran | {n} |")
        for task, reason in self.skipped:
            lines.append(f"| {task} | {self.langs.get(task) or '-'} | skipped | {reason} |")
        return "\n".join(lines)


def load_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a results JSON (ours, or lm-eval's) and check it has ``results``."""
    from aimm_nlp.errors import InputFileError

    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such results file", path=str(p)) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{p}: not JSON ({exc})", path=str(p)) from None
    if not isinstance(data, dict) or "results" not in data:
        raise InputFileError(f"{p}: not a results file (no 'results' key)", path=str(p))
    return data
