"""``finetune(cfg) -> RunResult``: validate everything, build, train, save a self-contained run folder.

A recipe of four stages: prepare (checks, tokenizer, data, model, encoding: :func:`_prepare`), set up
devices (:func:`_devices`), train (:func:`aimm_nlp.finetune.loop.train` on a
:class:`~aimm_nlp.finetune.context.RunContext`), save (:func:`_save`). It never touches the
environment: every model and tokenizer load is local only (``local_files_only=True``).

All checks (config, data files, labels, tokenizer, model path, vocab sizes, the run folder) run
before the run folder is created, so bad input leaves nothing behind. A run folder is marked by
``.aimm_run.json``; ``run.resume``/``run.overwrite`` apply to such folders only (or empty ones), so a
folder of the user's is never written into or deleted. ``run.overwrite`` trains into a hidden sibling
folder and swaps it in only when the new run has finished: a failed or interrupted run leaves the
earlier one as it was. The same call works under
``torchrun --nproc_per_node=N`` and ``accelerate launch --multi_gpu --num_processes N``: it reads
``WORLD_SIZE``/``RANK``/``LOCAL_RANK`` (:mod:`aimm_nlp.finetune.launch`), joins the process group (NCCL
on GPU, gloo on CPU), wraps the model in DDP or FSDP, and only rank 0 writes files; ``run.json`` records
the world size, launcher, backend and every rank's device.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError
from aimm_nlp.finetune.config import FinetuneConfig
from aimm_nlp.finetune.context import RunContext
from aimm_nlp.finetune.rundir import RUN_MARKER, is_run_dir, rewind_metrics, write_config, write_marker

__all__ = ["RUN_MARKER", "RunResult", "check_output_dir", "finetune", "is_run_dir"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    """What a finished run produced. ``metrics`` holds the last evaluation (empty without eval data)."""

    output_dir: Path
    model_dir: Path
    steps: int
    final_loss: float | None
    metrics: dict[str, float]
    real_tokens: int
    padded_tokens: int
    train_seconds: float
    truncated: int

    @property
    def real_tokens_per_s(self) -> float:
        """Non-padding tokens per second of training (all ranks together)."""
        return self.real_tokens / self.train_seconds if self.train_seconds else 0.0

    @property
    def padding_share(self) -> float:
        """Share of token slots that were padding."""
        return 1 - self.real_tokens / self.padded_tokens if self.padded_tokens else 0.0


def check_output_dir(
    output_dir: str | os.PathLike[str], *, resume: bool = False, overwrite: bool = False
) -> bool:
    """Check ``run.output_dir`` (with ``run.resume``/``run.overwrite``) before anything runs; reads only.

    The policy of every command that writes a folder (:mod:`aimm_nlp._outdir`): a new or empty
    folder is trained in; an aimm run folder (``.aimm_run.json``) is continued with ``run.resume``
    (files of yours in it are kept) or replaced with ``run.overwrite`` (only when it holds nothing aimm
    did not write); any other folder or file is refused.

    Returns:
        True when ``run.overwrite`` replaces an earlier run: the new run is trained in a hidden sibling
        folder and swapped in once it has finished. False: train in ``run.output_dir`` itself.

    Raises:
        ConfigError: ``run.output_dir`` is a file; or it holds files and is not a run folder written by
            aimm; or it holds a run but neither option is set; or ``run.overwrite`` would delete files
            aimm did not write there.
    """
    from aimm_nlp._outdir import KINDS, check_output_folder

    out, kind = Path(output_dir), KINDS["finetune"]
    if resume and out.is_dir() and not out.is_symlink() and any(out.iterdir()) and kind.owns(out):
        return False
    return check_output_folder(out, kind, overwrite=overwrite and not resume)


def finetune(cfg: FinetuneConfig, *, callbacks: list[Callable] | None = None) -> RunResult:
    """Train a model as ``cfg`` says and write the run folder.

    Args:
        cfg: the run configuration (see :class:`FinetuneConfig`).
        callbacks: functions called with the :class:`~aimm_nlp.finetune.loop.TrainState` after
            every optimizer step (progress bars, custom stopping, tests).

    Returns:
        A :class:`RunResult`; ``result.model_dir`` loads with ``AutoModelFor*.from_pretrained``.

    Raises:
        ConfigError, DataError, ModelError, InputFileError: before anything is written (a
            ``run.output_dir`` that is not new, empty or an aimm run folder is a ConfigError).
        LossNotFiniteError: the loss became NaN/inf (the message names the step).

    Examples:
        >>> from aimm_nlp.finetune import FinetuneConfig, finetune
        >>> cfg = FinetuneConfig.from_yaml("ary_sentiment.yaml", overrides=["optim.max_steps=2"])  # doctest: +SKIP
        >>> finetune(cfg).metrics["eval_macro_f1"]  # doctest: +SKIP
    """
    prep = _prepare(cfg)  # every check and every load: nothing is written yet
    dev = _devices(cfg)
    target = Path(cfg.run.output_dir)
    with contextlib.ExitStack() as stack:  # an earlier run is replaced only after this one has finished
        out = _run_folder(stack, target, prep, dev)
        ctx = _context(prep, dev, out, callbacks)
        from aimm_nlp.finetune.loop import train

        state = train(ctx)
        _save(ctx, prep, state)
        result = _result(target, state, prep)
        from aimm_nlp.finetune.launch import run_info

        strategy = "fsdp" if ctx.fsdp else "ddp"
        distributed = run_info(dev.launch, device=dev.device, dist=dev.dist, strategy=strategy)  # all ranks
        if dev.rank == 0:
            summary = {
                k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(result).items()
            }
            (out / "run.json").write_text(json.dumps({**summary, "distributed": distributed}, indent=2),
                                          encoding="utf-8")  # fmt: skip
    return result  # (an overwrite's staging folder was swapped in on leaving the block)


@dataclass(frozen=True, kw_only=True)
class _Prepared:
    """Stage 1's output: the checked config, tokenizer, model and encoded splits."""

    cfg: FinetuneConfig  # the config as given (written to the run folder)
    run_cfg: FinetuneConfig  # what runs: data.max_length capped at the model's positions
    replace: bool  # run.overwrite replaces an earlier run (staged in a hidden sibling)
    tok: Any
    model: Any
    labels: list[str] | None
    train: Any
    eval: Any
    mlm: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class _Devices:
    """Stage 2's output: where this process trains and how it talks to the others."""

    launch: Any  # aimm_nlp.finetune.launch.Launch (recorded in run.json)
    world: int
    rank: int
    local: int
    use_cuda: bool
    device: Any
    dist: Any
    bf16: bool


