"""Batch plans, collators and the packing equivalence (no cross-sample attention, no leaked loss)."""

from __future__ import annotations

import math

import pytest
import torch
from ft_helpers import base_cfg, corpus_lines

from aimm_nlp.finetune.batching import collate, plan_epoch

LENGTHS = [1, 2, 7, 30, 64, 5, 5, 12, 63, 3, 40, 9, 1, 17]


@pytest.mark.parametrize("packing", [True, False])
def test_plan_covers_every_sample_once_within_budget(packing):
    plan = plan_epoch(LENGTHS, max_tokens=128, max_length=64, packing=packing, seed=3, epoch=0)
    seen = sorted(i for batch in plan for row in batch for i in row)
    assert seen == list(range(len(LENGTHS)))
    for batch in plan:
        if packing:
            assert len(batch) <= 2
            assert all(sum(LENGTHS[i] for i in row) <= 64 for row in batch)
        else:
            assert all(len(row) == 1 for row in batch)
            assert max(LENGTHS[row[0]] for row in batch) * len(batch) <= 128


def test_plan_is_deterministic_and_epochs_differ():
    a = plan_epoch(LENGTHS, max_tokens=64, max_length=64, packing=True, seed=1, epoch=0)
    b = plan_epoch(LENGTHS, max_tokens=64, max_length=64, packing=True, seed=1, epoch=0)
    c = plan_epoch(LENGTHS, max_tokens=64, max_length=64, packing=True, seed=1, epoch=1)
    assert a == b and a != c


def test_token_budget_cuts_padding():
    lengths = [3, 60, 4, 58, 5, 61, 2, 59] * 8
    plan = plan_epoch(lengths, max_tokens=256, max_length=64, packing=False, seed=0, epoch=0)
    real = sum(lengths)
    padded = sum(max(lengths[r[0]] for r in b) * len(b) for b in plan)
    assert 1 - real / padded < 0.1  # pad-to-longest on random batches of 4 wastes ~45 %


def test_packed_collate_resets_positions_and_never_crosses_samples():
    ids = [[5, 6, 7], [8, 9], [10, 11, 12, 13]]
    b = collate("causal_lm", [[0, 1], [2]], ids, [None] * 3, pad_id=0, packing=True, max_length=6)
    assert b["input_ids"].tolist() == [[5, 6, 7, 8, 9, 0], [10, 11, 12, 13, 0, 0]]
    assert b["position_ids"].tolist() == [[0, 1, 2, 0, 1, 0], [0, 1, 2, 3, 0, 1]]
    # next-token labels inside each sample; the last token of a sample predicts nothing
    assert b["targets"].tolist() == [[6, 7, -100, 9, -100, -100], [11, 12, 13, -100, -100, -100]]
    assert (b["n_real"], b["n_padded"]) == (9, 12)


def test_sft_loss_mask_keeps_only_the_response():
    ids = [[1, 2, 3, 4, 5]]
    b = collate("causal_lm", [[0]], ids, [[0, 0, 0, 1, 1]], pad_id=0, packing=True, max_length=8)
    assert b["targets"][0, :4].tolist() == [-100, -100, 4, 5]


def _tiny_llama(vocab=60):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=128,
    )
    return LlamaForCausalLM._from_config(cfg, attn_implementation="sdpa").eval()


def test_packed_per_sample_losses_equal_unpacked():
    """The acceptance check: per-sample losses of a packed batch == each sample alone (fp32, 1e-5)."""
    import torch.nn.functional as F

    model = _tiny_llama()
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(3, 60, (n,), generator=g).tolist() for n in (5, 1, 9, 3, 12, 2, 7)]
    plan = plan_epoch([len(s) for s in seqs], max_tokens=40, max_length=20, packing=True, seed=0, epoch=0)
    rows = [row for batch in plan for row in batch]
    assert any(len(row) > 1 for row in rows)  # something really got packed
    b = collate("causal_lm", rows, seqs, [None] * len(seqs), pad_id=0, packing=True, max_length=20)
    with torch.no_grad():
        logits = model(input_ids=b["input_ids"], position_ids=b["position_ids"], use_cache=False).logits
    tok_loss = F.cross_entropy(logits.transpose(1, 2), b["targets"], ignore_index=-100, reduction="none")
    for r, row in enumerate(rows):
        at = 0
        for i in row:
            n = len(seqs[i])
            packed = tok_loss[r, at : at + n - 1]
            at += n
            if n < 2:
                continue
            with torch.no_grad():
                alone = model(input_ids=torch.tensor([seqs[i]])).logits[0]
            ref = F.cross_entropy(alone[:-1], torch.tensor(seqs[i][1:]), reduction="none")
            assert torch.allclose(packed, ref, atol=1e-5, rtol=0), (i, (packed - ref).abs().max())


