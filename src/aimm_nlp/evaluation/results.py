"""``Results``: a superset of lm-eval's results JSON, plus provenance, CIs and per-item logs.

Keys shared with lm-eval 0.4 (``lm_eval.result_schema.EvalResults``): ``results`` (per task ``name``,
``alias``, ``sample_len``, ``"acc,none"`` style scores and their ``"acc_stderr,none"``: half the 95 %
bootstrap interval / 1.96, the normal-theory standard error that interval implies, ``"N/A"`` without
one, as lm-eval writes it), ``group_subtasks``, ``versions``, ``configs``, ``n-shot``,
``higher_is_better``, ``n-samples``, ``config`` (model, model_args, model_dtype, batch_size,
device, fewshot_seed), ``model_name``, ``model_name_sanitized``, ``max_length``, ``date`` (Unix
time), ``transformers_version``. Left out, as aimm cannot fill them honestly: ``lm_eval_version``,
``git_hash`` (of lm-eval's checkout), ``pretty_env_info``, ``task_hashes`` (hashes of lm-eval's
sample logs), tokenizer and chat-template fields. aimm adds ``"<metric>_ci95,none"``
bootstrap intervals inside ``results``, ``lang`` per task, ``n-truncated`` per task (requests whose
context was cut to fit the model window), a ``provenance`` block (sha256 of
data files; ``model``: the absolute ``model_path``, ``files_sha256`` = one plain sha256 per file of the
model folder, as ``sha256sum`` prints it, ``dtype``, ``softmax_dtype``, ``max_length``; package versions,
seed, batch size, device, prompt-template hashes) and ``schema_version``. Files are written atomically.
"""

from __future__ import annotations

import json
import math
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
    n_truncated: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (lm-eval's keys + aimm's)."""
        results: dict[str, dict[str, Any]] = {}
        for task, scores in self.scores.items():
            n = (self.n_samples.get(task) or {}).get("effective")
            row: dict[str, Any] = {
                "name": task,
                "alias": task,
                **({"sample_len": n} if n is not None else {}),
            }
            for metric, value in scores.items():
                row[f"{metric},none"] = value
                ci = self.ci95[task].get(metric)
                row[f"{metric}_stderr,none"] = _stderr(ci)
                row[f"{metric}_ci95,none"] = list(ci) if ci else None
            results[task] = row
        return {
            "schema_version": SCHEMA_VERSION,
            **self._lm_eval_run_keys(),
            "results": results,
            "group_subtasks": (
                {self.suite["name"]: [t for t in self.suite["tasks"] if t in self.scores]}
                if self.suite
                else {task: [] for task in self.scores}
            ),
            "versions": self.versions,
            "configs": self.configs,
            "n-shot": self.n_shot,
            "higher_is_better": self.higher_is_better,
            "n-samples": self.n_samples,
            "n-truncated": self.n_truncated,
            "lang": self.langs,
            "provenance": self.provenance,
            "group": self.suite,
            "skipped": [{"task": t, "reason": r} for t, r in self.skipped],
        }

    def _lm_eval_run_keys(self) -> dict[str, Any]:
        """lm-eval's run-level keys, from the provenance (a key aimm does not know is left out)."""
        prov = self.provenance or {}
        model = prov.get("model") if isinstance(prov.get("model"), dict) else {}
        path = model.get("model_path")
        name = path or prov.get("model_kind")
        config = {
            "model": prov.get("model_kind"),
            "model_args": {"pretrained": path} if path else None,
            "model_dtype": model.get("dtype"),
            "batch_size": prov.get("batch_size"),
            "device": prov.get("device"),
            "fewshot_seed": prov.get("seed"),  # aimm's seed: few-shot sampling and bootstrap
        }
        out: dict[str, Any] = {"config": {k: v for k, v in config.items() if v is not None}}
        if name:
            out.update(model_name=str(name), model_name_sanitized=str(name).replace("/", "__"))
        if model.get("max_length") is not None:
            out["max_length"] = model["max_length"]
        created = prov.get("created_utc")
        if isinstance(created, str):
            import calendar
            import time

            try:
                out["date"] = float(calendar.timegm(time.strptime(created, "%Y-%m-%dT%H:%M:%SZ")))
            except ValueError:
                pass
        version = (prov.get("packages") or {}).get("transformers")
        if version:
            out["transformers_version"] = version
        return out

    def write(self, path: str | os.PathLike[str], *, samples: bool = True) -> Path:
        """Write the JSON (and ``<stem>.samples.jsonl`` per-item log) atomically; return the JSON path.

        Both files are built in temporary files first; the results JSON is renamed into place last,
        and if that fails the new samples file is removed, so a failed write never leaves a samples
        log without its results. Scores that are not finite (NaN) are written as ``null``.

        Raises:
            InputFileError: ``path`` is a folder or cannot be written.
        """
        from aimm_nlp._io import atomic_output
        from aimm_nlp.errors import InputFileError

        path = Path(path)
        if path.is_dir():
            raise InputFileError(
                f"{path}: is a folder; pass a results file path such as {path / 'results.json'}",
                path=str(path),
            )
        text = json.dumps(_finite(self.to_dict()), ensure_ascii=False, indent=2, default=str, allow_nan=False)
        log = path.with_suffix(".samples.jsonl")
        wrote_log = False
        try:
            with atomic_output(path) as out:  # renamed into place after the samples log
                out.write(text + "\n")
                if samples:
                    with atomic_output(log) as fh:
                        for task, rows in self.samples.items():
                            for row in rows:
                                rec = _finite({"task": task, **row})
                                fh.write(
                                    json.dumps(rec, ensure_ascii=False, default=str, allow_nan=False) + "\n"
                                )
                    wrote_log = True
        except BaseException as exc:
            if wrote_log:  # a samples log must not outlive the failed results file
                log.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise InputFileError(f"{path}: cannot write results ({exc})", path=str(path)) from None
            raise
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


