"""Write aimm tasks as plain lm-eval task files (``aimm tasks export --lm-eval OUTDIR``).

The shipped task files already keep aimm's own keys under ``metadata.aimm`` (lm-eval ignores
them), but lm-eval cannot read them as they are: their data paths use ``${AIMM_SHARED}`` /
``${AIMM_MINI}``, ``doc_filter`` and ``hash_split`` select docs, and some metrics and task types are
aimm's. The export resolves all of it into files lm-eval runs offline::

    OUTDIR/<task>.yaml                 lm-eval task (dataset_path: json, absolute data_files)
    OUTDIR/data/<task>.<split>.jsonl   the docs aimm scores (after doc_filter and hash_split)
    OUTDIR/<suite>.yaml                lm-eval group of a suite's exported tasks
    OUTDIR/aimm_lmeval_functions.py    macro F1, CER/WER (lm-eval lacks them; imports no aimm)

Routes per task type: ``perplexity`` -> ``loglikelihood_rolling`` (``bits_per_char`` is dropped:
lm-eval's rolling results carry no character count); ``classification`` -> ``multiple_choice`` (a
causal LM scores the choices, as aimm does; ``f1`` gets the macro F1 aggregation);
``generation``, ``multiple_choice`` and ``loglikelihood`` keep their type; ``pipeline`` ->
``generate_until`` answered by :class:`aimm_nlp.evaluation.lmeval_pipeline.PipelineLM` (the aimm
function is the model). ``token_classification`` has no lm-eval form and is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError, InputFileError

__all__ = ["ExportedTask", "export_lm_eval"]

FUNCTIONS = "aimm_lmeval_functions"
_TYPES = {
    "perplexity": "loglikelihood_rolling",
    "classification": "multiple_choice",
    "multiple_choice": "multiple_choice",
    "loglikelihood": "loglikelihood",
    "generation": "generate_until",
    "pipeline": "generate_until",
}
# lm-eval's own metrics and the name of their registered aggregation
_NATIVE = {"acc": "mean", "acc_norm": "mean", "acc_bytes": "mean", "exact_match": "mean",
           "perplexity": "perplexity", "bits_per_byte": "bits_per_byte", "byte_perplexity": "weighted_perplexity",
           "word_perplexity": "weighted_perplexity", "bleu": "bleu", "chrf": "chrf", "ter": "ter"}  # fmt: skip
_COPIED = ("doc_to_text", "doc_to_target", "doc_to_choice", "target_delimiter", "fewshot_delimiter",
           "num_fewshot", "description", "generation_kwargs")  # fmt: skip
_PIPELINE_METRICS = {"process_label": {"acc", "f1"}, "process_text": {"cer", "wer", "chrf"}}


@dataclass(frozen=True)
class ExportedTask:
    """One task written by :func:`export_lm_eval`: its lm-eval YAML and what the export changed."""

    name: str
    path: Path
    output_type: str
    dropped_metrics: tuple[str, ...] = ()


class _Function(str):
    """A YAML scalar written with lm-eval's ``!function`` tag."""


def _dumper() -> Any:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Function, lambda d, v: d.represent_scalar("!function", str(v)))
    return Dumper


def _metric_list(task: Any) -> tuple[list[dict[str, Any]], list[str]]:
    from aimm_nlp.evaluation.metrics import METRICS

    out, dropped = [], []
    for name in task.metrics:
        hib = METRICS[name].higher_is_better
        if name == "f1":
            out.append(
                {"metric": "f1", "aggregation": _Function(f"{FUNCTIONS}.macro_f1"), "higher_is_better": hib}
            )
        elif name in ("cer", "wer") and task.type == "pipeline":
            out.append(
                {"metric": name, "aggregation": _Function(f"{FUNCTIONS}.{name}"), "higher_is_better": hib}
            )
        elif name in _NATIVE:
            out.append({"metric": name, "aggregation": _NATIVE[name], "higher_is_better": hib})
        else:
            dropped.append(name)
    return out, dropped


def _config(task: Any, data: dict[str, Path]) -> tuple[dict[str, Any], list[str]]:
    """The lm-eval config of ``task`` (its docs already written to ``data``) and the metrics dropped."""
    cfg = task.config
    out: dict[str, Any] = {"task": task.name, "output_type": _TYPES[task.type], "dataset_path": "json"}
    out["dataset_kwargs"] = {"data_files": {split: str(p) for split, p in data.items()}}
    out["test_split"] = cfg.get("test_split") or "test"
    for key in ("training_split", "validation_split", "fewshot_split"):
        if cfg.get(key) in data:
            out[key] = cfg[key]
    for key in _COPIED:
        if cfg.get(key) is not None:
            out[key] = cfg[key]
    metrics, dropped = _metric_list(task)
    if task.type == "pipeline":
        names = set(task.metrics)
        fn = next((f for f, allowed in _PIPELINE_METRICS.items() if names <= allowed), None)
        if fn is None:
            raise ConfigError(
                f"{task.path}: metric_list: a pipeline task exports with metrics from one of "
                f"{' or '.join(str(sorted(m)) for m in _PIPELINE_METRICS.values())}, not {sorted(names)}"
            )
        out["doc_to_target"] = "_aimm_target"
        out["process_results"] = _Function(f"{FUNCTIONS}.{fn}")
        out["generation_kwargs"] = {"until": [], "max_gen_toks": 1}  # PipelineLM ignores them
    out["metric_list"] = metrics
    aimm = {k: v for k, v in (("lang", task.lang), ("primary_metric", task.primary_metric)) if v}
    out["metadata"] = {
        "version": task.version,
        "aimm": aimm,
        "aimm_export": {
            "source": str(task.path),
            "config_hash": task.config_hash,
            "dropped_metrics": dropped,
        },
    }
    return out, dropped


