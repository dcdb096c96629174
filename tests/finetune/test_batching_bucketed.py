"""Length-bucketed random batches (``data.batching: bucketed``, the default for classification)."""

from __future__ import annotations

import json
import random

import pytest
from ft_helpers import TWEETS, base_cfg, build_tokenizer, write_tsv

from aimm_nlp.finetune.batching import batching_for, plan_epoch

# a tweet-like long tail: mostly short, a few long (AfriSenti: median 22 tokens, max 128)
TAIL = random.Random(7).choices([3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 60, 64], k=400)


def bucketed(lengths, *, max_tokens=256, max_length=64, seed=0, epoch=0, megabatch=4):
    return plan_epoch(lengths, max_tokens=max_tokens, max_length=max_length, packing=False, seed=seed,
                      epoch=epoch, batching="bucketed", megabatch=megabatch)  # fmt: skip


def tokens(lengths, *, max_tokens=256, max_length=64, seed=0, epoch=0):
    return plan_epoch(
        lengths, max_tokens=max_tokens, max_length=max_length, packing=False, seed=seed, epoch=epoch
    )


def flat(plan):
    return [[i for row in batch for i in row] for batch in plan]


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "megabatch"),
    [
        ([], 64, 4),  # empty dataset: no batches
        ([7], 64, 4),  # one sample: one batch
        ([7], 1, 1),
        ([3, 3, 3, 3], 64, 1),
        ([1, 64, 2, 63, 3, 62, 4, 61], 64, 2),
        (TAIL, 256, 1),
        (TAIL, 256, 4),
        (TAIL, 256, 10**6),  # one megabatch: the whole epoch sorted
        (TAIL, 4096, 4),
    ],
)
def test_every_sample_once_and_as_many_equal_batches_as_the_token_budget(lengths, max_tokens, megabatch):
    for seed, epoch in [(0, 0), (1, 0), (0, 3)]:
        plan = bucketed(lengths, max_tokens=max_tokens, seed=seed, epoch=epoch, megabatch=megabatch)
        batches = flat(plan)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        assert all(len(row) == 1 for batch in plan for row in batch)
        assert len(plan) == len(tokens(lengths, max_tokens=max_tokens, seed=seed, epoch=epoch))
        if batches:  # the sample cap: every batch holds the mean, within one sample
            assert max(map(len, batches)) - min(map(len, batches)) <= 1
            assert max(map(len, batches)) == -(-len(lengths) // len(plan))


def test_deterministic_per_seed_and_epoch():
    assert bucketed(TAIL, seed=5, epoch=2) == bucketed(TAIL, seed=5, epoch=2)
    assert bucketed(TAIL, seed=5, epoch=2) != bucketed(TAIL, seed=6, epoch=2)
    assert bucketed(TAIL, seed=5, epoch=2) != bucketed(TAIL, seed=5, epoch=3)


def spread(batch):
    return max(TAIL[i] for i in batch) - min(TAIL[i] for i in batch)


def one_length(plan):
    return sum(len({TAIL[i] for i in b}) == 1 for b in flat(plan))


def test_lengths_grouped_within_batches_but_not_one_length_per_batch():
    random_plan, grouped = bucketed(TAIL, megabatch=1), bucketed(TAIL, megabatch=4)
    # grouped: the lengths inside a batch are far closer than in random batches (less padding) ...
    assert sum(map(spread, flat(grouped))) < 0.5 * sum(map(spread, flat(random_plan)))
    # ... but a batch is a band of a random sample's lengths, not one length as the token budget's are
    assert one_length(grouped) <= len(grouped) // 10
    assert one_length(tokens(TAIL)) >= len(tokens(TAIL)) // 2


# labels correlated with length, as AfriSenti's (short tweets: 55 % positive; long ones: 21 %)
LABEL = [0 if n <= 8 else (1 if n <= 20 else 2) for n in TAIL]


@pytest.mark.parametrize("megabatch", [4, 8, 10**6])
def test_strata_give_every_batch_the_label_mix(megabatch):
    plan = plan_epoch(TAIL, max_tokens=256, max_length=64, packing=False, seed=0, epoch=0,
                      batching="bucketed", megabatch=megabatch, strata=LABEL)  # fmt: skip
    batches = flat(plan)
    assert sorted(i for b in batches for i in b) == list(range(len(TAIL)))
    assert max(map(len, batches)) - min(map(len, batches)) <= 1
    plain = flat(bucketed(TAIL, megabatch=megabatch))
    for label in set(LABEL):
        share = LABEL.count(label) / len(LABEL)
        if megabatch == 10**6:  # one megabatch: each batch holds each label's share within 2 samples
            assert all(abs(sum(LABEL[i] == label for i in b) - share * len(b)) <= 2 for b in batches)

        def shares(plan, label=label):
            return [sum(LABEL[i] == label for i in b) / len(b) for b in plan]

        # the label mix varies far less across batches than without strata (length-sorted: one label)
        assert max(shares(batches)) - min(shares(batches)) < 0.5 * (max(shares(plain)) - min(shares(plain)))
    assert max(sum(LABEL[i] == 0 for i in b) / len(b) for b in plain) > 0.9


def test_strata_keep_lengths_grouped_inside_each_label():
    def padded(plan):
        return sum(len(b) * max(TAIL[i] for i in b) for b in flat(plan))

    strat = plan_epoch(TAIL, max_tokens=256, max_length=64, packing=False, seed=0, epoch=0,
                       batching="bucketed", megabatch=8, strata=[i % 2 for i in range(len(TAIL))])  # fmt: skip
    assert padded(strat) < 0.75 * padded(bucketed(TAIL, megabatch=1))


@pytest.mark.parametrize("megabatch", [2, 4, 8])
def test_less_padding_than_random_batches(megabatch):
    def padded(plan):
        return sum(len(b) * max(TAIL[i] for i in b) for b in flat(plan))

    assert padded(bucketed(TAIL, megabatch=megabatch)) < padded(bucketed(TAIL, megabatch=1))


def test_token_budget_plan_varies_batch_sizes_by_more_than_10x():
    """Why classification does not use it by default: 2-sample and 50-sample steps in one epoch."""
    sizes = [len(b) for b in flat(tokens(TAIL))]
    assert max(sizes) > 10 * min(sizes)
    assert max(map(len, flat(bucketed(TAIL)))) <= min(map(len, flat(bucketed(TAIL)))) + 1


@pytest.mark.parametrize(
    ("task", "batching", "expected"),
    [
        ("sequence_classification", "auto", "bucketed"),
        ("token_classification", "auto", "bucketed"),
        ("causal_lm", "auto", "tokens"),
        ("masked_lm", "auto", "tokens"),
        ("seq2seq", "auto", "tokens"),
        ("sequence_classification", "tokens", "tokens"),
        ("causal_lm", "bucketed", "bucketed"),
    ],
)
def test_auto_resolves_per_task(task, batching, expected):
    assert batching_for(task, batching) == expected


def test_packing_ignores_bucketed():
    a = plan_epoch(TAIL, max_tokens=128, max_length=64, packing=True, seed=0, epoch=0)
    b = plan_epoch(TAIL, max_tokens=128, max_length=64, packing=True, seed=0, epoch=0, batching="bucketed")
    assert a == b


@pytest.mark.parametrize(("batching", "max_ratio"), [("auto", 2.0), ("bucketed", 2.0)])
def test_default_classification_steps_weigh_similar_sample_counts(batching, max_ratio, tmp_path):
    """End to end: with the default batching every step of a classifier holds about the same number of
    tweets (the token budget gave 2-sample and 30-sample steps on this data)."""
    from aimm_nlp.finetune import FinetuneConfig, finetune

    tok = build_tokenizer(tmp_path / "tok")
    rows = [(f"t{i}", (t + " ") * (1 if i % 3 else 6), lab) for i, (t, lab) in enumerate(TWEETS * 4)]
    train = write_tsv(tmp_path / "tweets.tsv", ["ID", "tweet", "label"], rows)
    cfg = base_cfg("sequence_classification", tok, train, tmp_path / "run", data__text_column="tweet",
                   data__labels=["negative", "neutral", "positive"], data__batching=batching,
                   data__megabatch=2, optim__max_steps=None, optim__epochs=2)  # fmt: skip
    res = finetune(FinetuneConfig.from_dict(cfg))
    hist = [json.loads(x) for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    counts = [h["targets"] for h in hist if "targets" in h]
    assert len(counts) >= 4 and sum(counts) == 2 * len(rows)
    assert max(counts) <= max_ratio * min(counts)
    # the loss of a step is its mean over the step's samples, as a Trainer's: / the mean count per step
    norms = [h["loss_norm"] for h in hist if "loss_norm" in h]
    assert norms == pytest.approx([sum(counts) / len(counts)] * len(norms), rel=1e-5)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["data.batching=buckets"], ["data.batching: unknown 'buckets' (did you mean 'bucketed'?)"]),
        (["data.batching=random"], ["data.batching: unknown 'random'"]),
        (["data.megabatch=0"], ["data.megabatch: must be in [1, 10**6], got 0"]),
        (["data.megabatch=1000001"], ["data.megabatch: must be in [1, 10**6]"]),
        (
            ["data.megabatch=-3", "data.batching=Tokens"],
            ["data.megabatch", "data.batching: unknown 'Tokens'"],
        ),
    ],
)
def test_bad_batching_options_are_refused_before_any_work(overrides, expected, tmp_path):
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.finetune import FinetuneConfig

    cfg = tmp_path / "c.yaml"
    cfg.write_text("task: sequence_classification\nmodel: {path: m}\ndata: {train: t.tsv, labels: [a, b]}\n")
    with pytest.raises(ConfigError) as exc:
        FinetuneConfig.from_yaml(cfg, overrides=overrides)
    for text in expected:  # every error named at once, with the field
        assert text in str(exc.value)
