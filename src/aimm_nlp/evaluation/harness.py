"""``evaluate(model, tasks)``: run tasks on a model, cached per item, and score them.

Every task is prepared (data read, templates rendered, labels and model kind checked)
before the model runs, so bad input fails before any work. Requests already in the
cache are skipped; new results are committed batch by batch, so a killed run resumes.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from aimm_nlp.evaluation.cache import ResultCache, item_key
from aimm_nlp.evaluation.metrics import METRICS, bootstrap_ci
from aimm_nlp.evaluation.requests import Prepared, prepare
from aimm_nlp.evaluation.results import Results
from aimm_nlp.evaluation.task import NUMERIC_KEYS, Task, load_task

__all__ = ["evaluate"]

log = logging.getLogger(__name__)


# The documented range of each numeric option of :func:`evaluate` (and of `aimm eval`), inclusive.
OPTION_RANGES: dict[str, tuple[int, int]] = {
    "limit": (1, 10**9),
    "num_fewshot": NUMERIC_KEYS["num_fewshot"],  # the same range as a task's num_fewshot
    "seed": (0, 2**32 - 1),
    "bootstrap_iters": (0, 100_000),
    "batch_size": (1, 65_536),
}


def range_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``name`` (see :data:`OPTION_RANGES`), or ``None``."""
    low, high = OPTION_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"expected an integer in {low}..{high}, got {value!r}"
    return None


def _check_options(
    *,
    limit: Any,
    num_fewshot: Any,
    bootstrap_iters: Any,
    seed: Any,
    data: Any,
    device: Any,
    batch_size: Any = "auto",
) -> None:
    """Reject bad option values (all at once), a missing data folder and an absent device, before any work."""
    from aimm_nlp.errors import ConfigError, InputFileError

    values = {"limit": limit, "num_fewshot": num_fewshot, "seed": seed, "bootstrap_iters": bootstrap_iters}
    if batch_size != "auto":
        values["batch_size"] = batch_size
    notes = {"limit": " (None evaluates every doc)", "bootstrap_iters": " (0: no intervals)"}
    errors = []
    for name, value in values.items():
        if value is None and name in ("limit", "num_fewshot"):
            continue
        problem = range_problem(name, value)
        if problem:
            errors.append(f"{name}={value!r}: {problem}{notes.get(name, '')}")
    if errors:
        raise ConfigError("invalid evaluation options (nothing was run):", errors=errors)
    if data is not None and not Path(data).is_dir():
        what = "is a file, not a folder" if Path(data).exists() else "no such folder"
        raise InputFileError(
            f"{data}: {what}; pass the folder that holds the suite's data files (what $AIMM_SHARED points to)",
            path=str(data),
        )
    if str(device) != "cpu":
        _check_device(str(device))


def _check_device(device: str) -> None:
    """Parse ``device`` with torch and check this machine has it, so a bad one fails before the model loads."""
    import torch

    from aimm_nlp.errors import ConfigError

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ConfigError(
            f"device {device!r} is not a torch device; use cpu, cuda, cuda:N, mps or xpu"
        ) from None
    if dev.type == "cpu":
        return
    backend = torch.backends.mps if dev.type == "mps" else getattr(torch, dev.type, None)
    if getattr(backend, "is_available", None) is None:
        raise ConfigError(
            f"device {device!r}: a model cannot run on {dev.type}; use cpu, cuda, cuda:N, mps or xpu"
        )
    if not backend.is_available():
        build = " (this torch is a CPU-only build)" if dev.type == "cuda" and not torch.version.cuda else ""
        raise ConfigError(
            f"device {device!r}: no {dev.type} device is available on this machine{build}; use cpu (--device cpu)"
        )
    count = backend.device_count() if hasattr(backend, "device_count") else 1
    if dev.index is not None and dev.index >= count:
        raise ConfigError(
            f"device {device!r}: this machine has {count} {dev.type} device(s), numbered 0 to {count - 1}"
        )


