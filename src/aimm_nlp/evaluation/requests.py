"""Turn a task's docs into model requests and per-item metric records.

Each task type becomes one of five request kinds a backend answers: ``choices``
(log-likelihood of each continuation; a ``loglikelihood`` task is a one-choice request whose
choice is the target), ``rolling`` (perplexity), ``generate``, ``classify``
(encoder head) and ``tag`` (token classifier); ``pipeline`` tasks call an aimm function.
Everything is prepared and checked before any model runs, so bad input fails fast.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, cast

from aimm_nlp.errors import DataError, ModelError
from aimm_nlp.evaluation.backends.base import Backend, Classifier
from aimm_nlp.evaluation.data import read_docs
from aimm_nlp.evaluation.schema import Task
from aimm_nlp.evaluation.templates import doc_to_choice, doc_to_target, render_field

__all__ = ["Prepared", "prepare"]

# the task keys that shape a request's text (prompt_sha256); the few-shot count is added as used
PROMPT_KEYS = ("output_type", "description", "doc_to_text", "doc_to_target", "doc_to_choice",
               "target_delimiter", "fewshot_delimiter", "fewshot_split", "fewshot_config",
               "tokens_column", "tags_column", "generation_kwargs")  # fmt: skip

# which backend kinds can answer each task type
ACCEPTS = {
    "loglikelihood": {"causal_lm", "dummy"},
    "multiple_choice": {"causal_lm", "dummy"},
    "perplexity": {"causal_lm", "dummy"},
    "generation": {"causal_lm", "seq2seq", "dummy"},
    "classification": {"encoder_classifier", "causal_lm", "dummy"},
    "token_classification": {"token_classifier", "dummy"},
    "pipeline": None,  # no model needed
}


@dataclass(frozen=True)
class Prepared:
    """A task ready to run: the request kind, one request and one reference per doc."""

    task: Task
    kind: str
    requests: list[Any]
    refs: list[dict[str, Any]]
    n_total: int
    n_shot: int
    docs: list[dict[str, Any]] | None = None  # the docs of the requests (lm-eval's custom filters read them)

    @property
    def prompt_sha256(self) -> str:
        """sha256 of what turns a doc into a prompt: the template keys and the few-shot count used.

        Unlike ``task.config_hash`` it leaves out data paths and metrics, so the regression gate can
        tell two runs of the same prompts on the same data (``data_sha256``) apart from a prompt change.
        """
        import hashlib
        import json

        cfg = {k: self.task.config.get(k) for k in PROMPT_KEYS}
        blob = json.dumps(
            {**cfg, "num_fewshot": self.n_shot}, sort_keys=True, ensure_ascii=False, default=str
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def _fewshot(task: Task, docs: list[dict], pool: list[dict], n: int, seed: int, idx: int) -> str:
    if n <= 0:
        return ""
    cfg = task.config
    sampler = (cfg.get("fewshot_config") or {}).get("sampler")
    if sampler == "first_n":  # lm-eval's FirstNSampler: the pool's first n docs in order, never the doc
        shots = [d for d in pool if d is not docs[idx]][:n]
    else:
        rng = random.Random(f"{seed}:{idx}")
        others = [d for d in pool if d is not docs[idx]]  # a doc is never its own example
        shots = rng.sample(others, min(n, len(others)))
    parts = []
    for d in shots:
        where = "a few-shot example"
        target = doc_to_target(task, d, where=where)
        if isinstance(target, int) and cfg.get("doc_to_choice") is not None:
            target = doc_to_choice(task, d, where=where)[target]
        text = render_field(task, "doc_to_text", d, where=where)
        parts.append(f"{text}{cfg.get('target_delimiter', ' ')}{target}")
    return cfg.get("fewshot_delimiter", "\n\n").join(parts) + cfg.get("fewshot_delimiter", "\n\n")


def _gold_index(task: Task, doc: dict, choices: list[str], where: str) -> int:
    gold = doc_to_target(task, doc, where=where)
    if isinstance(gold, int) and not isinstance(gold, bool):
        if 0 <= gold < len(choices):
            return gold
        raise DataError(f"{where}: label index {gold} is out of range for {len(choices)} choices {choices}")
    if str(gold) in choices:
        return choices.index(str(gold))
    raise DataError(
        f"{where}: label {gold!r} is not one of the choices {choices}; fix doc_to_choice or the data"
    )


def prepare(
    task: Task, backend: Backend | None, *, limit: int | None, num_fewshot: int | None, seed: int
) -> Prepared:
    """Read the data, render every template and check labels and the model kind."""
    kind_ok = ACCEPTS[task.type]
    model_kind = backend.kind if backend is not None else None
    if kind_ok is not None and model_kind not in kind_ok:
        raise ModelError(
            f"task {task.name} ({task.type}) needs a {' or '.join(sorted(kind_ok - {'dummy'}))} model, "
            f"got {model_kind or 'no model'}; pass a model folder of the right type"
        )
    cfg = task.config
    path = task.data_file()
    test_split = cfg.get("test_split") or "test"
    all_docs = read_docs(path, cfg, split=test_split, task_file=task.path)
    docs = all_docs[:limit] if limit is not None else all_docs
    n_shot = cfg.get("num_fewshot", 0) if num_fewshot is None else num_fewshot
    pool: list[dict] = []
    if n_shot:
        split = cfg.get("fewshot_split") or cfg.get("training_split") or cfg.get("validation_split")
        pool = read_docs(task.data_file(split), cfg, split=split, task_file=task.path) if split else all_docs
    requests, refs = [], []
    head = cfg.get("description", "") or ""
    for i, doc in enumerate(docs):
        where = f"{path}: doc {i}"
        ctx = (
            head
            + _fewshot(task, docs, pool, n_shot, seed, i)
            + str(render_field(task, "doc_to_text", doc, where=where) or "")
        )
        if task.type in ("multiple_choice", "classification"):
            choices = doc_to_choice(task, doc, where=where)
            gold = _gold_index(task, doc, choices, where)
            if model_kind == "encoder_classifier":
                labels = cast(Classifier, backend).labels
                missing = sorted(set(choices) - set(labels))
                if missing:
                    raise ModelError(f"task {task.name}: model labels {labels} lack {missing}")
                requests.append(ctx)
                refs.append({"gold": choices[gold], "choices": choices})
            else:
                delim = cfg.get("target_delimiter", " ")
                requests.append((ctx, [delim + c for c in choices]))
                refs.append({"gold": gold, "choices": choices})
        elif task.type == "loglikelihood":
            # lm-eval's (context, doc_to_target): a one-choice request, the target as written (no
            # target_delimiter), so the log-likelihood and its greedy flag are lm-eval's
            target = str(render_field(task, "doc_to_target", doc, where=where))
            requests.append((ctx, [target]))
            refs.append({"gold": 0, "choices": [target], "target": target})
        elif task.type == "perplexity":
            key = "doc_to_target" if cfg.get("doc_to_target") else "doc_to_text"
            text = str(render_field(task, key, doc, where=where))
            requests.append(text)
            # words as lm-eval counts them (re.split on whitespace runs), so word perplexity matches
            refs.append(
                {"bytes": len(text.encode()), "chars": len(text), "words": len(re.split(r"\s+", text))}
            )
        elif task.type == "generation":
            requests.append(ctx)
            refs.append({"ref": str(doc_to_target(task, doc, where=where))})
        elif task.type == "token_classification":
            tokens, tags = doc[cfg.get("tokens_column", "tokens")], doc[cfg.get("tags_column", "tags")]
            if isinstance(tokens, str):  # one doc per row: space-separated tokens and tags
                tokens, tags = tokens.split(), str(tags).split()
            if len(tokens) != len(tags):
                raise DataError(f"{where}: {len(tokens)} tokens but {len(tags)} tags")
            requests.append([str(t) for t in tokens])
            refs.append({"ref": [str(t) for t in tags]})
        else:  # pipeline: scored like a classifier (acc, f1) or a generator (cer, chrf)
            target = str(doc_to_target(task, doc, where=where))
            requests.append(ctx)
            refs.append({"ref": target, "gold": target})
    kind = {
        "loglikelihood": "choices",
        "multiple_choice": "choices",
        "classification": "classify" if model_kind == "encoder_classifier" else "choices",
        "perplexity": "rolling",
        "generation": "generate",
        "token_classification": "tag",
        "pipeline": "pipeline",
    }[task.type]
    return Prepared(task, kind, requests, refs, len(all_docs), n_shot, docs)