def _prepare(cfg: FinetuneConfig) -> _Prepared:
    """Stage 1: check the config and the run folder, load the tokenizer and data, build the model,
    encode. Raises before anything is written. Every model and tokenizer load is local only
    (``local_files_only=True``, see :mod:`aimm_nlp.finetune.models`)."""
    import torch
    from transformers import set_seed

    from aimm_nlp.errors import DataError
    from aimm_nlp.finetune import data as fdata
    from aimm_nlp.finetune.models import build_model, load_tokenizer, max_positions

    problems = cfg.check()  # again: a config built in Python (not from_dict) was never checked
    if problems:
        raise ConfigError(f"invalid fine-tuning config ({len(problems)} problems):", errors=problems)
    replace = check_output_dir(cfg.run.output_dir, resume=cfg.run.resume, overwrite=cfg.run.overwrite)
    if cfg.run.threads:
        torch.set_num_threads(cfg.run.threads)
    m, d = cfg.model, cfg.data
    tok = load_tokenizer(m.tokenizer or m.path, trust_remote_code=m.trust_remote_code)
    train_recs = fdata.read_records(d.train, fmt=d.format, group_column=d.group_column, limit=d.limit)
    if not train_recs:
        raise DataError(f"{d.train}: no records: the training data set is empty")
    eval_recs = fdata.read_records(d.eval, fmt=d.format, group_column=d.group_column) if d.eval else None
    if eval_recs is not None and not eval_recs:  # else the run would silently skip every evaluation
        raise DataError(
            f"{d.eval}: no records: the evaluation data set (data.eval) is empty; fix it or unset data.eval"
        )
    labels = d.labels
    if labels == "auto":
        labels = fdata.auto_labels(train_recs, cfg, d.train)
    set_seed(cfg.run.seed)
    model = build_model(cfg, tok, label_names=list(labels or []))
    limit = max_positions(model)
    max_length = min(d.max_length, limit) if limit else d.max_length
    if max_length < d.max_length:
        log.warning(
            "data.max_length=%d exceeds the model's %d positions; using %d", d.max_length, limit, max_length
        )
    run_cfg = dataclasses.replace(cfg, data=dataclasses.replace(d, max_length=max_length))
    train_enc = fdata.encode_records(train_recs, run_cfg, tok, source=d.train, label_names=labels)
    eval_enc = (
        fdata.encode_records(eval_recs, run_cfg, tok, source=d.eval, label_names=labels)
        if eval_recs
        else None
    )
    mlm = {}
    if cfg.task == "masked_lm":
        if tok.mask_token_id is None:
            raise ConfigError("masked_lm needs a tokenizer with a mask token ([MASK] or <mask>)")
        mlm = dict(
            mask_id=tok.mask_token_id,
            vocab_size=len(tok),
            special_ids=list(tok.all_special_ids),
            probability=d.mlm_probability,
        )
    return _Prepared(cfg=cfg, run_cfg=run_cfg, replace=replace, tok=tok, model=model, labels=labels,
                     train=train_enc, eval=eval_enc, mlm=mlm)  # fmt: skip


