"""The task schema: lm-eval-shaped keys, output types, default metrics, numeric ranges, ``Task``.

A :class:`Task` is a validated task file (see :mod:`aimm_nlp.evaluation.task` to load one and
:mod:`aimm_nlp.evaluation.validation` for the checks); data paths resolve ``${AIMM_SHARED}``,
``${AIMM_MINI}``, ``~`` and ``$VARS``. A relative data path is looked up next to the task file
first (aimm's rule: a task folder is self-contained), else where lm-eval's ``datasets.load_dataset``
finds it: under ``dataset_kwargs.data_dir`` when set, else the working directory; a path found in
both places (two different files) is refused by validation as ambiguous.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root, shared_root
from aimm_nlp.errors import ConfigError
from aimm_nlp.evaluation.templates import key_line

__all__ = [
    "DEFAULT_METRICS",
    "NUMERIC_KEYS",
    "OUTPUT_TYPES",
    "PRIMARY_METRICS",
    "TASK_KEYS",
    "TRUNCATION",
    "Task",
    "primary_metric",
]

# lm-eval's output types keep their names; aimm adds the types lm-eval lacks.
OUTPUT_TYPES = {
    "loglikelihood": "loglikelihood",
    "multiple_choice": "multiple_choice",
    "loglikelihood_rolling": "perplexity",
    "perplexity": "perplexity",
    "generate_until": "generation",
    "generation": "generation",
    "classification": "classification",
    "token_classification": "token_classification",
    "pipeline": "pipeline",
}
DEFAULT_METRICS = {
    "loglikelihood": ["perplexity", "acc"],  # lm-eval's: exp(-mean ll) of the target; 1 if it is greedy
    "multiple_choice": ["acc", "acc_norm"],
    "perplexity": ["bits_per_byte", "byte_perplexity", "word_perplexity"],
    "generation": ["exact_match"],
    "classification": ["acc", "f1"],
    "token_classification": ["seqeval_f1", "token_acc"],
    "pipeline": ["acc"],
}
# The leaderboard's primary metric of a task that names none (``primary_metric:``), per task type: the
# first of these the task computes, else its first metric. Its direction is the metric's own
# (``higher_is_better`` in the results: macro F1 up, bits per byte and CER down).
PRIMARY_METRICS = {
    "loglikelihood": ("acc",),
    "multiple_choice": ("acc",),
    "perplexity": ("bits_per_byte",),  # never word perplexity: its scale spans orders of magnitude
    "generation": ("chrf", "bleu", "exact_match"),
    "classification": ("f1", "acc"),  # macro F1: a majority-class guess scores low
    "token_classification": ("seqeval_f1", "token_acc"),
    "pipeline": (),
}
TASK_KEYS = {
    "task", "tag", "output_type", "dataset_path", "dataset_name", "dataset_kwargs", "test_split",
    "validation_split", "training_split", "fewshot_split", "doc_to_text", "doc_to_target",
    "doc_to_choice", "target_delimiter", "fewshot_delimiter", "num_fewshot", "fewshot_config",
    "metric_list", "generation_kwargs", "metadata", "description", "include",
    # accepted and checked for lm-eval's files, not used: aimm does no decontamination
    "should_decontaminate", "doc_to_decontamination_query",
    # lm-eval's: a display name (ignored), answer post-processing, doc reshaping, samples per doc (1)
    "task_alias", "filter_list", "process_docs", "repeats",
    # aimm extensions
    "group_rows_by", "tokens_column", "tags_column", "pipeline", "pipeline_kwargs", "lang",
    "doc_filter", "hash_split", "truncation", "primary_metric",
}  # fmt: skip
# ``truncation:`` values, for multiple-choice requests longer than the model window (lm-eval's rule):
# "left" (default, as lm-eval) cuts the context from the left, "error" refuses the run; a continuation
# longer than the window is refused under both.
TRUNCATION = ("left", "error")
# Documented ranges (inclusive) of the numeric task keys, checked by validate_task_file.
NUMERIC_KEYS: dict[str, tuple[int, int]] = {
    "num_fewshot": (0, 1000),
    "hash_split.test_percent": (0, 100),
    "generation_kwargs.max_gen_toks": (1, 65_536),
}
_COLUMN_KEYS = ("doc_to_text", "doc_to_target", "doc_to_choice", "tokens_column", "tags_column",
                "doc_to_decontamination_query")  # fmt: skip


@dataclass(frozen=True)
class Task:
    """One evaluation task, validated; ``config`` is the merged YAML mapping."""

    name: str
    type: str
    config: dict[str, Any]
    path: Path | None = None
    version: int | str = 0
    lang: str | None = None
    metrics: tuple[str, ...] = field(default=())

    @property
    def primary_metric(self) -> str | None:
        """The leaderboard's metric for this task: ``primary_metric:`` in the YAML, else the type's default."""
        return primary_metric(self.config)

    @property
    def config_hash(self) -> str:
        """sha256 of the canonical config: any prompt/template change changes it.

        ``primary_metric`` is left out: it picks the leaderboard's column and moves no score.
        """
        config = {k: v for k, v in self.config.items() if k != "primary_metric"}
        blob = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def data_file(self, split: str | None = None) -> Path:
        """The local file of ``split`` (default: the test split)."""
        split = split or self.config.get("test_split") or "test"
        files = _data_files(self.config)
        if split not in files:
            raise ConfigError(
                f"{key_line(self.path, 'dataset_kwargs')}: dataset_kwargs.data_files: no file for split "
                f"{split!r} (splits: {', '.join(sorted(files)) or 'none'}); add it or fix the split's name"
            )
        return _resolve(files[split], self.path, self.config)

    def docs(self, split: str | None = None) -> list[dict[str, Any]]:
        """The docs of ``split`` (default: the test split), after ``doc_filter`` and ``hash_split``.

        Use ``task.docs(task.config["training_split"])`` to fine-tune on exactly the items a
        suite does not test on.
        """
        from aimm_nlp.evaluation.data import read_docs

        split = split or self.config.get("test_split") or "test"
        return read_docs(self.data_file(split), self.config, split=split, task_file=self.path)


def primary_metric(config: dict[str, Any]) -> str | None:
    """The primary metric of a task config (aimm's or one from lm-eval's results JSON ``configs``).

    ``primary_metric:`` when the task names one, else the first of :data:`PRIMARY_METRICS` of its type
    that the task computes, else its first metric; None for a config with no metric at all.

    Examples:
        >>> primary_metric({"output_type": "classification"})
        'f1'
        >>> primary_metric({"output_type": "pipeline", "metric_list": [{"metric": "cer"}, "chrf"]})
        'cer'
        >>> primary_metric({"output_type": "generate_until", "primary_metric": "bleu"})
        'bleu'
    """
    if isinstance(config.get("primary_metric"), str):
        return config["primary_metric"]
    kind = OUTPUT_TYPES.get(str(config.get("output_type")), "")
    listed = config.get("metric_list") if isinstance(config.get("metric_list"), list) else []
    metrics = [m.get("metric") if isinstance(m, dict) else m for m in listed] or DEFAULT_METRICS.get(kind, [])
    metrics = [m for m in metrics if isinstance(m, str)]
    preferred = [m for m in PRIMARY_METRICS.get(kind, ()) if m in metrics]
    return (preferred or metrics or [None])[0]


def _resolve(value: str, base: Path | None, cfg: dict[str, Any] | None = None) -> Path:
    p = _expand(value)
    if p.is_absolute() or base is None:
        return p
    here, lmeval = base.parent / p, _lmeval_dir(cfg) / p
    return lmeval if not here.exists() and lmeval.exists() else here


def _lmeval_dir(cfg: dict[str, Any] | None) -> Path:
    """Where lm-eval (``datasets``) resolves relative ``data_files``: ``dataset_kwargs.data_dir``, else the cwd."""
    kwargs = (cfg or {}).get("dataset_kwargs")
    data_dir = kwargs.get("data_dir") if isinstance(kwargs, dict) else None
    return _expand(data_dir) if isinstance(data_dir, str) else Path.cwd()


def _expand(value: str) -> Path:
    text = (
        str(value).replace("${AIMM_SHARED}", str(shared_root())).replace("$AIMM_SHARED", str(shared_root()))
    )
    text = text.replace("${AIMM_MINI}", str(mini_root()))
    return Path(os.path.expandvars(os.path.expanduser(text)))


def _data_files(cfg: dict[str, Any]) -> dict[str, str]:
    """``{split: path as written}``; ``{}`` when ``data_files`` is missing or malformed (a validation error)."""
    kwargs = cfg.get("dataset_kwargs")
    files = kwargs.get("data_files") if isinstance(kwargs, dict) else None
    if isinstance(files, str):
        return {"test": files}
    if isinstance(files, dict):
        return {str(k): v for k, v in files.items() if isinstance(v, str)}
    return {}
