"""The training loop: batching-independent loss weighting, accumulation, DDP/FSDP, checkpoints, evaluation.

Why a loop of our own rather than ``transformers.Trainer``: packed rows with per-sample
``position_ids``, token-budget batches whose size varies, a loss divided by one constant of the run
(the expected target tokens or samples per global step: :mod:`aimm_nlp.finetune.weighting`, so every
token or sample weighs the same whatever its batch, and 1 process x 2 micro-batches equals 2 x 1), and
exact resume from (step, RNG) are all awkward to express through Trainer's hooks. Distributed
execution, the optimizer, schedulers and attention kernels are the libraries' own (torch DDP/FSDP,
``torch.optim.AdamW``, ``transformers.get_scheduler``, transformers' packed-sequence masks).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aimm_nlp._progress import Progress
from aimm_nlp.errors import AimmError
from aimm_nlp.finetune.batching import batching_for, chunk_rows, plan_epoch
from aimm_nlp.finetune.forward import ce_loss, collate_split, evaluate_split, forward
from aimm_nlp.finetune.weighting import clip_limit, sample_weights, step_normaliser, targets_per_sample

__all__ = ["LossNotFiniteError", "TrainState", "train"]

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from aimm_nlp.finetune.context import RunContext


class LossNotFiniteError(AimmError, FloatingPointError):
    """The training loss became NaN or infinite; the message names the step."""


@dataclass
class TrainState:
    step: int = 0
    best: float | None = None
    bad_evals: int = 0
    real_tokens: int = 0
    padded_tokens: int = 0
    train_seconds: float = 0.0
    history: list[dict[str, Any]] = field(default_factory=list)


class _Inline:
    """Collates on demand (CPU: a second thread would only fight torch's own threads for the cores)."""

    def __init__(self, make, steps):
        self.make, self.steps = make, iter(steps)

    def get(self):
        return self.make(next(self.steps))


class _Prefetch:
    """Collates the next micro-batches in a thread while the GPU computes (order is fixed)."""

    def __init__(self, make, steps):
        self.q: queue.Queue = queue.Queue(maxsize=4)
        self.thread = threading.Thread(target=self._run, args=(make, steps), daemon=True)
        self.thread.start()

    def _run(self, make, steps):
        try:
            for s in steps:
                self.q.put(make(s))
        except BaseException as exc:  # surfaced in the main thread
            self.q.put(exc)

    def get(self):
        item = self.q.get()
        if isinstance(item, BaseException):
            raise item
        return item


def train(ctx: RunContext) -> TrainState:
    """Run the optimisation described by ``ctx`` and return the final state."""
    import torch

    cfg, enc, model = ctx.cfg, ctx.train, ctx.model
    d, o, r = cfg.data, cfg.optim, cfg.run
    dev, world, rank = ctx.device, ctx.world, ctx.rank
    packing = d.packing and cfg.task == "causal_lm"
    lengths = (
        [
            len(x) + (len(y) if cfg.task == "seq2seq" else 0)
            for x, y in zip(enc.input_ids, enc.labels, strict=True)
        ]
        if cfg.task == "seq2seq"
        else [len(x) for x in enc.input_ids]
    )
    per_step = world * o.grad_accum
    shape = dict(max_tokens=d.max_tokens, max_length=d.max_length, packing=packing, megabatch=d.megabatch,
                 batching=batching_for(cfg.task, d.batching),
                 strata=enc.labels if cfg.task == "sequence_classification" else None)  # fmt: skip
    plan0 = plan_epoch(lengths, seed=r.seed, epoch=0, **shape)
    steps_per_epoch = len(plan0) // per_step
    if steps_per_epoch == 0:
        from aimm_nlp.errors import DataError

        raise DataError(
            f"{d.train}: {len(plan0)} batches cannot fill one step of {per_step} micro-batches; "
            "lower data.max_tokens or optim.grad_accum, or add data"
        )
    total = o.max_steps or max(1, math.ceil(o.epochs * steps_per_epoch))
    plans = {0: plan0}
    chunked = shape["batching"] == "bucketed" and not packing
    budget = dict(max_tokens=d.max_tokens, max_length=d.max_length)
    counts = targets_per_sample(cfg.task, enc.input_ids, enc.labels, d.mlm_probability)
    norm = step_normaliser(o.loss_weighting, counts, plan0, lengths, max_tokens=d.max_tokens,
                           max_length=d.max_length, packing=packing, per_step=per_step,
                           bucketed=shape["batching"] == "bucketed")  # fmt: skip

    def micro_batches(step):
        epoch, k = divmod(step, steps_per_epoch)
        if epoch not in plans:
            plans.clear()
            plans[epoch] = plan_epoch(lengths, seed=r.seed, epoch=epoch, **shape)
        plan = plans[epoch]
        out = []
        for j in range(o.grad_accum):
            # token-budget plans of later epochs may hold a batch or two fewer than epoch 0's (more than
            # one length bucket cuts differently after each shuffle): wrap to the epoch's first batches
            m = (k * per_step + j * world + rank) % len(plan)
            # bucketed batches (equal sample counts, padded to their longest) are computed in
            # length-sorted chunks of <= max_tokens padded tokens: same step, less padding
            parts = chunk_rows(plan[m], lengths, **budget) if chunked else [plan[m]]
            for c, rows in enumerate(parts):
                mlm = None
                if cfg.task == "masked_lm":
                    seed = (r.seed * 1_000_003 + step) * 4099 + j * world + rank
                    mlm = dict(ctx.mlm, seed=seed if c == 0 else seed * 8191 + c)
                b = collate_split(ctx, enc, rows, mlm)
                if dev.type == "cuda":
                    b = {k2: (v.pin_memory() if hasattr(v, "pin_memory") else v) for k2, v in b.items()}
                out.append(b)
        return out

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or "norm" in name.lower() or name.endswith(".bias") else decay).append(p)
    fused = o.fused if o.fused is not None else dev.type in ("cuda", "cpu")  # fused CPU kernels: torch>=2.4
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": o.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=o.lr,
        betas=tuple(o.betas),
        eps=o.eps,
        fused=fused,
    )
    from transformers import get_scheduler

    scheduler = get_scheduler(
        o.scheduler, optimizer, num_warmup_steps=o.warmup_steps, num_training_steps=total
    )
    from aimm_nlp.finetune.checkpoint import latest_checkpoint, load_checkpoint

    state = TrainState()
    if r.resume and (ck := latest_checkpoint(ctx.out)) is not None:
        saved = load_checkpoint(ck, model=ctx.core, optimizer=optimizer, scheduler=scheduler, fsdp=ctx.fsdp)
        state = TrainState(**saved)
        log.info("resumed from %s (step %d of %d)", ck, state.step, total)
    step_model = ctx.step_model
    step_model.train()
    stack = contextlib.ExitStack()
    if dev.type == "cuda" and not packing:
        # cuDNN attention builds a graph for every new shape (~0.1 s on an H200): token-budget batches
        # change shape every step, so use the flash / memory-efficient kernels instead.
        from torch.nn.attention import SDPBackend, sdpa_kernel

        stack.enter_context(
            sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])
        )
    bar = None
    if ctx.rank == 0:  # steps, loss and ETA on stderr (aimm_nlp._progress; `--quiet` turns it off)
        bar = Progress(total=total, initial=state.step, desc="finetune", unit="step")
        stack.callback(bar.close)
    with stack:
        return _steps(
            ctx, state, total, steps_per_epoch, micro_batches, optimizer, scheduler, step_model, norm, bar
        )


