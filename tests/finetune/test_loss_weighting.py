"""optim.loss_weighting: a target token (or a sample) weighs the same whatever the batch it lands in."""

from __future__ import annotations

import json
import random

import pytest
import torch
from ft_helpers import LABELS, TINY, base_cfg, write_tsv

from aimm_nlp.errors import ConfigError
from aimm_nlp.finetune import FinetuneConfig, finetune
from aimm_nlp.finetune.batching import _shifted, collate, plan_epoch
from aimm_nlp.finetune.forward import forward
from aimm_nlp.finetune.weighting import clip_limit, sample_weights, step_normaliser, targets_per_sample


def _records(out):
    return [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if '"loss"' in x]


@pytest.mark.parametrize("weighting", ["token", "sample"])
def test_a_step_gradient_grows_with_its_samples_not_divided_by_them(weighting, tok_dir, tmp_path):
    """20 copies of one Darija tweet in token-budget batches of 9, 9 and 2 (lr ~ 0: fixed weights):
    every sample gives the same gradient g, so a step's gradient is count x g / (one constant). With
    the old per-step mean, the 2-sample step got the same gradient norm as the 9-sample ones, i.e.
    each of its samples 4.5 times the weight. The logged loss stays the step's own mean."""
    train = write_tsv(
        tmp_path / "same.tsv", ["tweet", "label"], [("الماكلة بنينة بزاااف 😍", "positive")] * 20
    )
    raw = base_cfg(
        "sequence_classification", tok_dir, train, tmp_path / "run", data__text_column="tweet",
        data__labels=LABELS, optim__max_steps=None, optim__epochs=1, optim__lr=1e-9,
        optim__loss_weighting=weighting, optim__max_grad_norm=1e6,
    )  # fmt: skip
    width = len(_tweet_ids(tok_dir))
    raw["data"].update(max_tokens=9 * width, batching="tokens")  # token-budget batches of 9, 9 and 2
    recs = _records(finetune(FinetuneConfig.from_dict(raw)).output_dir)
    assert sorted(r["targets"] for r in recs) == [2, 9, 9]
    assert len({r["loss_norm"] for r in recs}) == 1  # one constant for every step
    per_sample = [r["grad_norm"] / r["targets"] for r in recs]
    assert max(per_sample) == pytest.approx(min(per_sample), rel=1e-3), recs
    assert max(r["loss"] for r in recs) == pytest.approx(min(r["loss"] for r in recs), rel=1e-5)


@pytest.mark.parametrize("weighting", ["token", "sample"])
@pytest.mark.parametrize("max_grad_norm", [1e-6, 0.5, 3.0])
def test_clipping_bounds_each_step_mean_gradient(weighting, max_grad_norm, tok_dir, tmp_path, monkeypatch):
    """The same 9 / 9 / 2 token-budget steps of one Darija tweet: the clipping bound grows with the
    step's samples (max_grad_norm x count / the run's constant), so a clipped 9-sample step keeps 4.5x
    the gradient of a clipped 2-sample step. A fixed bound (the old code) cut both to the same length:
    every step one vote, whatever its size."""
    limits = []
    real_clip = torch.nn.utils.clip_grad_norm_

    def spy(params, limit, *a, **k):
        limits.append(limit)
        return real_clip(params, limit, *a, **k)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    train = write_tsv(
        tmp_path / "same.tsv", ["tweet", "label"], [("الماكلة بنينة بزاااف 😍", "positive")] * 20
    )
    raw = base_cfg(
        "sequence_classification", tok_dir, train, tmp_path / "run", data__text_column="tweet",
        data__labels=LABELS, optim__max_steps=None, optim__epochs=1, optim__lr=1e-9,
        optim__loss_weighting=weighting, optim__max_grad_norm=max_grad_norm,
    )  # fmt: skip
    raw["data"].update(max_tokens=9 * len(_tweet_ids(tok_dir)), batching="tokens")
    recs = _records(finetune(FinetuneConfig.from_dict(raw)).output_dir)
    norm = recs[0]["loss_norm"]
    assert sorted(r["targets"] for r in recs) == [2, 9, 9] and len(limits) == 3
    assert sorted(limits) == pytest.approx([max_grad_norm * n / norm for n in (2, 9, 9)], rel=1e-4)


@pytest.mark.parametrize(
    ("max_grad_norm", "units", "norm", "expected"),
    [(1.0, 161, 161.0, 1.0), (1.0, 455, 161.0, 455 / 161), (0.5, 6, 161.0, 3 / 161), (2.0, 0, 10.0, 2e-10)],
)
def test_clip_limit(max_grad_norm, units, norm, expected):
    assert clip_limit(max_grad_norm, units, norm) == pytest.approx(expected)


def _tweet_ids(tok_dir) -> list[int]:
    from aimm_nlp.finetune.models import load_tokenizer

    return load_tokenizer(str(tok_dir))("الماكلة بنينة بزاااف 😍")["input_ids"]