def _load_folder(model: str | os.PathLike[str], device: str) -> Any:
    """:func:`load_model`, with unreadable weights, config or tokenizer files turned into ``ModelError``."""
    from aimm_nlp.errors import AimmError, ModelError
    from aimm_nlp.evaluation.backends import load_model

    try:
        from safetensors import SafetensorError
    except ImportError:  # older safetensors
        from safetensors._safetensors_rust import SafetensorError

    try:
        return load_model(model, device=device)
    except AimmError:
        raise
    except SafetensorError as exc:
        from safetensors import safe_open

        bad = []
        for sub in ("", "model", "final"):
            for f in sorted((Path(model) / sub).glob("*.safetensors")):
                try:
                    with safe_open(str(f), framework="pt"):
                        pass
                except SafetensorError:
                    bad.append(str(f))
        where = ", ".join(bad) or f"the *.safetensors files of {model}"
        raise ModelError(
            f"{where}: cannot read the weights ({exc}); the file is truncated or corrupt: "
            "copy or save the model again"
        ) from None
    except RuntimeError as exc:  # transformers: tensor shapes differ from what config.json describes
        if "mismatch" not in str(exc):
            raise
        raise ModelError(
            f"{model}: config.json does not match the weights{_shape_hint(Path(model))}: the config.json was "
            "edited or belongs to another model; restore the config.json saved with these weights "
            "(or save the model again)"
        ) from None
    # OSError/ValueError: config.json that is not JSON or UTF-8, tokenizer files transformers cannot read
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{model}: cannot load the model ({exc}); check the folder's config and tokenizer files"
        ) from None


def _shape_hint(folder: Path) -> str:
    """`` (config.json says hidden_size=64, the weights are 32 wide: ...)`` when that is the mismatch, else ``""``."""
    import json

    from safetensors import safe_open

    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        size_key = next(k for k in ("hidden_size", "d_model", "n_embd", "dim") if isinstance(cfg.get(k), int))
        for f in sorted(folder.glob("*.safetensors")):
            with safe_open(str(f), framework="pt") as st:
                for name in st.keys():
                    if "embed" in name and "position" not in name:
                        shape = st.get_slice(name).get_shape()
                        if shape and shape[-1] != cfg[size_key]:
                            return (
                                f" (config.json says {size_key}={cfg[size_key]}, the weights are {shape[-1]} "
                                f"wide: {name} {list(shape)} in {f.name})"
                            )
                        return ""
    except Exception:  # only a hint: the error names the folder and the fix without it
        return ""
    return ""


def _backend(model: Any, tokenizer: Any, device: str) -> Any:
    if model is None or hasattr(model, "kind"):
        return model
    if isinstance(model, (str, os.PathLike)):
        return _load_folder(model, device)
    from aimm_nlp.evaluation.backends import wrap_model

    return wrap_model(model, tokenizer)


def _answer(backend: Any, prep: Prepared, todo: list[int]) -> Iterator[tuple[int, Any]]:
    reqs = [prep.requests[i] for i in todo]
    cfg = prep.task.config
    if prep.kind == "choices":
        stream = backend.score_choices(reqs)
    elif prep.kind == "rolling":
        stream = backend.score_rolling(reqs)
    elif prep.kind == "generate":
        gen = cfg.get("generation_kwargs") or {}
        until = gen.get("until", ["\n\n"])
        stream = backend.generate(reqs, until=[until] if isinstance(until, str) else until,
                                  max_gen_toks=int(gen.get("max_gen_toks", 64)))  # fmt: skip
    elif prep.kind == "classify":
        stream = backend.classify(reqs)
    elif prep.kind == "tag":
        stream = backend.tag(reqs)
    elif getattr(backend, "replaces_pipelines", False):  # a label baseline stands in for the pipeline
        stream = backend.classify(reqs)
    else:
        from aimm_nlp.evaluation.pipelines import run_pipeline

        kwargs = cfg.get("pipeline_kwargs") or {}
        stream = ((j, run_pipeline(cfg["pipeline"], text, **kwargs)) for j, text in enumerate(reqs))
    for j, value in stream:
        yield todo[j], value


def _record(prep: Prepared, value: Any, ref: dict[str, Any]) -> dict[str, Any]:
    if prep.kind == "choices":
        return {**ref, "lls": [v[0] for v in value], "greedy": [v[1] for v in value]}
    if prep.kind == "rolling":
        return {**ref, "ll": value}
    if prep.kind == "classify":
        return {"gold": ref["gold"], "pred": value}
    return {**ref, "pred": value}