def _docs(task: Any) -> dict[str, list[dict[str, Any]]]:
    """The docs aimm scores, per split the task names (test first)."""
    from aimm_nlp.evaluation.templates import doc_to_target

    splits = [task.config.get("test_split") or "test"]
    splits += [
        task.config[k] for k in ("training_split", "validation_split", "fewshot_split") if task.config.get(k)
    ]
    docs = {}
    for split in dict.fromkeys(splits):
        rows = task.docs(split)
        if task.type == "pipeline":  # the rendered target, read by the exported process_results
            spec = json.dumps(
                {"name": task.config["pipeline"], "kwargs": task.config.get("pipeline_kwargs") or {}}
            )
            rows = [
                {**d, "_aimm_target": str(doc_to_target(task, d, where=f"doc {i}")), "_aimm_pipeline": spec}
                for i, d in enumerate(rows)
            ]
        docs[split] = rows
    return docs


def _exportable(task: Any) -> str | None:
    """Why ``task`` has no lm-eval form (None when it has one)."""
    if task.type not in _TYPES:
        return f"output type {task.type!r} has no lm-eval form (lm-eval has no {task.type} models)"
    return None


def export_lm_eval(
    tasks: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    suites: Sequence[str | os.PathLike[str]] = (),
) -> tuple[list[ExportedTask], list[tuple[str, str]]]:
    """Write ``tasks`` and the tasks of ``suites`` as lm-eval task files into the new folder ``out_dir``.

    Run them with ``lm_eval --include_path OUT_DIR --tasks NAME ...``. Data paths in the YAMLs are
    absolute (``out_dir`` resolved), so move the folder by exporting again. A task named in
    ``tasks`` that cannot be exported is an error; a suite's task that cannot (its data missing, a
    type lm-eval lacks) is left out of the group and returned with the reason.

    Returns:
        ``(exported tasks, [(suite task, reason it was left out)])``.

    Raises:
        InputFileError: ``out_dir`` exists and is not empty (nothing is overwritten), or a data file
            of a named task is missing.
        ConfigError: a named task has no lm-eval form (every such task listed at once).

    Examples:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "lmeval"
        >>> done, skipped = export_lm_eval(["mini_ary_Arab_bpb"], out)
        >>> [(t.name, t.output_type, t.dropped_metrics) for t in done]
        [('mini_ary_Arab_bpb', 'loglikelihood_rolling', ('bits_per_char',))]
    """
    from aimm_nlp.evaluation.suites import load_suite
    from aimm_nlp.evaluation.task import load_task

    out = Path(out_dir).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputFileError(
            f"{out}: exists and is not an empty folder; export into a new folder", path=str(out)
        )
    named = [load_task(t) for t in tasks]
    errors = [f"{t.path}: {why}" for t in named if (why := _exportable(t))]
    if errors:
        raise ConfigError("cannot export to lm-eval:", errors=errors)
    groups: dict[str, tuple[list[str], Any]] = {}
    skipped: list[tuple[str, str]] = []
    for ref in suites:
        suite = load_suite(ref)
        members = []
        for name in suite.tasks:
            try:
                task = load_task(name)
            except (ConfigError, InputFileError) as exc:
                skipped.append((name, str(exc).splitlines()[0]))
                continue
            why = _exportable(task)
            if why:
                skipped.append((name, why))
            else:
                named.append(task)
                members.append(task.name)
        groups[suite.name] = (members, suite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        done = _write_all(tmp, out, named, groups)
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return done, skipped


def _write_all(
    tmp: Path, out: Path, tasks: list[Any], groups: dict[str, tuple[list[str], Any]]
) -> list[ExportedTask]:
    import yaml

    (tmp / "data").mkdir()
    shutil.copyfile(Path(__file__).with_name("lmeval_functions.py"), tmp / f"{FUNCTIONS}.py")
    done, seen = [], set()
    for task in tasks:
        if task.name in seen:
            continue
        seen.add(task.name)
        files = {}
        for split, rows in _docs(task).items():
            name = f"data/{task.name}.{split}.jsonl"
            with (tmp / name).open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            files[split] = out / name
        cfg, dropped = _config(task, files)
        head = f"# Exported by `aimm tasks export --lm-eval` from {task.path}; run: lm_eval --include_path {out}\n"
        text = yaml.dump(cfg, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=1000)
        (tmp / f"{task.name}.yaml").write_text(head + text, encoding="utf-8")
        done.append(ExportedTask(task.name, out / f"{task.name}.yaml", cfg["output_type"], tuple(dropped)))
    for name, (members, suite) in groups.items():
        group = {"group": name, "task": members, "metadata": {"version": suite.version}}
        (tmp / f"{name}.yaml").write_text(yaml.safe_dump(group, allow_unicode=True, sort_keys=False), "utf-8")
    return done