def test_mlm_masking_is_seeded_and_skips_specials():
    ids = torch.tensor([[2, 10, 11, 12, 13, 14, 15, 3, 0, 0]])
    att = (ids != 0).long()
    from aimm_nlp.finetune.batching import _mask_tokens

    kw = dict(mask_id=4, vocab_size=30, special_ids=[0, 2, 3, 4], probability=0.5, seed=7)
    a, ta = _mask_tokens(ids, att, **kw)
    b, tb = _mask_tokens(ids, att, **kw)
    assert torch.equal(a, b) and torch.equal(ta, tb)
    assert (ta[0, [0, 7, 8, 9]] == -100).all()
    assert (ta != -100).any()


# data.packing=false: one sample per row, right padding, next-token targets inside each sample
UNPACKED = {
    "plain": (
        [[5, 6, 7], [8, 9], [10, 11, 12, 13]],
        [None, None, None],
        [[5, 6, 7, 0], [8, 9, 0, 0], [10, 11, 12, 13]],
        [[6, 7, -100, -100], [9, -100, -100, -100], [11, 12, 13, -100]],
    ),
    "sft_loss_mask": (
        [[1, 2, 3, 4, 5], [7, 8, 9]],
        [[0, 0, 0, 1, 1], [0, 1, 1]],
        [[1, 2, 3, 4, 5], [7, 8, 9, 0, 0]],
        [[-100, -100, 4, 5, -100], [8, 9, -100, -100, -100]],
    ),
    "one_token_sample": ([[42], [5, 6]], [None, None], [[42, 0], [5, 6]], [[-100, -100], [6, -100]]),
}


@pytest.mark.parametrize("case", list(UNPACKED))
def test_unpacked_causal_collate_shifts_inside_each_sample_and_ignores_padding(case):
    ids, labels, want_ids, want_targets = UNPACKED[case]
    rows = [[i] for i in range(len(ids))]
    b = collate("causal_lm", rows, ids, labels, pad_id=0, packing=False, max_length=64)
    assert b["input_ids"].tolist() == want_ids
    assert b["attention_mask"].tolist() == [[1] * len(s) + [0] * (len(want_ids[0]) - len(s)) for s in ids]
    assert b["targets"].tolist() == want_targets
    assert "position_ids" not in b  # unpacked rows hold one sample: the default positions are right
    assert (b["n_real"], b["n_padded"]) == (sum(map(len, ids)), len(ids) * len(want_ids[0]))


def test_unpacked_per_sample_losses_equal_the_models_own_loss():
    """data.packing=false: each row's mean target loss == transformers' shifted loss on that sample alone."""
    import torch.nn.functional as F

    model = _tiny_llama()
    g = torch.Generator().manual_seed(1)
    seqs = [torch.randint(3, 60, (n,), generator=g).tolist() for n in (5, 2, 9, 3, 12, 7)]
    plan = plan_epoch([len(s) for s in seqs], max_tokens=40, max_length=20, packing=False, seed=0, epoch=0)
    for rows in plan:
        b = collate("causal_lm", rows, seqs, [None] * len(seqs), pad_id=0, packing=False, max_length=20)
        pad = b["attention_mask"] == 0
        assert pad.any() or len({len(seqs[r[0]]) for r in rows}) == 1
        assert (b["targets"][pad] == -100).all()  # padding is never a target
        with torch.no_grad():
            logits = model(
                input_ids=b["input_ids"], attention_mask=b["attention_mask"], use_cache=False
            ).logits
        tok_loss = F.cross_entropy(logits.transpose(1, 2), b["targets"], ignore_index=-100, reduction="none")
        for r, (i,) in enumerate(rows):
            keep = b["targets"][r] != -100
            assert int(keep.sum()) == len(seqs[i]) - 1
            sample = torch.tensor([seqs[i]])
            with torch.no_grad():
                ref = model(input_ids=sample, labels=sample).loss  # transformers shifts the labels itself
            assert torch.allclose(tok_loss[r][keep].mean(), ref, atol=1e-5, rtol=0), (i, rows)


SFT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<s>{% endif %}"
)
SFT_RECORDS = [  # (prompt, response): Darija, Arabizi, French, Tifinagh, emoji, an empty response
    ("translate: I am going home", "أنا غادي للدار"),
    ("salam labas 3lik khouya", "شنو سميتك؟"),
    ("le train part à 8h demain", "had lmakla bnina bzzaaaaf 😍"),
    ("wach kayn chi jdid f lkhdma?", "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ"),
    ("شكرا بزاف", "merci bcp c'était top"),
    ("3yit mn had rwina", ""),
]


