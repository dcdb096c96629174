"""``key.sub=value`` overrides (parsing, type coercion) and token-budget plans (found by mutation testing).

Plans are compared as multisets of per-row lengths, so the shuffles (of samples and of batches) do
not matter; each expected plan is the greedy cut worked out by hand on the sorted lengths.
"""

from __future__ import annotations

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.finetune import FinetuneConfig
from aimm_nlp.finetune.batching import plan_epoch

BASE = {
    "task": "sequence_classification",
    "model": {"architecture": "bert", "tokenizer": "tok"},
    "data": {"train": "ary.tsv", "labels": ["salbi", "mohayid", "ijabi"]},
}


def load(*overrides: str) -> FinetuneConfig:
    import copy

    return FinetuneConfig.from_dict(copy.deepcopy(BASE), overrides=list(overrides))


@pytest.mark.parametrize(
    ("override", "path", "expected"),
    [
        ("optim.lr=3e-5", "optim.lr", 3e-5),  # YAML reads 3e-5 as a string: coerced to float
        ("optim.lr=1", "optim.lr", 1.0),
        ("optim.epochs=2", "optim.epochs", 2.0),
        ("run.seed=7", "run.seed", 7),
        ("data.packing=false", "data.packing", False),
        ("data.limit=null", "data.limit", None),
        ("data.limit=", "data.limit", None),  # empty value: None
        ("optim.max_grad_norm=null", "optim.max_grad_norm", None),
        ("data.labels=[salbi, ijabi]", "data.labels", ["salbi", "ijabi"]),
        ("data.labels=auto", "data.labels", "auto"),
        ("run.output_dir=runs/lr=3e-5", "run.output_dir", "runs/lr=3e-5"),  # split at the first '='
        (" optim.lr =0.5", "optim.lr", 0.5),  # spaces around the key
        ("model.overrides.hidden_dropout_prob=0", "model.overrides", {"hidden_dropout_prob": 0}),
        ("data.source_prefix=ary_Arab->eng_Latn", "data.source_prefix", "ary_Arab->eng_Latn"),
    ],
)
def test_override_is_parsed_and_coerced(override: str, path: str, expected) -> None:
    value = load(override)
    for part in path.split("."):
        value = getattr(value, part)
    assert value == expected
    assert type(value) is type(expected)  # 1 becomes 1.0 for a float field, 7 stays an int


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("run.seed=true", "run.seed: expected int, got True"),  # a bool is not an int
        ("run.seed=1.5", "run.seed: expected int, got 1.5"),
        ("optim.lr=fast", "optim.lr: expected float, got 'fast'"),
        ("optim.lr=true", "optim.lr: expected float, got True"),
        ("data.packing=1", "data.packing: expected bool, got 1"),
        ("optim.lr.x=1", "optim.lr: expected float"),  # lr becomes a mapping: rejected by type
        ("optim", "expected key.sub=value"),
        ("=3", "expected key.sub=value"),
    ],
)
def test_bad_override_is_a_config_error(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(override)
    assert message in str(info.value) or any(message in e for e in info.value.errors)


def shape(plan: list[list[list[int]]], lengths: list[int]) -> list[list[list[int]]]:
    """Each batch as sorted row lengths; batches sorted."""
    return sorted(sorted(sorted(lengths[i] for i in row) for row in batch) for batch in plan)


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "max_length", "expected"),
    [
        # sorted 2 2 2 2 3 3 8: four 2s fill 8 exactly (kept), a 3 would make 3 x 5 > 8
        ([3, 2, 8, 2, 3, 2, 2], 8, 8, [[[2], [2], [2], [2]], [[3], [3]], [[8]]]),
        ([8, 1, 8, 1], 8, 8, [[[1], [1]], [[8]], [[8]]]),  # sorted: the two 1s share a batch
        ([1, 50], 8, 4, [[[1], [50]]]),  # 50 counts as max_length 4: 4 x 2 = 8 fits
        ([5, 5, 5], 10, 8, [[[5]], [[5], [5]]]),
        ([5, 5, 5], 9, 8, [[[5]], [[5]], [[5]]]),
        ([7], 1, 8, [[[7]]]),  # a sample longer than the budget still gets its own batch
    ],
)
def test_token_budget_batches(lengths, max_tokens, max_length, expected) -> None:
    for seed in range(3):
        plan = plan_epoch(
            lengths, max_tokens=max_tokens, max_length=max_length, packing=False, seed=seed, epoch=0
        )
        assert shape(plan, lengths) == expected


@pytest.mark.parametrize(
    ("lengths", "max_tokens", "max_length", "expected"),
    [
        ([4, 4, 4, 4], 16, 8, [[[4, 4], [4, 4]]]),  # rows filled exactly; 16 // 8 = 2 rows a batch
        ([4, 4, 4, 4], 8, 8, [[[4, 4]], [[4, 4]]]),  # 1 row a batch
        ([4, 4, 4, 4], 23, 8, [[[4, 4], [4, 4]]]),  # 23 // 8 = 2 rows
        ([20, 3], 8, 8, [[[3]], [[8]]]),  # 20 truncated to 8 fills a row on its own
        ([6, 6], 4, 8, [[[6]], [[6]]]),  # budget under one row: still one row a batch
    ],
)
def test_packed_plan_rows_and_rows_per_batch(lengths, max_tokens, max_length, expected) -> None:
    for seed in range(3):
        plan = plan_epoch(
            lengths, max_tokens=max_tokens, max_length=max_length, packing=True, seed=seed, epoch=0
        )
        got = sorted(sorted(sorted(min(lengths[i], max_length) for i in row) for row in b) for b in plan)
        assert got == expected