def _steps(ctx, state, total, steps_per_epoch, micro_batches, optimizer, scheduler, step_model, norm, bar):
    import torch

    from aimm_nlp.finetune.checkpoint import save_checkpoint

    cfg, model, dev, world, dist = ctx.cfg, ctx.model, ctx.device, ctx.world, ctx.dist
    o, r = cfg.optim, cfg.run
    ce = torch.compile(ce_loss) if r.compile else None  # fuses the fp32 upcast into the softmax
    amp = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=ctx.bf16)
    pending: list[tuple[int, Any]] = []
    t_mark, tok_mark, pad_mark, tgt_mark = time.perf_counter(), 0, 0, 0.0
    prefetch = (_Prefetch if dev.type == "cuda" else _Inline)(micro_batches, range(state.step, total))
    shown: dict[str, float] = {}
    while state.step < total:
        batches = prefetch.get()
        count = torch.tensor(float(sum(int((b["targets"] != -100).sum()) for b in batches)))
        weights = [sample_weights(b) if o.loss_weighting == "sample" else None for b in batches]
        # the logged loss is the step's own mean (per token, or per sample): readable curves
        units = (
            count.clone() if weights[0] is None else torch.tensor(float(sum(float(w.sum()) for w in weights)))
        )
        if dist is not None:
            dist.all_reduce(count)
            dist.all_reduce(units)
        tgt_mark += count.item()
        # one constant for every step (weighting.py): no sample's weight depends on its batch's size;
        # DDP/FSDP average gradients over ranks: `world` undoes it
        scale = world / norm
        step_loss = torch.zeros((), device=dev)
        for j, b in enumerate(batches):
            sync = j == len(batches) - 1 or not hasattr(step_model, "no_sync")
            ctxm = step_model.no_sync() if not sync else _null()
            with ctxm:
                with amp:
                    loss_sum, _, _ = forward(cfg.task, step_model, b, dev, ce, weights[j])
                (loss_sum * scale).backward()
            step_loss += loss_sum.detach()
            tok_mark += b["n_real"]
            pad_mark += b["n_padded"]
        if dist is not None:
            dist.all_reduce(step_loss)
        grad_norm = None
        if o.max_grad_norm is not None:
            limit = clip_limit(o.max_grad_norm, units.item(), norm)
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), limit)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state.step += 1
        pending.append((state.step, step_loss / max(units.item(), 1e-9)))
        for cb in ctx.callbacks:
            cb(state)
        last = state.step == total
        if state.step % r.log_every == 0 or last:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            now = time.perf_counter()
            losses = [(s, float(v)) for s, v in pending]
            bad = next((s for s, v in losses if not math.isfinite(v)), None)
            if bad is not None:
                raise LossNotFiniteError(
                    f"the training loss became {'NaN' if math.isnan(dict(losses)[bad]) else 'infinite'} at step "
                    f"{bad}; lower optim.lr, set optim.max_grad_norm, or use run.precision=fp32"
                )
            dt = now - t_mark
            real = _sum_ranks(dist, tok_mark)
            padded = _sum_ranks(dist, pad_mark)
            state.train_seconds += dt
            state.real_tokens += real
            state.padded_tokens += padded
            for s, v in losses:
                rec = {"step": s, "loss": round(v, 6), "lr": scheduler.get_last_lr()[0]}
                if s == state.step:
                    rec.update(
                        epoch=round(s / steps_per_epoch, 4),
                        real_tokens=real,
                        padded_tokens=padded,
                        targets=int(tgt_mark),
                        loss_norm=round(norm, 6),
                        seconds=round(dt, 4),
                        real_tokens_per_s=round(real / dt, 1) if dt > 0 else None,
                        grad_norm=None if grad_norm is None else round(float(grad_norm), 4),
                    )
                state.history.append(rec)
                ctx.write_metrics(rec)
            pending.clear()
            t_mark, tok_mark, pad_mark, tgt_mark = time.perf_counter(), 0, 0, 0.0
            shown = {"loss": losses[-1][1]}
        if bar is not None:  # the loss as last logged: a float every step would sync the GPU
            bar.update(**shown)
        evaluated = ctx.eval is not None and ((r.eval_every and state.step % r.eval_every == 0) or last)
        stop = False
        if evaluated:
            metrics = evaluate_split(ctx, step_model)
            rec = {"step": state.step, **metrics}
            state.history.append(rec)
            ctx.write_metrics(rec)
            stop = _early_stop(r, state, metrics)
            step_model.train()
            t_mark = time.perf_counter()
        if r.save_every and (state.step % r.save_every == 0 or stop) and not last:
            save_checkpoint(
                ctx.out,
                state.step,
                model=ctx.core,
                optimizer=optimizer,
                scheduler=scheduler,
                state=_state_json(state),
                fsdp=ctx.fsdp,
                keep=r.keep_checkpoints,
            )
            t_mark = time.perf_counter()
        if stop:
            log.info(
                "early stopping at step %d (%s did not improve for %d evaluations)",
                state.step,
                r.early_stopping_metric,
                r.early_stopping_patience,
            )
            break
    return state


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def _sum_ranks(dist, value: int) -> int:
    if dist is None:
        return value
    import torch

    t = torch.tensor(float(value))
    dist.all_reduce(t)
    return int(t.item())


def _state_json(state: TrainState) -> dict[str, Any]:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(state)))


def _early_stop(r, state: TrainState, metrics: dict[str, float]) -> bool:
    name = r.early_stopping_metric
    if not name or name not in metrics:
        return False
    value = metrics[name]
    better = (lambda a, b: a < b) if "loss" in name or "perplexity" in name else (lambda a, b: a > b)
    if state.best is None or better(value, state.best):
        state.best, state.bad_evals = value, 0
        return False
    state.bad_evals += 1
    return state.bad_evals >= r.early_stopping_patience