@pytest.fixture(scope="module")
def tok(tok_dir):
    from aimm_nlp.finetune.models import load_tokenizer

    return load_tokenizer(str(tok_dir))


@pytest.mark.parametrize("packing", [True, False])
def test_sft_batch_targets_only_the_response(packing, tok, tok_dir, tmp_path):
    """Prompt and chat-template tokens are never targets; every response token (and the closing </s>) is."""
    from aimm_nlp.finetune import FinetuneConfig
    from aimm_nlp.finetune.data import encode_records

    raw = base_cfg(
        "causal_lm",
        tok_dir,
        tmp_path / "sft.jsonl",
        tmp_path / "run",
        data__prompt_column="prompt",
        data__chat_template=SFT_TEMPLATE,
        data__packing=packing,
    )
    records = [{"prompt": p, "response": r} for p, r in SFT_RECORDS]
    enc = encode_records(records, FinetuneConfig.from_dict(raw), tok, source="sft.jsonl", label_names=None)
    assert len(enc) == len(SFT_RECORDS) and enc.truncated == 0
    rows = [[i] for i in range(len(enc))]
    b = collate(
        "causal_lm", rows, enc.input_ids, enc.labels, pad_id=tok.pad_token_id, packing=packing, max_length=64
    )
    for i, (prompt, response) in enumerate(SFT_RECORDS):
        ids = enc.input_ids[i]
        answer = tok(response, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        head = tok(f"<s>{prompt}</s><s>", add_special_tokens=False)["input_ids"]
        assert ids == head + answer, (prompt, tok.convert_ids_to_tokens(ids))
        # position k targets token k+1 when that token belongs to the response; the last token and the
        # padding after it target nothing
        want = [-100] * (len(head) - 1) + answer + [-100] * (b["targets"].shape[1] - len(ids) + 1)
        assert b["targets"][i].tolist() == want, (prompt, response)


def _padded(seqs, pad_id):
    width = max(map(len, seqs))
    return torch.tensor([s + [pad_id] * (width - len(s)) for s in seqs])


@pytest.mark.parametrize(("probability", "seed"), [(0.15, 0), (0.15, 1), (0.3, 2), (0.5, 3)])
def test_mlm_batch_masks_the_configured_share_of_real_tokens(probability, seed, tok):
    """A seeded masked-LM batch of ~1,300 real Moroccan-text tokens (the tiny corpus four times).

    Tolerance: every share is within 4 binomial standard deviations of its expected value
    (``probability`` of the non-special tokens chosen; of those 80 % [MASK], 10 % random, 10 % kept).
    """
    seqs = tok(corpus_lines() * 4)["input_ids"]
    mlm = dict(
        mask_id=tok.mask_token_id,
        vocab_size=len(tok),
        special_ids=list(tok.all_special_ids),
        probability=probability,
        seed=seed,
    )
    rows = [[i] for i in range(len(seqs))]
    b = collate(
        "masked_lm",
        rows,
        seqs,
        [None] * len(seqs),
        pad_id=tok.pad_token_id,
        packing=False,
        max_length=64,
        mlm=mlm,
    )
    orig, out, targets = _padded(seqs, tok.pad_token_id), b["input_ids"], b["targets"]
    assert b["attention_mask"].tolist() == (_padded([[1] * len(s) for s in seqs], 0)).tolist()
    eligible = (b["attention_mask"] == 1) & ~torch.isin(orig, torch.tensor(tok.all_special_ids))
    chosen = targets != -100
    assert not (chosen & ~eligible).any()  # [CLS], [SEP] and padding are never chosen
    assert torch.equal(targets[chosen], orig[chosen])  # a chosen position's target is its own token
    assert torch.equal(out[~chosen], orig[~chosen])  # labels are -100 exactly where nothing changed

    def near(count, n, q):
        return abs(count / n - q) <= 4 * math.sqrt(q * (1 - q) / n), (count, n, q)

    n, k = int(eligible.sum()), int(chosen.sum())
    assert n > 1000
    ok, why = near(k, n, probability)
    assert ok, why
    masked = int((out[chosen] == tok.mask_token_id).sum())
    kept = int((out[chosen] == orig[chosen]).sum())
    assert masked > 0 and not (out[~chosen] == tok.mask_token_id).any()
    for count, q in ((masked, 0.8), (kept, 0.1 + 0.1 / len(tok)), (k - masked - kept, 0.1 - 0.1 / len(tok))):
        ok, why = near(count, k, q)
        assert ok, why


# --- token-budget plans, compared as multisets of per-row lengths (shuffles do not matter); each
# expected plan is the greedy cut worked out by hand on the sorted lengths (found by mutation testing)


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
