"""lm-eval's own results JSON (``lm_eval --output_path``), read into aimm's shape for the report.

lm-eval writes ``results`` (``"acc,none"`` and ``"acc_stderr,none"``, the stderr may be ``"N/A"``),
``configs``, ``versions``, ``n-shot``, ``higher_is_better``, ``n-samples``, ``config`` (model and
batch settings), ``task_hashes``, ``lm_eval_version``, ``date``, ``model_name``... aimm's files have a
``schema_version`` and bootstrap intervals (``"acc_ci95,none"``). An lm-eval file gets a normal-theory
95 % interval, value +- 1.96 stderr, and a provenance block built from its own keys.

Two things make lm-eval's file read like aimm's own for the same tasks. A task exported with
``aimm tasks export --lm-eval`` keeps its ``lang`` and ``primary_metric`` in
``configs[task].metadata.aimm``: they are lifted to the config's top level, so the task lands in the
same language view with the same leaderboard column as ``aimm eval``'s run of it. A group's row
(``groups``, or a ``group_subtasks`` entry with subtasks) is an aggregate of tasks that have rows of
their own: it moves out of ``results`` into ``lmeval_groups``, so the leaderboard shows each task once
and its aggregates do not count the same docs twice.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["as_aimm", "is_lmeval"]

Z95 = 1.959963984540054


def is_lmeval(data: dict[str, Any]) -> bool:
    """Whether a results file was written by lm-eval (not by ``aimm eval``).

    Examples:
        >>> is_lmeval({"results": {}, "lm_eval_version": "0.4.9"}), is_lmeval({"results": {}, "schema_version": 1})
        (True, False)
    """
    rows = [row for row in (data.get("results") or {}).values() if isinstance(row, dict)]
    if "schema_version" in data or any("_ci95," in k for row in rows for k in row):
        return False  # aimm's: it has its own bootstrap intervals
    markers = ("lm_eval_version", "config", "git_hash", "task_hashes", "model_name", "group_subtasks")
    stderr = any(
        "_stderr," in k for row in (data.get("results") or {}).values() if isinstance(row, dict) for k in row
    )
    return stderr or any(k in data for k in markers)


def as_aimm(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``(data in aimm's shape, interval kind)``; aimm's own files come back as they are (``bootstrap``).

    Examples:
        >>> doc = {"results": {"arc": {"acc,none": 0.5, "acc_stderr,none": 0.05}}, "lm_eval_version": "0.4"}
        >>> [round(v, 3) for v in as_aimm(doc)[0]["results"]["arc"]["acc_ci95,none"]]
        [0.402, 0.598]
    """
    if not is_lmeval(data):
        return data, "bootstrap"
    subtasks = data.get("group_subtasks") if isinstance(data.get("group_subtasks"), dict) else {}
    group_names = {g for g, members in subtasks.items() if members} | set(data.get("groups") or {})
    results, groups = {}, {}
    for task, row in (data.get("results") or {}).items():
        if task in group_names:
            groups[task] = row
            continue
        out = dict(row)
        for key, value in row.items():
            metric, sep, flt = key.partition(",")
            if not sep or metric.endswith("_stderr") or not isinstance(value, (int, float)):
                continue
            if f"{metric}_ci95,{flt}" in row:  # an interval of its own is kept
                continue
            se = row.get(f"{metric}_stderr,{flt}")
            ok = isinstance(se, (int, float)) and not isinstance(se, bool) and math.isfinite(se)
            out[f"{metric}_ci95,{flt}"] = [value - Z95 * se, value + Z95 * se] if ok else None
        results[task] = out
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    prov = {
        "written_by": f"lm-eval {data.get('lm_eval_version') or ''}".strip(),
        "model": {
            k: v
            for k, v in (
                ("model", config.get("model")),
                ("model_args", config.get("model_args")),
                ("model_name", data.get("model_name")),
                ("model_sha", config.get("model_sha")),
            )
            if v
        },
        "task_hashes": data.get("task_hashes") or {},
        "packages": {k: data[k] for k in ("lm_eval_version", "transformers_version") if data.get(k)},
        "batch_size": config.get("batch_size"),
        "device": config.get("device"),
        "created_utc": data.get("date"),
        "git_hash": data.get("git_hash"),
    }
    return {
        **data,
        "results": results,
        "configs": {task: _lift_aimm(cfg) for task, cfg in (data.get("configs") or {}).items()},
        "lmeval_groups": groups,
        "provenance": {k: v for k, v in prov.items() if v},
    }, "normal (lm-eval stderr)"


def _lift_aimm(config: Any) -> Any:
    """An lm-eval task config with ``metadata.aimm``'s ``lang``/``primary_metric`` at its top level.

    Examples:
        >>> _lift_aimm({"task": "t", "metadata": {"version": 1, "aimm": {"lang": "ary_Arab", "primary_metric": "f1"}}})
        {'task': 't', 'metadata': {'version': 1, 'aimm': {'lang': 'ary_Arab', 'primary_metric': 'f1'}}, 'lang': 'ary_Arab', 'primary_metric': 'f1'}
    """
    meta = config.get("metadata") if isinstance(config, dict) else None
    aimm = meta.get("aimm") if isinstance(meta, dict) else None
    if not isinstance(aimm, dict):
        return config
    keys = ("lang", "primary_metric")
    return {**config, **{k: aimm[k] for k in keys if isinstance(aimm.get(k), str) and k not in config}}
