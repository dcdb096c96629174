"""Bucketed batches computed in length-sorted chunks (``batching.chunk_rows``): same step, less padding."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from ft_helpers import TWEETS, base_cfg, build_tokenizer, write_tsv

from aimm_nlp.finetune.batching import chunk_rows

TAIL = random.Random(3).choices([1, 2, 3, 5, 8, 13, 21, 40, 64, 64, 100], k=300)


def padded(chunks, lengths, max_length):
    return sum(len(c) * max(min(lengths[r[0]], max_length) for r in c) for c in chunks)


def brute_force(widths, max_tokens):
    """Lowest padded tokens + max_tokens/16 per chunk over every contiguous cut of sorted widths."""
    best = None
    n = len(widths)
    for cuts in itertools.product([0, 1], repeat=max(n - 1, 0)):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        parts = [widths[a:b] for a, b in itertools.pairwise(bounds)]
        if any(len(p) > 1 and max(p) * len(p) > max_tokens for p in parts):
            continue
        cost = sum(max(p) * len(p) + max_tokens / 16 for p in parts)
        best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "max_length"),
    [
        ([], 64, 64),  # no rows: no chunks
        ([7], 64, 64),  # one sample: one chunk
        ([200], 64, 64),  # longer than the budget: alone, truncated width
        ([0, 0, 3], 64, 64),  # empty samples count as one token wide
        ([5, 5, 5, 5], 10, 64),  # the budget forces pairs
        ([1, 64, 2, 63, 3, 62, 4, 61], 128, 64),
        (TAIL, 4096, 128),
        (TAIL, 256, 128),
        (TAIL, 256, 16),  # max_length caps the width
    ],
)
def test_every_row_once_sorted_and_within_the_budget(lengths, max_tokens, max_length):
    rows = [[i] for i in random.Random(0).sample(range(len(lengths)), len(lengths))]
    chunks = chunk_rows(rows, lengths, max_tokens=max_tokens, max_length=max_length)
    assert sorted(r[0] for c in chunks for r in c) == list(range(len(lengths)))
    flat = [lengths[r[0]] for c in chunks for r in c]
    assert flat == sorted(flat)
    for c in chunks:
        assert c and (len(c) == 1 or len(c) * max(min(lengths[r[0]], max_length) for r in c) <= max_tokens)
    if lengths:  # never more padded tokens than the batch in one pass (+ the bounded cost of a pass)
        one = len(lengths) * min(max(lengths), max_length)
        assert padded(chunks, lengths, max_length) <= one + max_tokens / 16


@pytest.mark.parametrize("seed", range(12))
def test_cut_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    lengths = [rng.choice([1, 2, 3, 4, 6, 9, 16, 30]) for _ in range(rng.randint(1, 9))]
    max_tokens = rng.choice([32, 48, 64, 160])
    chunks = chunk_rows([[i] for i in range(len(lengths))], lengths, max_tokens=max_tokens, max_length=64)
    cost = padded(chunks, lengths, 64) + len(chunks) * max_tokens / 16
    assert cost == pytest.approx(brute_force(sorted(lengths), max_tokens))


def test_random_batches_of_tweets_pad_far_less_in_chunks():
    rows = [[i] for i in range(len(TAIL))]
    chunks = chunk_rows(rows, TAIL, max_tokens=4096, max_length=128)
    real = sum(min(n, 128) for n in TAIL)
    assert 1 < len(chunks) < len(TAIL) // 10  # a few passes, not one per sample
    assert padded(chunks, TAIL, 128) < 1.5 * real < padded([rows], TAIL, 128)


def _run(tmp_path, name, task, monkeypatch=None, **extra):
    from aimm_nlp.finetune import FinetuneConfig, finetune

    tok = build_tokenizer(tmp_path / "tok")
    if task == "sequence_classification":
        rows = [(f"t{i}", (t + " ") * (1 + i % 5), lab) for i, (t, lab) in enumerate(TWEETS * 3)]
        train = write_tsv(tmp_path / "tweets.tsv", ["ID", "tweet", "label"], rows)
        extra = dict(data__text_column="tweet", data__labels=["negative", "neutral", "positive"], **extra)
    else:  # token classification: one tag per word
        rows = []
        for i, (t, _lab) in enumerate(TWEETS * 3):
            for w in ((t + " ") * (1 + i % 4)).split():
                rows.append((f"s{i}", w, "X" if w[0] in "كبلما" else "O"))
        train = write_tsv(tmp_path / "tags.tsv", ["sentence", "words", "label"], rows)
        extra = dict(data__format="token_rows", data__labels=["O", "X"], **extra)
    cfg = base_cfg(task, tok, train, tmp_path / name, data__batching="bucketed", data__max_tokens=256,
                   optim__max_steps=4, **extra)  # fmt: skip
    res = finetune(FinetuneConfig.from_dict(cfg))
    hist = [json.loads(x) for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    from safetensors.torch import load_file

    return load_file(str(res.model_dir / "model.safetensors")), hist


@pytest.mark.parametrize("task", ["sequence_classification", "token_classification"])
def test_chunked_steps_equal_one_pass_steps(task, tmp_path, monkeypatch):
    """The same 4 optimizer steps with and without chunks give the same losses and weights (fp32, no
    dropout), up to float rounding that AdamW's per-weight scaling lifts to ~1e-4 of lr 3e-3 x 4 steps."""
    import torch

    from aimm_nlp.finetune import loop

    chunked, hist_c = _run(tmp_path, "chunked", task)
    monkeypatch.setattr(loop, "chunk_rows", lambda rows, *a, **k: [rows])
    whole, hist_w = _run(tmp_path, "whole", task)
    assert chunked.keys() == whole.keys()
    for k in chunked:
        assert torch.allclose(chunked[k], whole[k], atol=3e-4, rtol=0), k
    loss_c = [h["loss"] for h in hist_c if "loss" in h]
    loss_w = [h["loss"] for h in hist_w if "loss" in h]
    assert loss_c == pytest.approx(loss_w, rel=1e-4)
    pad_c = sum(h["padded_tokens"] for h in hist_c if "padded_tokens" in h)
    pad_w = sum(h["padded_tokens"] for h in hist_w if "padded_tokens" in h)
    real = sum(h["real_tokens"] for h in hist_c if "real_tokens" in h)
    assert real == sum(h["real_tokens"] for h in hist_w if "real_tokens" in h)
    assert pad_c < pad_w  # the chunks really cut the padding
