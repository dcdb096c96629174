"""Loss weighting that does not depend on how samples were batched (``optim.loss_weighting``).

Token-budget batches hold a few long samples or hundreds of short ones. Dividing each optimizer
step's summed loss by that step's own count would give a sample in a 6-sample step ~75 times the weight
of one in a 455-sample step. Instead every step's summed loss is divided by one constant for the whole
run, the expected count per optimizer step (:func:`step_normaliser`), so each target token
(``token``) or each sample (``sample``: its target tokens share one unit of weight) weighs the same in
whatever micro-batch, step or rank it lands.

Gradient clipping keeps that: ``optim.max_grad_norm`` bounds the step's *mean* gradient (per target or
sample, as a plain ``Trainer`` does with its per-batch mean loss), i.e. the gradient of loss / constant
at ``max_grad_norm`` x (the step's count / the constant) (:func:`clip_limit`). A fixed bound on that
gradient would cut a step of 455 samples to the length of a step of 6 and, whenever clipping is active
(most steps of a fresh model at a high learning rate), give every step one equal vote again
(benchmarks/bench_finetune.py --quality measures the effect against a Trainer).
"""

from __future__ import annotations

from typing import Any

from aimm_nlp.finetune.batching import IGNORE

__all__ = ["WEIGHTINGS", "clip_limit", "sample_weights", "step_normaliser", "targets_per_sample"]

WEIGHTINGS = ("token", "sample")


def targets_per_sample(
    task: str, input_ids: list[list[int]], labels: list[Any], mlm_probability: float
) -> list[float]:
    """How many loss targets each sample gives (masked LM: the expected number of masked tokens).
    Counted with C-speed list methods: this runs once over the whole training set."""
    if task == "sequence_classification":
        return [1.0] * len(input_ids)
    if task == "causal_lm":  # next-token targets; an SFT loss mask keeps the response's only
        return [
            float(len(ids) - 1 if mask is None else sum(mask[1 : len(ids)]))
            for ids, mask in zip(input_ids, labels, strict=True)
        ]
    if task == "masked_lm":
        return [mlm_probability * len(ids) for ids in input_ids]
    return [float(len(lab) - lab.count(IGNORE)) for lab in labels]  # token classification, seq2seq


def step_normaliser(
    weighting: str,
    counts: list[float],
    plan: list[list[list[int]]],
    lengths: list[int],
    *,
    max_tokens: int,
    max_length: int,
    packing: bool,
    per_step: int,
    bucketed: bool = False,
) -> float:
    """The expected number of target tokens (``token``) or of samples with a target (``sample``) per
    optimizer step of ``per_step`` full micro-batches of ``max_tokens`` slots: the count per slot of
    the epoch's ``plan`` times the slots of one step. With ``bucketed`` (equal-size batches,
    ``data.batching: bucketed``, unpacked) it is the mean count per step: the count over the epoch's
    batches times ``per_step``. A constant of the run."""
    total = sum(counts) if weighting == "token" else float(sum(1 for c in counts if c > 0))
    if bucketed and not packing:
        return max(total * per_step / len(plan), 1e-9)
    slots = 0
    for batch in plan:
        width = max_length if packing else max(min(lengths[i], max_length) for row in batch for i in row)
        slots += len(batch) * width
    return max(total * max_tokens * per_step / max(slots, 1), 1e-9)


def sample_weights(batch: dict[str, Any]) -> Any:
    """Per-target weights that give every sample of ``batch`` one unit: 1 / (its number of targets);
    packed rows are split into samples where ``position_ids`` restart."""
    import torch

    targets = batch["targets"]
    keep = targets != IGNORE
    if targets.dim() == 1:  # one target per sample
        return keep.float()
    if "position_ids" in batch:
        pos = batch["position_ids"]
        seg = (pos == 0).cumsum(1) + torch.arange(pos.shape[0]).unsqueeze(1) * (pos.shape[1] + 1)
        counts = torch.bincount(seg[keep], minlength=int(seg.max()) + 1)
        return keep.float() / counts[seg].clamp(min=1)
    return keep.float() / keep.sum(1, keepdim=True).clamp(min=1)


def clip_limit(max_grad_norm: float, units: float, norm: float) -> float:
    """The bound on the norm of a step's gradient of (summed loss / ``norm``) that holds the step's mean
    gradient over its ``units`` (targets or samples) at ``max_grad_norm``.

    Examples:
        >>> clip_limit(1.0, 455, 161.0) > clip_limit(1.0, 161, 161.0) == 1.0 > clip_limit(1.0, 6, 161.0)
        True
    """
    return max_grad_norm * max(units, 1e-9) / norm