def _stderr(ci: tuple[float, float] | None) -> float | str:
    """The standard error a 95 % interval implies (half its width / 1.96); lm-eval's ``"N/A"`` without one."""
    if not ci or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in ci):
        return "N/A"
    return (ci[1] - ci[0]) / (2 * 1.959963984540054)


def _finite(value: Any) -> Any:
    """``value`` with NaN/inf floats replaced by ``None`` (JSON has no NaN), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _metric_key(key: str) -> str | None:
    """The metric of a ``"<metric>,<filter>"`` score key, ``None`` for intervals, stderr and ``alias``."""
    metric, sep, _ = key.partition(",")
    return metric if sep and not metric.endswith(("_stderr", "_ci95")) else None


def load_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a results JSON (ours, or lm-eval's) and check its shape.

    ``results`` must map each task to an object whose ``"<metric>,<filter>"`` values are numbers
    (or ``null``: a score that could not be computed).

    Raises:
        InputFileError: missing file, a folder, invalid UTF-8, not JSON, or not a results file; the
            message names the file (and the line, or every bad task/metric).
    """
    from aimm_nlp._io import read_text
    from aimm_nlp.errors import InputFileError

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such results file", path=str(p))
    if p.is_dir():
        raise InputFileError(
            f"{p}: is a folder; pass a results .json file written by `aimm eval`", path=str(p)
        )
    text = read_text(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{p}:{exc.lineno}: not JSON ({exc.msg})", path=str(p), line=exc.lineno
        ) from None
    if not isinstance(data, dict) or "results" not in data:
        raise InputFileError(f"{p}: not a results file (no 'results' key)", path=str(p))
    results = data["results"]
    if not isinstance(results, dict):
        raise InputFileError(
            f"{p}: 'results' is {type(results).__name__}, expected an object of tasks "
            '({"task": {"acc,none": 0.8, ...}})',
            path=str(p),
        )
    errors = []
    for task, row in results.items():
        if not isinstance(row, dict):
            errors.append(f"results.{task}: is {type(row).__name__}, expected an object of metrics")
            continue
        for key, value in row.items():
            ok = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
            if _metric_key(key) and not ok:
                errors.append(f"results.{task}.{key}: {value!r} is not a number")
    for key in ("lang", "higher_is_better", "versions"):
        if not isinstance(data.get(key) or {}, dict):
            errors.append(f"{key}: expected an object keyed by task, got {type(data[key]).__name__}")
    skipped = data.get("skipped") or []
    if not isinstance(skipped, list) or not all(isinstance(s, dict) and "task" in s for s in skipped):
        errors.append('skipped: expected a list of {"task": ..., "reason": ...}')
    if errors:
        lines = "".join(f"\n  - {e}" for e in errors)
        raise InputFileError(
            f"{p}: invalid results file:{lines}\nfix or regenerate it with `aimm eval`", path=str(p)
        )
    return data
