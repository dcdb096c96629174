"""lm-eval group files: ``group`` + ``task`` (tasks, tags, groups) + ``aggregate_metric_list``.

A group YAML passed as a task (``aimm eval --tasks .../darijammlu/_darijammlu.yaml``) runs every
task it names. Names are resolved as lm-eval's task index does, over the ``*.yaml`` files of the
group file's folder and its subfolders: a ``task:`` name, a ``group:`` name (a nested group) or a
``tag:`` (every task file carrying it). Each group's row in the results aggregates its children's
scores per ``aggregate_metric_list`` entry as lm-eval's ``aggregate_subtask_metrics``: with
``weight_by_size: true`` the mean weighted by each child's doc count, else the plain mean of the
children (a nested group counts with the sum of its docs). A group without
``aggregate_metric_list`` gets no row, as in lm-eval.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimm_nlp.errors import ConfigError

if TYPE_CHECKING:
    from aimm_nlp.evaluation.results import Results

__all__ = ["Group", "add_group_scores", "expand", "is_group_file"]

_GROUP_KEYS = {"group", "group_alias", "task", "aggregate_metric_list", "metadata"}


@dataclass(frozen=True)
class Group:
    """One lm-eval group: its immediate children (task or group names) and how it aggregates them."""

    name: str
    children: tuple[str, ...]
    aggregate: tuple[dict[str, Any], ...]
    version: Any = 0
    path: Path | None = None


def _read(path: Path) -> dict[str, Any]:
    from aimm_nlp.evaluation.validation import _read_yaml

    errors: list[str] = []
    cfg = _read_yaml(path, errors)
    if errors:
        raise ConfigError(f"invalid task file {path}:", errors=errors)
    return cfg


def is_group_file(path: Path) -> bool:
    """A YAML whose ``group:`` and ``task:`` list make it a group (lm-eval's group config)."""
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        cfg = _read(path)
    except ConfigError:
        return False  # reported when it is loaded as a task
    return "group" in cfg and isinstance(cfg.get("task"), list)


def _index(folder: Path) -> tuple[dict[str, Path], dict[str, Path], dict[str, list[Path]]]:
    tasks: dict[str, Path] = {}
    groups: dict[str, Path] = {}
    tags: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.yaml")):
        try:
            cfg = _read(path)
        except ConfigError:
            continue  # a broken file is reported only if the group uses it
        if "group" in cfg and isinstance(cfg.get("task"), list):
            groups[str(cfg["group"])] = path
        elif isinstance(cfg.get("task"), str):
            tasks[cfg["task"]] = path
            tag = cfg.get("tag")
            for t in [tag] if isinstance(tag, str) else tag if isinstance(tag, list) else []:
                tags.setdefault(str(t), []).append(path)
    return tasks, groups, tags


def expand(path: Path) -> tuple[list[Path], list[Group]]:
    """The task files a group file runs (in order, once each) and its groups, children before parents.

    Raises:
        ConfigError: a name that is no task, group or tag under the group file's folder, a group
            that includes itself, unknown group keys; every problem listed.
    """
    tasks, groups, tags = _index(path.parent)
    files: list[Path] = []
    found: list[Group] = []
    errors: list[str] = []

    def visit(gpath: Path, seen: tuple[Path, ...]) -> tuple[str, int]:
        cfg = _read(gpath)
        for key in sorted(set(cfg) - _GROUP_KEYS):
            errors.append(
                f"{gpath}: unknown group key {key!r} (group keys: {', '.join(sorted(_GROUP_KEYS))})"
            )
        children = []
        for entry in cfg["task"]:
            if not isinstance(entry, str):
                errors.append(
                    f"{gpath}: task: {entry!r}: inline task configs are not supported; name a task file"
                )
            elif entry in groups:
                if groups[entry] in seen:
                    errors.append(f"{gpath}: task: group {entry!r} includes itself")
                    continue
                children.append(visit(groups[entry], (*seen, groups[entry]))[0])
            elif entry in tasks or entry in tags:
                for task_file in [tasks[entry]] if entry in tasks else tags[entry]:
                    children.append(str(_read(task_file)["task"]))
                    if task_file not in files:
                        files.append(task_file)
            else:
                errors.append(f"{gpath}: task: {entry!r} is no task, group or tag under {path.parent}")
        agg = cfg.get("aggregate_metric_list") or []
        agg = [agg] if isinstance(agg, dict) else agg
        if not all(isinstance(a, dict) and isinstance(a.get("metric"), str) for a in agg):
            errors.append(
                f"{gpath}: aggregate_metric_list: expected a list of {{metric: NAME, weight_by_size: BOOL}}"
            )
            agg = []
        version = (
            (cfg.get("metadata") or {}).get("version", 0) if isinstance(cfg.get("metadata"), dict) else 0
        )
        found.append(Group(str(cfg["group"]), tuple(children), tuple(agg), version, gpath))
        return str(cfg["group"]), len(children)

    visit(path, (path,))
    if errors:
        raise ConfigError(f"invalid group file {path}:", errors=errors)
    return files, found


def add_group_scores(results: Results, groups: list[Group]) -> Results:
    """``results`` with one row per group that has an ``aggregate_metric_list`` (children first)."""
    if not groups:
        return results
    scores, ci95 = dict(results.scores), dict(results.ci95)
    versions, n_samples = dict(results.versions), dict(results.n_samples)
    higher, langs = dict(results.higher_is_better), dict(results.langs)
    sizes = {t: int(n.get("effective", 0)) for t, n in n_samples.items()}
    for group in groups:
        sizes[group.name] = sum(sizes.get(c, 0) for c in group.children)
        row = {}
        for entry in group.aggregate:
            metric = entry["metric"]
            have = [
                (scores[c][metric], sizes.get(c, 0)) for c in group.children if metric in scores.get(c, {})
            ]
            if not have:
                continue
            if entry.get("weight_by_size", False):
                row[metric] = sum(v * n for v, n in have) / max(1, sum(n for _, n in have))
            else:
                row[metric] = sum(v for v, _ in have) / len(have)
            first = next(c for c in group.children if metric in scores.get(c, {}))
            higher.setdefault(group.name, {})[metric] = higher.get(first, {}).get(metric, True)
        if row:
            scores[group.name] = row
            ci95[group.name] = dict.fromkeys(row)
            versions[group.name] = group.version
            n_samples[group.name] = {"original": sizes[group.name], "effective": sizes[group.name]}
            langs.setdefault(group.name, None)
    return dataclasses.replace(
        results, scores=scores, ci95=ci95, versions=versions, n_samples=n_samples, higher_is_better=higher,
        langs=langs,
    )  # fmt: skip