def _run_task(prep: Prepared, backend: Any, cache: ResultCache, model_fp: str, flush_every: int) -> list[Any]:
    task_hash = prep.task.config_hash
    keys = [item_key(model_fp, task_hash, [prep.kind, r]) for r in prep.requests]
    found = cache.get_many(keys)
    values: list[Any] = [found.get(k) for k in keys]
    todo = [i for i, k in enumerate(keys) if k not in found]
    log.info("%s: %d cached, %d to compute", prep.task.name, len(keys) - len(todo), len(todo))
    pending: dict[str, Any] = {}
    try:
        for i, value in _answer(backend, prep, todo):
            values[i] = value
            pending[keys[i]] = value
            if len(pending) >= flush_every:
                cache.put_many(pending)
                pending = {}
    finally:  # keep every finished item, also when the run is interrupted
        if pending:
            cache.put_many(pending)
    return values


def _score(prep: Prepared, values: list[Any], iters: int, seed: int) -> tuple[dict, dict, list[dict]]:
    items = [_record(prep, v, ref) for v, ref in zip(values, prep.refs, strict=True)]
    scores, cis = {}, {}
    for name in prep.task.metrics:
        metric = METRICS[name]
        scores[name] = float(metric.aggregate(items))
        cis[name] = bootstrap_ci(metric, items, iters=iters, seed=seed)
    samples = []
    for doc_id, (req, item) in enumerate(zip(prep.requests, items, strict=True)):
        per = {n: METRICS[n].item_value(item) for n in prep.task.metrics if METRICS[n].item_value}
        samples.append({"doc_id": doc_id, "request": req, **item, "metrics": per})
    return scores, cis, samples


@functools.lru_cache(maxsize=1)
def _package_versions() -> tuple[tuple[str, str | None], ...]:
    from importlib import metadata

    versions: list[tuple[str, str | None]] = []
    for pkg in ("aimm-nlp", "torch", "transformers", "tokenizers", "sacrebleu", "seqeval", "numpy"):
        try:
            versions.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            versions.append((pkg, None))
    return tuple(versions)


