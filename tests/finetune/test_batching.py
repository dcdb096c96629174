"""Batch plans, collators and the packing equivalence (no cross-sample attention, no leaked loss)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from aimm_nlp.finetune.batching import collate, plan_epoch  # noqa: E402

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
