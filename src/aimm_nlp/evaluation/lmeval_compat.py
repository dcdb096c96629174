"""lm-evaluation-harness task files as they are: the conventions aimm applies when it reads one.

- ``test_split: null`` with a ``validation_split``: the validation split is scored (lm-eval's
  ``eval_docs``), e.g. darijahellaswag;
- a Hub ``dataset_path`` with no ``data_files`` is read from a local copy
  (:mod:`aimm_nlp.evaluation.hubdata`, ``--dataset-dir`` / ``--datasets-root``);
- ``!function`` references run only when the user trusts the task's code
  (:mod:`aimm_nlp.evaluation.taskcode`, ``--trust-task-code``);
- ``filter_list`` (:mod:`aimm_nlp.evaluation.filters`) and ``process_docs``
  (:mod:`aimm_nlp.evaluation.process`) are checked here;
- a relative ``data_files`` path found both next to the task file (aimm reads it) and where lm-eval
  reads it (``dataset_kwargs.data_dir``, else the working directory) is refused as ambiguous;
- harmless keys (``tag``, ``task_alias``, ``metadata``, ``dataset_kwargs``, decontamination keys)
  are accepted; ``repeats`` must be 1 (one greedy answer per doc);
- ``generation_kwargs``: ``until`` and ``max_gen_toks`` are used; ``do_sample: false`` and the
  sampling settings it leaves unused (``temperature``, ``top_p``, ``top_k``) are accepted, as in
  transformers' greedy search; any other key (``do_sample: true``, ``num_beams``, ``min_new_tokens``,
  ``max_new_tokens``...) is refused rather than silently ignored;
- lm-eval group files (``group:`` + ``task:`` + ``aggregate_metric_list``) are run by
  :mod:`aimm_nlp.evaluation.groups`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["UNSUPPORTED", "adapt", "lmeval_errors"]

# lm-eval task keys aimm does not run, and why (named instead of "unknown key")
UNSUPPORTED = {
    "process_results": "per-doc scoring code; use metric_list with aimm's metrics",
    "custom_dataset": "a dataset built by code; point dataset_path at a local copy",
    "doc_to_image": "multimodal tasks are not supported",
    "doc_to_audio": "multimodal tasks are not supported",
    "unsafe_code": "tasks that execute model-written code are not supported",
    "use_prompt": "promptsource prompts are not supported; write doc_to_text",
    "gen_prefix": "a generation prefix is not supported; add it to doc_to_text",
}


def adapt(
    cfg: dict[str, Any], path: Path, *, dataset_dirs: Any = None, trust_task_code: bool = False
) -> list[str]:
    """Apply lm-eval's conventions to a merged task config in place; return the errors found."""
    from aimm_nlp.evaluation.hubdata import localize, normalize_dataset_dirs
    from aimm_nlp.evaluation.taskcode import bind_task_code

    if "test_split" in cfg and cfg["test_split"] is None and isinstance(cfg.get("validation_split"), str):
        cfg["test_split"] = cfg["validation_split"]
    errors = bind_task_code(cfg, trust=trust_task_code)
    return errors + localize(cfg, path, normalize_dataset_dirs(dataset_dirs))


def lmeval_errors(cfg: dict[str, Any], path: Path) -> list[str]:
    """Problems with the lm-eval keys of a task config (``filter_list``, ``process_docs``, ``repeats``...)."""
    from aimm_nlp.evaluation.filters import check_filter_list
    from aimm_nlp.evaluation.process import check_process_docs
    from aimm_nlp.evaluation.templates import key_line

    errors = [
        f"{key_line(path, key)}: {key}: lm-eval's {key} is not supported by aimm ({why})"
        for key, why in UNSUPPORTED.items()
        if cfg.get(key) not in (None, False, "")  # lm-eval's defaults (unsafe_code: false) are harmless
    ]
    errors += _check_ambiguous(cfg, path)
    errors += check_filter_list(cfg.get("filter_list"), key_line(path, "filter_list"))
    if cfg.get("process_docs") is not None:
        errors += check_process_docs(cfg["process_docs"], key_line(path, "process_docs"))
    repeats = cfg.get("repeats")
    if repeats is not None and repeats != 1:
        errors.append(
            f"{key_line(path, 'repeats')}: repeats: {repeats!r}; aimm generates one greedy answer per doc, "
            "so only repeats: 1 is supported"
        )
    return errors + _check_generation(cfg.get("generation_kwargs"), key_line(path, "generation_kwargs"))


# generation settings that do not change a greedy search (lm-eval task files set them: do_sample: false,
# temperature: 0.0); aimm always searches greedily, so the rest would change the answer aimm gives
_GREEDY_NOOP = ("temperature", "top_p", "top_k")


def _check_generation(gen: Any, where: str) -> list[str]:
    """``generation_kwargs`` keys aimm cannot honour: named, never silently ignored."""
    if not isinstance(gen, dict):
        return []  # the shape check names a non-mapping
    errors = []
    sample = gen.get("do_sample", False)
    if sample is not False:
        errors.append(
            f"{where}: generation_kwargs.do_sample: {sample!r}; aimm generates greedily, so only "
            "do_sample: false (or no do_sample) is supported"
        )
    for key in sorted(set(gen) - {"until", "max_gen_toks", "do_sample", *_GREEDY_NOOP}, key=str):
        hint = " (use max_gen_toks)" if key == "max_new_tokens" else ""
        errors.append(
            f"{where}: generation_kwargs.{key}: not supported by aimm, which generates one greedy answer "
            f"with until and max_gen_toks{hint}; remove the key"
        )
    return errors


def _check_ambiguous(cfg: dict[str, Any], path: Path) -> list[str]:
    """A relative data path found both next to the task file and where lm-eval looks (two files)."""
    from aimm_nlp.evaluation.schema import _data_files, _expand, _lmeval_dir
    from aimm_nlp.evaluation.templates import key_line

    errors = []
    for split, value in sorted(_data_files(cfg).items()):
        p = _expand(value)
        here, lmeval = path.parent / p, _lmeval_dir(cfg) / p
        if not p.is_absolute() and here.is_file() and lmeval.is_file() and not here.samefile(lmeval):
            errors.append(
                f"{key_line(path, 'dataset_kwargs')}: dataset_kwargs.data_files: {split}: {value!r} names two "
                f"files: {here} (next to the task file, read by aimm) and {lmeval} (where lm-eval reads it: "
                "dataset_kwargs.data_dir or the working directory); give an absolute path or rename one"
            )
    return errors