def _devices(cfg: FinetuneConfig) -> _Devices:
    """Stage 2: this process's device and rank (``WORLD_SIZE``/``RANK``/``LOCAL_RANK`` of torchrun/accelerate),
    the process group (NCCL on GPU, gloo on CPU) and the precision."""
    import torch

    from aimm_nlp.finetune.launch import detect_launch, warn_single_process

    launch = detect_launch()
    warn_single_process(launch)
    world, rank, local = launch.world, launch.rank, launch.local
    use_cuda = cfg.run.device == "cuda" or (cfg.run.device == "auto" and torch.cuda.is_available())
    device = torch.device(f"cuda:{local}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    dist = None
    if world > 1:
        import torch.distributed as tdist

        if not tdist.is_initialized():
            tdist.init_process_group(backend="nccl" if use_cuda else "gloo")
        dist = tdist
    bf16 = cfg.run.precision == "bf16" or (cfg.run.precision == "auto" and _bf16_supported(torch, use_cuda))
    return _Devices(launch=launch, world=world, rank=rank, local=local, use_cuda=use_cuda, device=device,
                    dist=dist, bf16=bf16)  # fmt: skip


def _run_folder(stack: contextlib.ExitStack, target: Path, prep: _Prepared, dev: _Devices) -> Path:
    """The folder this run writes (a staged sibling when replacing an earlier run), with its marker and
    resolved config; every rank gets rank 0's choice."""
    out = target
    if prep.replace and dev.rank == 0:
        from aimm_nlp._outdir import KINDS, output_folder

        out = stack.enter_context(output_folder(target, KINDS["finetune"], overwrite=True))
    if dev.dist:
        box = [out]  # every rank trains in the folder rank 0 chose (it may see files others cannot)
        dev.dist.broadcast_object_list(box, src=0)
        out = box[0]
    if dev.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        write_marker(out)
        write_config(out, prep.cfg, prep.labels)
    if dev.dist:
        dev.dist.barrier()
    return out


def _context(prep: _Prepared, dev: _Devices, out: Path, callbacks: list[Callable] | None) -> RunContext:
    """Place the model on its device, wrap it (DDP/FSDP, torch.compile) and build the loop's context."""
    import torch

    cfg = prep.run_cfg
    core = prep.model.to(dev.device)
    if cfg.run.gradient_checkpointing:
        if hasattr(core, "activation_checkpointing_enable"):  # the name since transformers 5.2x
            core.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            core.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    wrapped, fsdp = core, False
    if dev.dist is not None and cfg.run.distributed == "fsdp":
        wrapped, fsdp = _fully_shard(core), True
    elif dev.dist is not None:
        from torch.nn.parallel import DistributedDataParallel

        wrapped = DistributedDataParallel(core, device_ids=[dev.local] if dev.use_cuda else None)
    if dev.rank == 0 and cfg.run.resume:
        rewind_metrics(out)
    return RunContext(
        cfg=cfg,
        train=prep.train,
        eval=prep.eval,
        model=wrapped,
        core=core,
        step_model=torch.compile(wrapped) if cfg.run.compile else wrapped,
        device=dev.device,
        bf16=dev.bf16,
        pad_id=prep.tok.pad_token_id,
        mlm=prep.mlm,
        out=out,
        world=dev.world,
        rank=dev.rank,
        dist=dev.dist,
        fsdp=fsdp,
        callbacks=list(callbacks or []),
    )


def _save(ctx: RunContext, prep: _Prepared, state: Any) -> None:
    """Stage 4: the final model (LoRA merged when asked), tokenizer, card and loss curve, moved into
    ``model/`` whole."""
    full = None
    if ctx.fsdp:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

        full = get_model_state_dict(
            ctx.core, options=StateDictOptions(full_state_dict=True, cpu_offload=True)
        )
    if ctx.rank == 0:
        lora = prep.cfg.model.lora
        final = ctx.core.merge_and_unload() if lora.enabled and lora.merge else ctx.core
        if lora.enabled and not lora.merge and prep.cfg.model.path is not None:
            # absolute, so the adapter loads from anywhere (peft would record the path as typed)
            for conf in final.peft_config.values():
                conf.base_model_name_or_path = str(Path(prep.cfg.model.path).resolve())
        tmp, model_dir = ctx.out / ".model.tmp", ctx.out / "model"
        shutil.rmtree(tmp, ignore_errors=True)
        from transformers.utils import logging as hf_logging

        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no "Writing model shards" bar in logs
        try:
            final.save_pretrained(str(tmp), **({"state_dict": full} if ctx.fsdp else {}))
        finally:
            if bar:
                hf_logging.enable_progress_bar()
        _save_tokenizer(prep.tok, final, tmp)
        from aimm_nlp.finetune.card import plot_curve, write_card

        write_card(tmp, prep.cfg, state, labels=prep.labels, truncated=prep.train.truncated)
        shutil.rmtree(model_dir, ignore_errors=True)
        os.replace(tmp, model_dir)
        shutil.copy(model_dir / "README.md", ctx.out / "README.md")
        plot_curve(state.history, ctx.out / "curve.png")
    if ctx.dist:
        ctx.dist.barrier()


def _save_tokenizer(tok: Any, model: Any, folder: Path) -> None:
    """Save ``tok`` with ``model_max_length`` no longer than the model's positions, so
    ``pipeline(..., truncation=True)`` cuts long texts where the model can read them."""
    from aimm_nlp.finetune.models import max_positions

    limit = max_positions(model)
    if limit is not None and (tok.model_max_length is None or tok.model_max_length > limit):
        tok.model_max_length = limit
    tok.save_pretrained(str(folder))


def _result(target: Path, state: Any, prep: _Prepared) -> RunResult:
    losses = [h["loss"] for h in state.history if "loss" in h]
    evals = [h for h in state.history if "eval_loss" in h]
    return RunResult(
        output_dir=target,
        model_dir=target / "model",
        steps=state.step,
        final_loss=losses[-1] if losses else None,
        metrics={k: v for k, v in evals[-1].items() if k != "step"} if evals else {},
        real_tokens=state.real_tokens,
        padded_tokens=state.padded_tokens,
        train_seconds=state.train_seconds,
        truncated=prep.train.truncated,
    )


def _bf16_supported(torch, use_cuda: bool) -> bool:
    """bf16 autocast pays off on Ampere+ GPUs and on CPUs with bf16 instructions (AVX512-BF16, AMX)."""
    if use_cuda:
        return torch.cuda.is_bf16_supported()
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _fully_shard(model):
    from torch.distributed.fsdp import fully_shard

    names = set(getattr(model, "_no_split_modules", None) or [])
    for module in model.modules():
        if type(module).__name__ in names:
            fully_shard(module)
    return fully_shard(model)