def test_sample_weighting_is_the_same_packed_or_not(tok_dir, data_dir):
    """Per-sample weighting over one epoch of Darija/Arabizi/Tifinagh lines: the weighted summed loss
    is the sum of every sample's mean token loss, whether samples are packed 2048 tokens to a
    micro-batch or padded 96 to one."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from aimm_nlp.finetune.models import load_tokenizer

    tok = load_tokenizer(str(tok_dir))
    lines = [x for x in (data_dir / "text.txt").read_text(encoding="utf-8").splitlines() if x]
    ids = [tok(x)["input_ids"] + [tok.eos_token_id] for x in lines]
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), **TINY, num_key_value_heads=2)).eval()
    per_sample = []
    with torch.no_grad():
        for s in ids:
            t = torch.tensor([s])
            per_sample.append(float(model(input_ids=t, labels=t).loss))
    expected = sum(per_sample)
    for packing, max_tokens in ((True, 2048), (False, 96)):
        plan = plan_epoch(
            [len(s) for s in ids], max_tokens=max_tokens, max_length=64, packing=packing, seed=0, epoch=0
        )
        total = 0.0
        with torch.no_grad():
            for rows in plan:
                b = collate(
                    "causal_lm",
                    rows,
                    ids,
                    [None] * len(ids),
                    pad_id=tok.pad_token_id,
                    packing=packing,
                    max_length=64,
                )
                w = sample_weights(b)
                assert float(w.sum()) == pytest.approx(sum(len(r) for r in rows))  # one unit per sample
                total += float(forward("causal_lm", model, b, torch.device("cpu"), weights=w)[0])
        assert total == pytest.approx(expected, rel=1e-5), packing


def test_step_normaliser_counts_per_slot_of_a_full_step():
    plan = [[[0], [1]], [[2]]]  # widths 10 and 4: 2*10 + 1*4 = 24 slots, 3 samples, 30 targets
    lengths = [10, 8, 4]
    counts = targets_per_sample("causal_lm", [[1] * n for n in lengths], [None] * 3, 0.15)
    assert counts == [9.0, 7.0, 3.0]
    # the counts are those of the collated targets: an SFT loss mask, ignored word pieces
    sft_ids, sft_mask = [[5, 6, 7, 8, 9]], [[0, 0, 1, 1, 1]]
    assert targets_per_sample("causal_lm", sft_ids, sft_mask, 0.15) == [
        float(sum(t != -100 for t in _shifted(sft_ids[0], sft_mask[0])))
    ]
    assert targets_per_sample("token_classification", [[1, 2, 3, 4]], [[2, -100, 0, -100]], 0.15) == [2.0]
    kw = dict(max_tokens=48, max_length=64, packing=False, per_step=2)
    assert step_normaliser("token", counts, plan, lengths, **kw) == pytest.approx(19 * 96 / 24)
    assert step_normaliser("sample", counts, plan, lengths, **kw) == pytest.approx(3 * 96 / 24)


@pytest.mark.parametrize("value", ["tokens", "mean", "", "batch"])
def test_an_unknown_loss_weighting_is_refused(value, tok_dir, data_dir, tmp_path):
    raw = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "run")
    raw["optim"]["loss_weighting"] = value
    with pytest.raises(ConfigError, match=r"optim\.loss_weighting"):
        FinetuneConfig.from_dict(raw)
    assert not (tmp_path / "run").exists()


def test_epochs_whose_plan_has_fewer_batches_still_run(tok_dir, tmp_path):
    """4,200 tweets fill two length buckets, so a later epoch's token-budget plan can hold a batch fewer
    than epoch 0's, which fixed the steps per epoch: its last step indexed past the plan (IndexError
    at step 62 of the shipped ary_sentiment.yaml on AfriSenti, seed 1). It now wraps to the first
    batches of the epoch."""
    from aimm_nlp.finetune.models import load_tokenizer

    words = ["salam", "labas", "3lik", "الماكلة", "بنينة", "بزاااف", "😍", "ⴰⵣⵓⵍ", "wakha", "mzyan"]
    rng = random.Random(0)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(4200)]
    tok = load_tokenizer(str(tok_dir))
    lengths = [min(len(x), 64) for x in tok(texts)["input_ids"]]

    def batches(max_tokens, seed, epoch):
        return len(
            plan_epoch(lengths, max_tokens=max_tokens, max_length=64, packing=False, seed=seed, epoch=epoch)
        )

    max_tokens, seed = next(
        (m, s) for m in (2048, 1024, 512) for s in range(40) if batches(m, s, 1) < batches(m, s, 0)
    )
    per_epoch = batches(max_tokens, seed, 0)
    train = write_tsv(
        tmp_path / "t.tsv", ["tweet", "label"], [(t, LABELS[i % 3]) for i, t in enumerate(texts)]
    )
    raw = base_cfg(
        "sequence_classification", tok_dir, train, tmp_path / "run", data__text_column="tweet",
        data__labels=LABELS, optim__max_steps=None, optim__epochs=2, run__seed=seed, run__log_every=50,
    )  # fmt: skip
    raw["data"].update(max_tokens=max_tokens, max_length=64, batching="tokens")
    res = finetune(FinetuneConfig.from_dict(raw))
    assert res.steps == 2 * per_epoch