def _provenance(
    backend: Any, tasks: Sequence[Task], *, batch_size: Any, seed: int, device: str
) -> dict[str, Any]:
    import hashlib
    import platform

    def sha(path: Any) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()

    return {
        "model": dict(
            getattr(backend, "provenance", {}) or {"fingerprint": getattr(backend, "fingerprint", None)}
        ),
        "model_kind": getattr(backend, "kind", None),
        "data_sha256": {t.name: sha(t.data_file()) for t in tasks},
        "prompt_template_sha256": {t.name: t.config_hash for t in tasks},
        "packages": dict(_package_versions()),
        "python": platform.python_version(),
        "seed": seed,
        "batch_size": batch_size,
        "device": device,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def evaluate(
    model: Any,
    tasks: Sequence[str | Task] | str | None = None,
    *,
    suite: str | os.PathLike[str] | None = None,
    data: str | os.PathLike[str] | None = None,
    strict: bool = False,
    limit: int | None = None,
    batch_size: int | str = "auto",
    num_fewshot: int | None = None,
    seed: int = 1234,
    cache: str | os.PathLike[str] | ResultCache | None = None,
    bootstrap_iters: int = 1000,
    tokenizer: Any = None,
    device: str = "cpu",
) -> Results:
    """Evaluate ``model`` on ``tasks``; per-item results are cached and reused.

    With ``suite`` (or a ``"baseline:..."`` model), tasks the data or the model cannot serve
    are skipped with a reason (``Results.skipped``) instead of failing the run; see
    :func:`aimm_nlp.evaluation.suites.run_suite`.

    Args:
        model: a local model folder, an in-memory ``transformers`` model (pass ``tokenizer``),
            a backend (e.g. :class:`DummyModel`), ``"baseline:majority"`` /
            ``"baseline:char_ngram"``, or ``None`` for pipeline-only tasks.
        tasks: shipped task names, task YAML paths or :class:`Task` objects.
        suite: a suite name (``morocco``, ``morocco-mini``) or suite YAML path; with ``tasks``,
            only those of its tasks run.
        data: a folder that replaces ``$AIMM_SHARED`` for the suite's data files.
        strict: raise :class:`ConfigError` (before running anything) if any task would be skipped.
        limit: evaluate only the first ``limit`` docs of each task (1 to 10**9).
        batch_size: rows per forward pass (1 to 65536), or ``"auto"`` (a token budget); scores do not
            depend on it.
        num_fewshot: override the tasks' ``num_fewshot`` (0 to 1000).
        seed: few-shot sampling and bootstrap seed (0 to 2**32 - 1).
        cache: sqlite path for the per-item cache (``None``: in memory, this run only).
        bootstrap_iters: draws for the 95 % confidence intervals (0 to 100000; 0 disables them).
        tokenizer: the tokenizer of an in-memory ``model`` (a folder brings its own).
        device: torch device for a model folder or in-memory model (``"cpu"``, ``"cuda"``, ``"cuda:1"``).

    Raises:
        ConfigError, UnknownNameError, DataError, InputFileError, ModelError: before any model call
            (option values outside their ranges: one ``ConfigError`` listing them all).

    Examples:
        >>> from aimm_nlp.testing import DummyModel
        >>> res = evaluate(None, ["script_id"], limit=20, bootstrap_iters=0)  # doctest: +SKIP
    """
    _check_options(
        limit=limit,
        num_fewshot=num_fewshot,
        bootstrap_iters=bootstrap_iters,
        seed=seed,
        data=data,
        device=device,
        batch_size=batch_size,
    )
    baseline = isinstance(model, str) and model.startswith("baseline:")
    if suite is not None or baseline or data is not None:
        from aimm_nlp.evaluation.suites import run_suite

        return run_suite(
            model, suite, tasks=tasks, data=data, strict=strict, limit=limit, batch_size=batch_size,
            num_fewshot=num_fewshot, seed=seed, cache=cache, bootstrap_iters=bootstrap_iters,
            tokenizer=tokenizer, device=device,
        )  # fmt: skip
    if tasks is None:
        from aimm_nlp.errors import ConfigError

        raise ConfigError("evaluate: pass tasks=[...] or suite='morocco-mini' (or 'morocco')")
    names = [tasks] if isinstance(tasks, str) else list(tasks)
    loaded = [t if isinstance(t, Task) else load_task(t) for t in names]
    backend = _backend(model, tokenizer, device)
    if backend is not None and hasattr(backend, "batch_size"):
        backend.batch_size = batch_size
    preps = [prepare(t, backend, limit=limit, num_fewshot=num_fewshot, seed=seed) for t in loaded]
    for prep in preps:
        if not prep.requests:  # no scores can come from no docs (they would be NaN)
            from aimm_nlp.errors import DataError

            raise DataError(
                f"{prep.task.data_file()}: task {prep.task.name} has no docs to evaluate in its test split "
                "(the file has no rows, or doc_filter/hash_split kept none); add rows or fix the task"
            )
    store = cache if isinstance(cache, ResultCache) else ResultCache(cache)
    # settings that move a score are part of the cache key, next to the weights' hash
    settings = {k: getattr(backend, k, None) for k in ("max_length", "softmax_dtype")}
    model_fp = f"{getattr(backend, 'fingerprint', 'no-model')}:{sorted(settings.items())}"
    scores, cis, samples = {}, {}, {}
    try:
        for prep in preps:
            values = _run_task(prep, backend, store, model_fp, flush_every=64)
            name = prep.task.name
            scores[name], cis[name], samples[name] = _score(prep, values, bootstrap_iters, seed)
    finally:
        if not isinstance(cache, ResultCache):
            store.close()
    return Results(
        scores=scores,
        ci95=cis,
        versions={p.task.name: p.task.version for p in preps},
        configs={p.task.name: p.task.config for p in preps},
        n_shot={p.task.name: p.n_shot for p in preps},
        higher_is_better={
            p.task.name: {m: METRICS[m].higher_is_better for m in p.task.metrics} for p in preps
        },
        n_samples={p.task.name: {"original": p.n_total, "effective": len(p.requests)} for p in preps},
        langs={p.task.name: p.task.lang for p in preps},
        provenance=_provenance(backend, loaded, batch_size=batch_size, seed=seed, device=device),
        samples=samples,
    )
