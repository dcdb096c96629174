"""Batch plans and collators: packing without cross-sample attention, and token-budget batches.

A *plan* is a deterministic function of (lengths, seed, epoch): a list of batches, each a list of
rows, each row a list of sample indices. Every rank computes the same plan and takes its own
micro-batches from it, so data sharding, gradient accumulation and resume need no extra state
beyond the step number.

Packing (causal LM): samples are laid end to end in rows of ``max_length`` tokens. ``position_ids``
restart at 0 for every sample, which makes transformers build a block-diagonal causal mask (SDPA,
flex attention) so a token never attends across a sample boundary, and labels are shifted inside
each sample, so the loss never predicts the first token of the next sample.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["batching_for", "chunk_rows", "collate", "plan_epoch"]

IGNORE = -100


def plan_epoch(
    lengths: list[int],
    *,
    max_tokens: int,
    max_length: int,
    packing: bool,
    seed: int,
    epoch: int,
    batching: str = "tokens",
    megabatch: int = 2,
    strata: list[Any] | None = None,
) -> list[list[list[int]]]:
    """Split one epoch of samples into batches of rows (one sample per row unless ``packing``).

    ``batching="tokens"``: batches cut from length-sorted buckets of 4,096 shuffled samples, each at most
    ``max_tokens`` padded tokens, so a batch holds 30 short or 3 long samples and every batch holds one
    length. ``"bucketed"``: as many batches as ``"tokens"`` makes, each of the same number of samples
    (± 1); the shuffled samples are cut into megabatches of ``megabatch`` batches, sorted by length inside
    each, cut, and the batches shuffled, so a batch holds similar lengths (little padding) while the
    lengths of successive batches are mixed and every step weighs as many samples (as a plain
    ``Trainer``'s fixed batch does; ``megabatch=1``: plain random batches). With ``strata`` (one label
    per sample) a megabatch is sorted by length within each label, so each batch also holds every
    label in its megabatch share: where length predicts the label (AfriSenti: short tweets 55 %
    positive, long ones 21 %), length-sorted batches would each push the classifier to one class.
    ``max_tokens`` then bounds the mean padded size of a batch, not each one's; the training loop
    computes each such batch in chunks of at most ``max_tokens`` (:func:`chunk_rows`). Ignored with
    ``packing``.

    Examples:
        >>> plan = plan_epoch([3, 5, 2, 4], max_tokens=8, max_length=8, packing=True, seed=0, epoch=0)
        >>> sorted(i for batch in plan for row in batch for i in row)
        [0, 1, 2, 3]
        >>> plan = plan_epoch([9, 2, 8, 3, 7, 2], max_tokens=10, max_length=10, packing=False, seed=0,
        ...                   epoch=0, batching="bucketed", megabatch=2)
        >>> sorted(len(batch) for batch in plan), sorted(i for batch in plan for row in batch for i in row)
        ([1, 1, 2, 2], [0, 1, 2, 3, 4, 5])
    """
    if batching == "bucketed" and not packing:
        n = len(plan_epoch(lengths, max_tokens=max_tokens, max_length=max_length, packing=False, seed=seed,
                           epoch=epoch))  # fmt: skip
        return _bucketed(lengths, n, megabatch, random.Random(seed * 1_000_003 + epoch), strata)
    rng = random.Random(seed * 1_000_003 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if packing:
        rows = _first_fit(order, [min(n, max_length) for n in lengths], max_length)
        per = max(1, max_tokens // max_length)
        return [rows[k : k + per] for k in range(0, len(rows), per)]
    # token budget: sort by length inside large shuffled buckets, then cut batches by padded size
    bucket = 4096
    batches: list[list[list[int]]] = []
    for k in range(0, len(order), bucket):
        chunk = sorted(order[k : k + bucket], key=lambda i: lengths[i])
        cur: list[list[int]] = []
        longest = 0
        for i in chunk:
            n = min(lengths[i], max_length)
            if cur and max(longest, n) * (len(cur) + 1) > max_tokens:
                batches.append(cur)
                cur, longest = [], 0
            cur.append([i])
            longest = max(longest, n)
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def chunk_rows(
    rows: list[list[int]], lengths: list[int], *, max_tokens: int, max_length: int
) -> list[list[list[int]]]:
    """One batch of single-sample rows split into length-sorted chunks, computed one after the other.

    A bucketed batch keeps its composition (the samples an optimizer step sees: with ``megabatch=1``
    a plain ``Trainer``'s random batch) while each forward pass pads only to its own chunk's longest
    sample. Losses are sums divided by one constant of the run (:mod:`aimm_nlp.finetune.weighting`),
    so the step's gradient is the batch's, as in one pass. The cut is exact (dynamic programming over
    the sorted lengths): the fewest padded tokens plus ``max_tokens / 16`` tokens for every forward
    pass (what a call costs beyond its tokens: on CPU measured at 35-130 tokens of a small BERT), each
    chunk at most ``max_tokens`` padded tokens (a longer sample alone). AfriSenti tweets, random
    batches of 154: 4.4 passes a batch, 1.23 padded tokens per real one (3.37 in one pass).

    Examples:
        >>> chunk_rows([[0], [1], [2], [3]], [9, 2, 8, 3], max_tokens=32, max_length=16)
        [[[1], [3]], [[2], [0]]]
        >>> chunk_rows([[0], [1], [2]], [5, 5, 5], max_tokens=10, max_length=16)
        [[[0]], [[1], [2]]]
        >>> chunk_rows([], [], max_tokens=16, max_length=16)
        []
    """
    import numpy as np

    rows = sorted(rows, key=lambda r: lengths[r[0]])
    width = [max(1, min(lengths[r[0]], max_length)) for r in rows]
    call = max_tokens / 16
    cost = np.zeros(len(rows) + 1)
    start = [0] * (len(rows) + 1)  # start[j]: first row of the chunk that ends at row j - 1
    for j in range(1, len(rows) + 1):
        w = width[j - 1]  # the chunk's longest: rows are sorted
        lo = max(0, j - max(1, max_tokens // w))
        c = cost[lo:j] + w * (j - np.arange(lo, j)) + call
        k = int(np.argmin(c))
        cost[j], start[j] = c[k], lo + k
    out: list[list[list[int]]] = []
    j = len(rows)
    while j > 0:
        out.append(rows[start[j] : j])
        j = start[j]
    return out[::-1]


def batching_for(task: str, batching: str) -> str:
    """``data.batching`` resolved: ``auto`` is ``bucketed`` for classification (a sample-level loss that a
    step of one length only and 30x varying batch sizes hurt: benchmarks/finetune_quality.py; with the
    default ``megabatch=1`` a Trainer's random batches, computed in length-sorted chunks), else
    ``tokens``."""
    if batching != "auto":
        return batching
    return "bucketed" if task in ("sequence_classification", "token_classification") else "tokens"


def _bucketed(
    lengths: list[int], n_batches: int, megabatch: int, rng: random.Random, strata: list[Any] | None
) -> list[list[list[int]]]:
    """``n_batches`` batches of equal size (± 1), length-sorted inside shuffled megabatches.

    With ``strata`` (a label per sample) each megabatch is sorted by the length quantile *within the
    sample's stratum*, so every batch holds each label in its megabatch share, at similar lengths."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    n = len(order)
    sizes = [n // n_batches + (j < n % n_batches) for j in range(n_batches)] if n_batches else []
    batches: list[list[list[int]]] = []
    at = 0
    for j in range(0, len(sizes), megabatch):
        group = sizes[j : j + megabatch]
        chunk = sorted(order[at : at + sum(group)], key=lambda i: lengths[i])
        if strata is not None:
            chunk = _by_quantile_in_stratum(chunk, strata)
        at += sum(group)
        k = 0
        for size in group:
            batches.append([[i] for i in chunk[k : k + size]])
            k += size
    rng.shuffle(batches)
    return batches


def _by_quantile_in_stratum(chunk: list[int], strata: list[Any]) -> list[int]:
    """``chunk`` (sorted by length) reordered by each sample's rank / size of its stratum in it."""
    size: dict[Any, int] = {}
    for i in chunk:
        size[strata[i]] = size.get(strata[i], 0) + 1
    seen: dict[Any, int] = {}
    key = {}
    for i in chunk:
        r = seen.get(strata[i], 0)
        seen[strata[i]] = r + 1
        key[i] = (r + 0.5) / size[strata[i]]
    return sorted(chunk, key=key.__getitem__)


def _first_fit(order: list[int], lengths: list[int], capacity: int, window: int = 64) -> list[list[int]]:
    """First-fit packing over a window of open rows (next-fit wastes ~20 % on 128-token rows of tweets).

    Rows leave the window oldest first, so the result only depends on ``order``.
    """
    done: list[list[int]] = []
    open_rows: list[list[int]] = []  # each: [free, *indices]
    for i in order:
        n = lengths[i]
        for row in open_rows:
            if row[0] >= n:
                row[0] -= n
                row.append(i)
                break
        else:
            open_rows.append([capacity - n, i])
            if len(open_rows) > window:
                done.append(open_rows.pop(0)[1:])
        if open_rows and open_rows[0][0] == 0:
            done.append(open_rows.pop(0)[1:])
    return done + [row[1:] for row in open_rows]


def collate(
    task: str,
    rows: list[list[int]],
    input_ids: list[list[int]],
    labels: list[Any],
    *,
    pad_id: int,
    packing: bool,
    max_length: int,
    mlm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Turn one micro-batch (rows of sample indices) into tensors.

    Returns model inputs plus ``targets`` (labels for the loss, ``-100`` = ignored), ``n_real``
    (non-pad tokens) and ``n_padded`` (all token slots).
    """
    import torch

    if task == "causal_lm" and packing:
        width = max_length
        ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        pos = torch.zeros((len(rows), width), dtype=torch.long)
        tgt = torch.full((len(rows), width), IGNORE, dtype=torch.long)
        real = 0
        for r, row in enumerate(rows):
            at = 0
            for i in row:
                seq = input_ids[i][: width - at]
                n = len(seq)
                ids[r, at : at + n] = torch.tensor(seq)
                pos[r, at : at + n] = torch.arange(n)
                tgt[r, at : at + n - 1] = torch.tensor(_shifted(seq, labels[i]))
                at += n
                real += n
            pos[r, at:] = torch.arange(width - at)  # padding: its own segment, no loss
        return {
            "input_ids": ids,
            "position_ids": pos,
            "targets": tgt,
            "n_real": real,
            "n_padded": ids.numel(),
        }
    samples = [row[0] for row in rows]
    width = max(len(input_ids[i]) for i in samples)
    ids = torch.full((len(samples), width), pad_id, dtype=torch.long)
    att = torch.zeros((len(samples), width), dtype=torch.long)
    for r, i in enumerate(samples):
        ids[r, : len(input_ids[i])] = torch.tensor(input_ids[i])
        att[r, : len(input_ids[i])] = 1
    out: dict[str, Any] = {
        "input_ids": ids,
        "attention_mask": att,
        "n_real": int(att.sum()),
        "n_padded": ids.numel(),
    }
    if task == "sequence_classification":
        out["targets"] = torch.tensor([labels[i] for i in samples])
    elif task == "token_classification":
        tgt = torch.full((len(samples), width), IGNORE, dtype=torch.long)
        for r, i in enumerate(samples):
            tgt[r, : len(labels[i])] = torch.tensor(labels[i])
        out["targets"] = tgt
    elif task == "causal_lm":
        tgt = torch.full((len(samples), width), IGNORE, dtype=torch.long)
        for r, i in enumerate(samples):
            tgt[r, : len(input_ids[i]) - 1] = torch.tensor(_shifted(input_ids[i], labels[i]))
        out["targets"] = tgt
    elif task == "masked_lm":
        out["input_ids"], out["targets"] = _mask_tokens(ids, att, **(mlm or {}))
    elif task == "seq2seq":
        t_width = max(len(labels[i]) for i in samples)
        tgt = torch.full((len(samples), t_width), IGNORE, dtype=torch.long)
        for r, i in enumerate(samples):
            tgt[r, : len(labels[i])] = torch.tensor(labels[i])
        out["targets"] = tgt
        out["n_real"] += int((tgt != IGNORE).sum())
        out["n_padded"] += tgt.numel()
    return out


def _shifted(seq: list[int], loss_mask: list[int] | None) -> list[int]:
    """Next-token labels inside one sample; prompt tokens (mask 0) are not predicted."""
    nxt = seq[1:]
    if loss_mask is None:
        return nxt
    return [t if m else IGNORE for t, m in zip(nxt, loss_mask[1 : len(seq)], strict=True)]


def _mask_tokens(
    ids, att, *, mask_id: int, vocab_size: int, special_ids: list[int], probability: float, seed: int
):
    """BERT masking: ``probability`` of real, non-special tokens; 80 % [MASK], 10 % random, 10 % kept."""
    import torch

    g = torch.Generator().manual_seed(seed)
    special = torch.isin(ids, torch.tensor(special_ids, dtype=torch.long)) | (att == 0)
    chosen = (torch.rand(ids.shape, generator=g) < probability) & ~special
    targets = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
    u = torch.rand(ids.shape, generator=g)
    rand_tok = torch.randint(vocab_size, ids.shape, generator=g)
    out = torch.where(chosen & (u < 0.8), torch.full_like(ids, mask_id), ids)
    out = torch.where(chosen & (u >= 0.8) & (u < 0.9), rand_tok, out)
    return out, targets
