"""One forward pass per task (the summed token loss) and the evaluation on the held-out split.

Shared by the training loop (:mod:`aimm_nlp.finetune.loop`) and its periodic evaluations.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from aimm_nlp.finetune.batching import collate, plan_epoch

if TYPE_CHECKING:
    from aimm_nlp.finetune.context import RunContext

__all__ = ["ce_loss", "collate_split", "decoder_inputs", "evaluate_split", "forward", "macro_f1"]


def forward(task, model, batch, dev, compiled_ce=None, weights=None):
    """Model outputs -> (sum of per-target losses, each times its weight when ``weights`` are given,
    logits, targets) for one micro-batch."""
    inputs = {
        k: batch[k].to(dev, non_blocking=True)
        for k in ("input_ids", "attention_mask", "position_ids")
        if k in batch
    }
    targets = batch["targets"].to(dev, non_blocking=True)
    if task == "seq2seq":
        core = getattr(model, "module", model)
        core = getattr(core, "_orig_mod", core)
        inputs["decoder_input_ids"] = decoder_inputs(core, targets)
    if task == "causal_lm":
        # transformers only turns position_ids into a block-diagonal (packed) mask when no KV cache
        # exists, and builds one by default even in training: without this, packed samples leak.
        inputs["use_cache"] = False
    logits = model(**inputs).logits
    if weights is not None:
        return (compiled_ce or ce_loss)(logits, targets, weights.to(dev, non_blocking=True)), logits, targets
    return (compiled_ce or ce_loss)(logits, targets), logits, targets


def decoder_inputs(model, targets):
    """Teacher-forcing decoder inputs: ``targets`` shifted right after ``decoder_start_token_id``
    (``-100`` read as padding). The model's own ``prepare_decoder_input_ids_from_labels`` when it has
    one (T5, BART...); M2M100/NLLB have none, so the shift is done here from their config."""
    prepare = getattr(model, "prepare_decoder_input_ids_from_labels", None)
    if prepare is not None:
        return prepare(labels=targets)
    config = model.config
    start, pad = config.decoder_start_token_id, config.pad_token_id
    if start is None or pad is None:
        from aimm_nlp.errors import ModelError

        raise ModelError(
            f"{type(model).__name__}: seq2seq needs decoder_start_token_id and pad_token_id in config.json "
            f"(got {start} and {pad}); set them with model.overrides"
        )
    shifted = targets.new_full(targets.shape, pad)
    shifted[:, 1:] = targets[:, :-1]
    shifted[:, 0] = start
    return shifted.masked_fill(shifted == -100, pad)


def ce_loss(logits, targets, weights=None):
    """Summed cross-entropy over the targets (``-100`` ignored; each times its weight when ``weights``,
    shaped like ``targets``, are given), computed in fp32."""
    import torch.nn.functional as F

    flat = logits.reshape(-1, logits.shape[-1]).float()
    if weights is None:
        return F.cross_entropy(flat, targets.reshape(-1), ignore_index=-100, reduction="sum")
    per = F.cross_entropy(flat, targets.reshape(-1), ignore_index=-100, reduction="none")
    return (per * weights.reshape(-1)).sum()


def collate_split(
    ctx: RunContext, enc: Any, rows: list[list[int]], mlm: dict[str, Any] | None
) -> dict[str, Any]:
    """One micro-batch of ``enc`` (the run's encoded train or eval split) as tensors, with the run's
    padding, packing and length settings (:func:`~aimm_nlp.finetune.batching.collate`)."""
    cfg = ctx.cfg
    return collate(
        cfg.task,
        rows,
        enc.input_ids,
        enc.labels,
        pad_id=ctx.pad_id,
        packing=cfg.data.packing and cfg.task == "causal_lm",
        max_length=cfg.data.max_length,
        mlm=mlm,
    )


def evaluate_split(ctx: RunContext, model: Any) -> dict[str, float]:
    """Loss and task metrics on ``ctx.eval`` (every rank computes it; it is small)."""
    import torch

    cfg, enc = ctx.cfg, ctx.eval
    packing = cfg.data.packing and cfg.task == "causal_lm"
    plan = plan_epoch(
        [len(x) for x in enc.input_ids],
        max_tokens=cfg.data.max_tokens,
        max_length=cfg.data.max_length,
        packing=packing,
        seed=cfg.run.seed,
        epoch=0,
    )
    model.eval()
    total, n, preds, golds = 0.0, 0, [], []
    amp = torch.autocast(ctx.device.type, dtype=torch.bfloat16, enabled=ctx.bf16)
    with torch.no_grad(), amp:
        for k, rows in enumerate(plan):
            mlm = dict(ctx.mlm, seed=cfg.run.seed + k) if cfg.task == "masked_lm" else None
            b = collate_split(ctx, enc, rows, mlm)
            loss, logits, targets = forward(cfg.task, model, b, ctx.device)
            keep = targets != -100
            total += float(loss)
            n += int(keep.sum())
            if cfg.task in ("sequence_classification", "token_classification"):
                preds += logits.argmax(-1)[keep].tolist()
                golds += targets[keep].tolist()
    out = {"eval_loss": round(total / max(n, 1), 6)}
    if cfg.task in ("causal_lm", "masked_lm", "seq2seq"):
        out["eval_perplexity"] = round(math.exp(min(out["eval_loss"], 50)), 4)
    if golds:
        out["eval_accuracy"] = round(sum(p == g for p, g in zip(preds, golds, strict=True)) / len(golds), 6)
        out["eval_macro_f1"] = round(macro_f1(golds, preds, len(enc.label_names)), 6)
    return out


def macro_f1(golds: list[int], preds: list[int], n_labels: int) -> float:
    """Unweighted mean F1 over the labels (labels absent from both lists count as 0, like sklearn).

    Examples:
        >>> macro_f1([0, 1, 2, 2], [0, 1, 2, 1], 3)
        0.7777777777777777
    """
    f1s = []
    for c in range(n_labels):
        tp = sum(1 for g, p in zip(golds, preds, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(golds, preds, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(golds, preds, strict=True) if g == c and p != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / max(n_labels, 1)
