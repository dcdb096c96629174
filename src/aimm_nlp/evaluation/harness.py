"""``evaluate(model, tasks)``: plan the run once, run it cached per item, score it into one ``Results``.

Every task is prepared (data read, templates rendered, labels and model kind checked) by
:mod:`aimm_nlp.evaluation.planner` before the model runs, so bad input fails before any work.
Requests already in the cache are skipped; new results are committed batch by batch, so a
killed run resumes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, cast

from aimm_nlp._progress import track
from aimm_nlp.errors import DataError
from aimm_nlp.evaluation.backends.base import (
    Backend,
    ChoiceScorer,
    Classifier,
    Generator,
    RollingScorer,
    Tagger,
)
from aimm_nlp.evaluation.cache import ResultCache, item_key
from aimm_nlp.evaluation.filters import apply_filters
from aimm_nlp.evaluation.groups import add_group_scores
from aimm_nlp.evaluation.metrics import METRICS, bootstrap_ci
from aimm_nlp.evaluation.options import check_options, set_precision
from aimm_nlp.evaluation.planner import Plan, plan
from aimm_nlp.evaluation.provenance import model_provenance, model_settings, run_provenance
from aimm_nlp.evaluation.requests import Prepared
from aimm_nlp.evaluation.results import Results
from aimm_nlp.evaluation.schema import Task
from aimm_nlp.evaluation.suites import Suite

__all__ = ["evaluate", "run_suite"]

log = logging.getLogger(__name__)


def _answer(backend: Backend | None, prep: Prepared, todo: list[int]) -> Iterator[tuple[int, Any]]:
    reqs = [prep.requests[i] for i in todo]
    cfg = prep.task.config
    # prepare() checked the backend's kind answers this request kind
    stream: Iterator[tuple[int, Any]]
    if prep.kind == "choices":
        stream = cast(ChoiceScorer, backend).score_choices(reqs)
    elif prep.kind == "rolling":
        stream = cast(RollingScorer, backend).score_rolling(reqs)
    elif prep.kind == "generate":
        gen = cfg.get("generation_kwargs") or {}
        until = gen.get("until", ["\n\n"])
        stream = cast(Generator, backend).generate(reqs, until=[until] if isinstance(until, str) else until,
                                                   max_gen_toks=int(gen.get("max_gen_toks", 64)))  # fmt: skip
    elif prep.kind == "classify":
        stream = cast(Classifier, backend).classify(reqs)
    elif prep.kind == "tag":
        stream = cast(Tagger, backend).tag(reqs)
    elif getattr(backend, "replaces_pipelines", False):  # a label baseline stands in for the pipeline
        stream = cast(Classifier, backend).classify(reqs)
    else:
        from aimm_nlp.evaluation.pipelines import run_pipeline

        kwargs = cfg.get("pipeline_kwargs") or {}
        stream = ((j, run_pipeline(cfg["pipeline"], text, **kwargs)) for j, text in enumerate(reqs))
    for j, value in stream:
        yield todo[j], value


def _window(prep: Prepared, backend: Backend | None) -> int:
    """Apply the task's ``truncation`` policy before any work: how many requests get their context cut.

    Raises:
        DataError: a request the policy refuses (names the task and the doc).
    """
    policy = prep.task.config.get("truncation", "left")
    if prep.kind == "generate" and getattr(backend, "kind", None) == "causal_lm":
        # the causal generator keeps the last max_length - max_gen_toks prompt tokens (lm-eval's rule)
        gen, causal = prep.task.config.get("generation_kwargs") or {}, cast(Any, backend)
        keep = causal.max_length - int(gen.get("max_gen_toks", 64))
        cut = [i for i, p in enumerate(prep.requests) if len(causal.encode(p)) > keep]
        if cut and (policy == "error" or keep < 1):
            raise DataError(
                f"task {prep.task.name}: doc {cut[0]}: prompt + max_gen_toks is longer than the model window "
                f"({causal.max_length} tokens); set truncation: left or lower generation_kwargs.max_gen_toks"
            )
        return len(cut)
    if prep.kind != "choices" or not hasattr(backend, "truncated"):
        return 0  # rolling windows always fit; encoders cut to their window themselves
    backend.truncation = policy  # type: ignore[union-attr]
    try:
        return len(backend.truncated(prep.requests))  # type: ignore[union-attr]
    except DataError as exc:
        doc = getattr(exc, "doc", None)
        raise DataError(f"task {prep.task.name}: doc {doc}: {exc}") from None


def _record(prep: Prepared, value: Any, ref: dict[str, Any], doc: dict | None) -> dict[str, Any]:
    if prep.kind == "generate" and prep.task.config.get("filter_list"):  # pred: the filtered answer
        return {**ref, "resp": value, "pred": apply_filters(prep.task.config["filter_list"], value, doc)}
    if prep.kind == "choices":
        return {**ref, "lls": [v[0] for v in value], "greedy": [v[1] for v in value]}
    if prep.kind == "rolling":
        return {**ref, "ll": value}
    if prep.kind == "classify":
        return {"gold": ref["gold"], "pred": value}
    return {**ref, "pred": value}


def _run_task(
    prep: Prepared, backend: Backend | None, cache: ResultCache, model_fp: str, flush_every: int
) -> list[Any]:
    task_hash = prep.task.config_hash
    keys = [item_key(model_fp, task_hash, [prep.kind, r]) for r in prep.requests]
    found = cache.get_many(keys)
    values: list[Any] = [found.get(k) for k in keys]
    todo = [i for i, k in enumerate(keys) if k not in found]
    log.info("%s: %d cached, %d to compute", prep.task.name, len(keys) - len(todo), len(todo))
    pending: dict[str, Any] = {}
    try:
        for i, value in track(_answer(backend, prep, todo), total=len(todo), desc=f"eval {prep.task.name}"):
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
    docs = prep.docs or [None] * len(values)
    items = [_record(prep, v, ref, doc) for v, ref, doc in zip(values, prep.refs, docs, strict=True)]
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


def evaluate(
    model: Any,
    tasks: Sequence[str | Task] | str | None = None,
    *,
    suite: str | os.PathLike[str] | Suite | None = None,
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
    dtype: str = "auto",
    softmax_dtype: str | None = None,
    dataset_dirs: Any = None,
    trust_task_code: bool = False,
) -> Results:
    """Evaluate ``model`` on ``tasks``; per-item results are cached and reused.

    With ``suite`` (or a ``"baseline:..."`` model), tasks the data or the model cannot serve
    are skipped with a reason (``Results.skipped``) instead of failing the run; see
    :func:`run_suite`. The run is planned once (:func:`aimm_nlp.evaluation.planner.plan`: options
    and device checked, each task loaded and prepared, before any model call), then run.

    Args:
        model: a local model folder, an in-memory ``transformers`` model (pass ``tokenizer``),
            a backend (e.g. :class:`DummyModel`), ``"baseline:majority"`` /
            ``"baseline:char_ngram"``, or ``None`` for pipeline-only tasks.
        tasks: shipped task names, task YAML paths (aimm's or lm-eval's; an lm-eval group file runs its
            tasks and adds the group's aggregated row) or :class:`Task` objects.
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
        dtype: the model's dtype (lm-eval's ``dtype=``): ``"auto"`` (as saved in the folder, or as the
            in-memory model is), ``"float32"``, ``"bfloat16"``, ``"float16"`` or ``"float64"``.
        softmax_dtype: dtype of the log-softmax and of the log-likelihood sums of a causal LM
            (``"float32"`` or ``"float64"``; ``None``: the backend's own, float32 for a folder).
            Both are in the cache key and in the results' ``provenance.model``.
        dataset_dirs: local copies of the Hub datasets of lm-eval task files:
            ``{"MBZUAI-Paris/DarijaMMLU": DIR}``, ``{"*": ROOT}`` or ROOT (``ROOT/<owner>/<name>/``).
        trust_task_code: run the ``!function`` code of lm-eval task files (refused without it).

    Raises:
        ConfigError, UnknownNameError, DataError, InputFileError, ModelError: before any model call
            (option values outside their ranges: one ``ConfigError`` listing them all).

    Examples:
        >>> from aimm_nlp.testing import DummyModel
        >>> res = evaluate(None, ["script_id"], limit=20, bootstrap_iters=0)  # doctest: +SKIP
    """
    skips = (
        suite is not None or data is not None or (isinstance(model, str) and model.startswith("baseline:"))
    )
    return _evaluate(
        model, tasks, suite=suite, data=data, strict=strict, skips=skips, limit=limit, batch_size=batch_size,
        num_fewshot=num_fewshot, seed=seed, cache=cache, bootstrap_iters=bootstrap_iters, tokenizer=tokenizer,
        device=device, dtype=dtype, softmax_dtype=softmax_dtype, dataset_dirs=dataset_dirs,
        trust_task_code=trust_task_code,
    )  # fmt: skip


def run_suite(
    model: Any,
    suite: str | os.PathLike[str] | Suite | None,
    *,
    tasks: Sequence[str | Task] | str | None = None,
    data: str | os.PathLike[str] | None = None,
    strict: bool = False,
    limit: int | None = None,
    num_fewshot: int | None = None,
    seed: int = 1234,
    cache: str | os.PathLike[str] | ResultCache | None = None,
    tokenizer: Any = None,
    device: str = "cpu",
    batch_size: int | str = "auto",
    bootstrap_iters: int = 1000,
    dtype: str = "auto",
    softmax_dtype: str | None = None,
    dataset_dirs: Any = None,
    trust_task_code: bool = False,
) -> Results:
    """Run a suite (or ad-hoc ``tasks``) on ``model``; skip what cannot run, with reasons.

    Args:
        model: as :func:`evaluate`, plus ``"baseline:majority"`` / ``"baseline:char_ngram"``
            (fit per task on its training split).
        suite: a suite name or path (or ``None`` with ``tasks``).
        tasks: task names; with ``suite``, the subset of its tasks to run (in the suite's order).
        data: a folder that replaces ``$AIMM_SHARED`` in the tasks' data paths.
        strict: raise :class:`ConfigError` listing the skips before running anything.
        limit, num_fewshot, seed, cache, tokenizer, device, batch_size, bootstrap_iters, dtype,
            softmax_dtype, dataset_dirs, trust_task_code: as for
            :func:`evaluate` (one ``cache`` serves every task of the run).

    Returns:
        :class:`Results` of the tasks that ran, with ``skipped`` = ``[(task, reason), ...]``.

    Examples:
        >>> res = run_suite(None, "morocco-mini", limit=5, bootstrap_iters=0)  # doctest: +SKIP
    """
    return _evaluate(
        model, tasks, suite=suite, data=data, strict=strict, skips=True, limit=limit, batch_size=batch_size,
        num_fewshot=num_fewshot, seed=seed, cache=cache, bootstrap_iters=bootstrap_iters, tokenizer=tokenizer,
        device=device, dtype=dtype, softmax_dtype=softmax_dtype, dataset_dirs=dataset_dirs,
        trust_task_code=trust_task_code,
    )  # fmt: skip


def _evaluate(
    model: Any,
    tasks: Sequence[str | Task] | str | None,
    *,
    suite: str | os.PathLike[str] | Suite | None,
    data: str | os.PathLike[str] | None,
    strict: bool,
    skips: bool,
    limit: int | None,
    batch_size: int | str,
    num_fewshot: int | None,
    seed: int,
    cache: str | os.PathLike[str] | ResultCache | None,
    bootstrap_iters: int,
    tokenizer: Any,
    device: str,
    dtype: str,
    softmax_dtype: str | None,
    dataset_dirs: Any = None,
    trust_task_code: bool = False,
) -> Results:
    """Check the options (once), plan the run (each task prepared once), run it, build one ``Results``."""
    check_options(
        limit=limit, num_fewshot=num_fewshot, bootstrap_iters=bootstrap_iters, seed=seed, data=data,
        device=device, batch_size=batch_size, dtype=dtype, softmax_dtype=softmax_dtype,
    )  # fmt: skip
    todo = plan(
        model, tasks, suite=suite, data=data, strict=strict, skips=skips, tokenizer=tokenizer, device=device,
        prep_kw={"limit": limit, "num_fewshot": num_fewshot, "seed": seed},
        load_kw={"dataset_dirs": dataset_dirs, "trust_task_code": trust_task_code},
    )  # fmt: skip
    for backend in {id(r.backend): r.backend for r in todo.runs}.values():
        if backend is not None and hasattr(backend, "batch_size"):  # an optional Backend attribute
            backend.batch_size = batch_size
        set_precision(backend, dtype=dtype, softmax_dtype=softmax_dtype)
    store = cache if isinstance(cache, ResultCache) else ResultCache(cache)
    scores, cis, samples, n_truncated = {}, {}, {}, {}
    try:
        for run in todo.runs:
            prep, backend = run.prep, run.backend
            # settings that move a score are part of the cache key, next to the model files' fingerprint
            settings = model_settings(backend)
            model_fp = f"{getattr(backend, 'fingerprint', 'no-model')}:{sorted(settings.items())}"
            name = prep.task.name
            n_truncated[name] = _window(prep, backend)
            values = _run_task(prep, backend, store, model_fp, flush_every=64)
            scores[name], cis[name], samples[name] = _score(prep, values, bootstrap_iters, seed)
    finally:
        if not isinstance(cache, ResultCache):
            store.close()
    found = _results(todo, scores, cis, samples, n_truncated, batch_size=batch_size, seed=seed, device=device)
    return add_group_scores(found, todo.groups)


def _results(
    todo: Plan,
    scores: dict,
    cis: dict,
    samples: dict,
    n_truncated: dict,
    *,
    batch_size: Any,
    seed: int,
    device: str,
) -> Results:
    preps = [r.prep for r in todo.runs]
    first = todo.runs[0].backend if todo.runs else todo.shared
    provenance = run_provenance(
        first, [p.task for p in preps], batch_size=batch_size, seed=seed, device=device
    )
    provenance["prompt_sha256"] = {p.task.name: p.prompt_sha256 for p in preps}  # compared by the gate
    models = {r.prep.task.name: model_provenance(r.backend) for r in todo.runs}
    if len({str(m) for m in models.values()}) > 1:  # baselines: one fit per task
        provenance["model"] = models
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
        langs={**todo.skipped_langs, **{p.task.name: p.task.lang for p in preps}},
        provenance=provenance,
        samples=samples,
        n_truncated=n_truncated,
        skipped=todo.skipped,
        suite=todo.suite.to_dict() if todo.suite is not None else None,
    )
