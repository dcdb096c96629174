"""Fine-tuning configuration: plain dataclasses, loaded from YAML with ``key.sub=value`` overrides.

Every field has a commented default, and every numeric field a documented range (:data:`RANGES`;
floats must be finite: ``.nan`` and ``.inf`` are refused). :meth:`FinetuneConfig.from_yaml` (the
config engine, :mod:`aimm_nlp._config`) rejects unknown keys, wrong types and values out of range and
reports **all** problems in one :class:`~aimm_nlp.errors.ConfigError`, before any model, tokenizer,
data set or run folder is touched.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from typing import Any

from aimm_nlp import _config
from aimm_nlp._config import Range, choice_error
from aimm_nlp.errors import ConfigError

__all__ = [
    "ARCHITECTURES",
    "SIZES",
    "TASKS",
    "DataConfig",
    "FinetuneConfig",
    "LoraConfig",
    "ModelConfig",
    "OptimConfig",
    "RunConfig",
]

TASKS = ("sequence_classification", "token_classification", "causal_lm", "masked_lm", "seq2seq")
ARCHITECTURES = ("llama", "bert", "roberta", "t5", "bart")  # from-scratch choices (see models.py)
SIZES = ("tiny", "small", "base")
FORMATS = ("auto", "tsv", "csv", "jsonl", "txt", "token_rows")
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup")  # transformers.get_scheduler names


@dataclass
class LoraConfig:
    enabled: bool = False  # train LoRA adapters (needs the `peft` extra) instead of all weights
    r: int = 8  # adapter rank, 1..4096
    alpha: int = 16  # scaling numerator (scale = alpha / r), 1..65536
    dropout: float = 0.0  # 0..0.99
    target_modules: list[str] | None = None  # None: peft's default for the architecture
    merge: bool = True  # merge adapters into the weights on save; false: a peft adapter (needs model.path)


@dataclass
class ModelConfig:
    path: str | None = None  # local HF checkpoint folder; never downloaded
    architecture: str | None = None  # from scratch: llama | bert | roberta | t5 | bart
    size: str = "tiny"  # from-scratch size preset: tiny | small | base
    tokenizer: str | None = None  # tokenizer folder (default: model.path); required from scratch
    trust_remote_code: bool = False  # only when you trust the folder's Python code
    # auto: transformers' choice per architecture (sdpa where supported, else eager, as for Gemma2);
    # or force one: sdpa | eager | flex_attention | flash_attention_2
    attn_implementation: str = "auto"
    overrides: dict[str, Any] = field(default_factory=dict)  # extra model-config fields, e.g. {dropout: 0}
    lora: LoraConfig = field(default_factory=LoraConfig)


@dataclass
class DataConfig:
    train: str | None = None  # local file: .tsv/.csv/.jsonl/.txt (or a corpus name load_corpus knows)
    eval: str | None = None  # optional held-out file, same format
    format: str = "auto"  # auto (from the suffix) | tsv | csv | jsonl | txt | token_rows
    text_column: str = "text"  # classification / LM input text
    label_column: str = "label"  # sequence_classification label; token_classification tags (token_rows)
    labels: list[str] | str | None = None  # the label set, in order; "auto" = sorted labels of train
    words_column: str = "words"  # token_classification: word column (token_rows) or word list (jsonl)
    group_column: str = "sentence"  # token_rows: rows sharing this value form one sentence
    prompt_column: str | None = None  # causal_lm SFT: loss on the response only
    response_column: str = "response"
    chat_template: str | None = None  # Jinja template for SFT (default: the tokenizer's own)
    source_column: str = "source"  # seq2seq
    target_column: str = "target"
    source_prefix: str = ""  # seq2seq: prepended to every source, e.g. "ary_Arab->eng_Latn: "
    max_length: int = 256  # 2..2**20; longer sequences are truncated, counted and logged
    packing: bool = True  # causal_lm: pack samples into max_length rows (no cross-sample attention)
    max_tokens: int = 4096  # tokens per micro-batch (token budget / packed rows), max_length..2**24
    # how unpacked samples form batches (batching.plan_epoch). tokens: length-sorted, each batch
    # <= max_tokens padded tokens (2 to 400+ samples, one length each). bucketed: as many batches, each
    # of the same sample count, from shuffled megabatches of `megabatch` batches sorted by length
    # (sequence_classification: by length within each label); megabatch 1 (default): plain random
    # batches, a Trainer's. Each bucketed batch is computed in length-sorted chunks of <= max_tokens
    # padded tokens (batching.chunk_rows): the step's gradient is the whole batch's, padding is each
    # chunk's own. auto: bucketed for sequence and token classification (a Trainer's quality: README,
    # Fine-tuning), tokens for the other tasks
    batching: str = "auto"
    megabatch: int = 1  # bucketed: batches per length-sorted megabatch, 1..10**6 (1: plain random batches)
    mlm_probability: float = 0.15  # masked_lm, in (0, 0.99]
    limit: int | None = None  # keep only the first N (1..10**9) training records; null: all


@dataclass
class OptimConfig:
    lr: float = 5e-4  # in (0, 10]
    weight_decay: float = 0.01  # 0..10
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])  # each in [0, 1)
    eps: float = 1e-8  # in (0, 1]
    scheduler: str = "linear"  # linear | cosine | constant (transformers.get_scheduler names)
    warmup_steps: int = 0  # 0..10**9
    max_steps: int | None = None  # optimizer steps, 1..10**9; None: run `epochs` epochs
    epochs: float = 1.0  # in (0, 10**6]; fractions allowed
    grad_accum: int = 1  # micro-batches per optimizer step and rank, 1..65536
    # in (0, 10**6]; None: no clipping. Bounds each step's mean gradient (per target or sample, as a
    # Trainer's per-batch mean), so clipping does not undo loss_weighting (weighting.clip_limit)
    max_grad_norm: float | None = 1.0
    # token: every target token weighs the same; sample: every sample (its tokens share one unit). The
    # summed loss of each step is divided by one constant of the run (the expected tokens/samples per
    # step), so no weight depends on the size of the batch a sample lands in
    loss_weighting: str = "token"
    fused: bool | None = None  # fused AdamW; None = on wherever torch has the kernel (CUDA, CPU)


@dataclass
class RunConfig:
    output_dir: str = "runs/finetune"  # the run folder (model, tokenizer, config, metrics, card, plot)
    seed: int = 0  # 0..2**32 - 1
    precision: str = (
        "auto"  # auto: bf16 autocast on bf16 GPUs and CPUs (AVX512-BF16/AMX), else fp32 | bf16 | fp32
    )
    device: str = "auto"  # auto | cpu | cuda
    compile: bool = False  # torch.compile the model
    gradient_checkpointing: bool = False
    log_every: int = 10  # optimizer steps between metrics.jsonl lines, 1..10**9
    eval_every: int = 0  # 0..10**9; 0: evaluate only at the end
    save_every: int = 0  # 0..10**9; 0: no intermediate checkpoints
    keep_checkpoints: int = 2  # newest checkpoints kept, 0..10**6; 0: keep all
    resume: bool = False  # continue from the newest checkpoint in output_dir
    overwrite: bool = False  # allow a run folder that already holds a finished run
    early_stopping_metric: str | None = None  # e.g. eval_loss or eval_macro_f1
    early_stopping_patience: int = 3  # evaluations without improvement before stopping, 1..10**6
    distributed: str = "ddp"  # under torchrun: ddp | fsdp
    threads: int | None = None  # torch CPU threads, 1..1024 (None: torch's default)


@dataclass
class FinetuneConfig:
    """One run: task, model, data, optimizer and run options.

    Examples:
        >>> cfg = FinetuneConfig.from_dict(
        ...     {"task": "sequence_classification", "data": {"train": "tweets.tsv", "labels": ["neg", "pos"]},
        ...      "model": {"architecture": "bert", "tokenizer": "tok/"}},
        ...     overrides=["optim.lr=3e-5", "run.seed=7"],
        ... )
        >>> cfg.optim.lr, cfg.run.seed
        (3e-05, 7)
    """

    task: str = (
        "causal_lm"  # sequence_classification | token_classification | causal_lm | masked_lm | seq2seq
    )
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    run: RunConfig = field(default_factory=RunConfig)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str], *, overrides: list[str] | None = None) -> FinetuneConfig:
        """Load a YAML file (``yaml.safe_load``), apply ``key.sub=value`` overrides and validate."""
        return _config.from_yaml(cls, path, overrides=overrides, missing=ConfigError, **_ENGINE)

    @classmethod
    def from_dict(
        cls, raw: dict[str, Any], *, overrides: list[str] | None = None, source: str = "<dict>"
    ) -> FinetuneConfig:
        """Build from a plain dict; every unknown key, bad type and bad value is reported at once."""
        return _config.from_dict(cls, raw, overrides=overrides, source=source, **_ENGINE)

    def to_dict(self) -> dict[str, Any]:
        """The resolved config as plain data (written to the run folder as config.yaml)."""
        return dataclasses.asdict(self)

    def check(self) -> list[str]:
        """Every value problem (ranges, names, fields that depend on each other); empty when valid."""
        return _config.range_errors(self) + self._cross_checks()

    def _cross_checks(self) -> list[str]:
        m, d, o, r = self.model, self.data, self.optim, self.run
        choices = [
            choice_error("task", self.task, TASKS, noun="task"),
            m.architecture and choice_error("model.architecture", m.architecture, ARCHITECTURES),
            choice_error("model.size", m.size, SIZES),
            choice_error("data.format", d.format, FORMATS),
            choice_error("optim.scheduler", o.scheduler, SCHEDULERS, shown=SCHEDULERS[:3]),
            choice_error("optim.loss_weighting", o.loss_weighting, ("token", "sample")),
            choice_error("data.batching", d.batching, ("auto", "tokens", "bucketed")),
            choice_error("run.precision", r.precision, ("auto", "bf16", "fp32")),
            choice_error("run.device", r.device, ("auto", "cpu", "cuda")),
            choice_error("run.distributed", r.distributed, ("ddp", "fsdp")),
        ]
        e: list[str] = [c for c in choices if c]
        if m.path is None and m.architecture is None:
            e.append("model: set model.path (a local checkpoint folder) or model.architecture (from scratch)")
        if m.path is None and m.architecture is not None and m.tokenizer is None:
            e.append("model.tokenizer: a from-scratch model needs a tokenizer folder")
        if m.lora.enabled and not m.lora.merge and m.path is None:
            e.append(
                "model.lora.merge: false needs model.path: an adapter of a from-scratch model has no saved base "
                "to load with; set model.lora.merge: true"
            )
        if d.train is None:
            e.append("data.train: required (a local .tsv/.csv/.jsonl/.txt file)")
        if self.task in ("sequence_classification", "token_classification") and d.labels is None:
            e.append(f"data.labels: {self.task} needs the label list (or 'auto' to take it from data.train)")
        if isinstance(d.labels, str) and d.labels != "auto":
            e.append("data.labels: a list of label names, or the string 'auto'")
        if isinstance(d.labels, list) and len(set(d.labels)) != len(d.labels):
            e.append("data.labels: duplicate label names")
        if d.max_tokens < d.max_length:
            e.append(f"data.max_tokens ({d.max_tokens}) must be >= data.max_length ({d.max_length})")
        if len(o.betas) != 2:
            e.append("optim.betas: two numbers, e.g. [0.9, 0.999]")
        for i, beta in enumerate(o.betas):
            if not (math.isfinite(beta) and 0 <= beta < 1):
                e.append(f"optim.betas[{i}]: must be in [0, 1), got {beta}")
        return e


_BIG = 10**9  # upper bound of step, record and interval counts (documented on each field)
_ENGINE = {"what": "fine-tuning config", "example": "optim.lr=3e-5", "strict_yaml": False}

RANGES: dict[str, Range] = {
    "model.lora.r": Range(1, 4096),
    "model.lora.alpha": Range(1, 65536),
    "model.lora.dropout": Range(0.0, 0.99),
    "data.max_length": Range(2, 2**20),
    "data.max_tokens": Range(2, 2**24),
    "data.megabatch": Range(1, 10**6),
    "data.mlm_probability": Range(0.0, 0.99, low_open=True),
    "data.limit": Range(1, _BIG, none_ok=True),
    "optim.lr": Range(0.0, 10.0, low_open=True),
    "optim.weight_decay": Range(0.0, 10.0),
    "optim.eps": Range(0.0, 1.0, low_open=True),
    "optim.warmup_steps": Range(0, _BIG),
    "optim.max_steps": Range(1, _BIG, none_ok=True),
    "optim.epochs": Range(0.0, 1e6, low_open=True),
    "optim.grad_accum": Range(1, 65536),
    "optim.max_grad_norm": Range(0.0, 1e6, low_open=True, none_ok=True),
    "run.seed": Range(0, 2**32 - 1),
    "run.log_every": Range(1, _BIG),
    "run.eval_every": Range(0, _BIG),
    "run.save_every": Range(0, _BIG),
    "run.keep_checkpoints": Range(0, 10**6),
    "run.early_stopping_patience": Range(1, 10**6),
    "run.threads": Range(1, 1024, none_ok=True),
}
"""Every numeric field's documented range (ranges are closed unless ``low_open``; ``none_ok``: null
allowed), checked by the config engine (:mod:`aimm_nlp._config`) before any work."""
FinetuneConfig.RANGES = RANGES  # type: ignore[attr-defined]
