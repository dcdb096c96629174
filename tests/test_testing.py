"""aimm_nlp.testing helpers: tiny tokenizer and models are seeded; DummyModel is deterministic."""

from __future__ import annotations

import pytest

from aimm_nlp.testing import DARIJA, DummyModel, tiny_tokenizer


@pytest.mark.parametrize(
    "text", ["", "a", "salam labas 3lik", "واش نتا مزيااااان؟", "ⴰⵣⵓⵍ", "😂😂 hhhh", "ça va"]
)
def test_tiny_tokenizer_round_trips(text):
    tok = tiny_tokenizer(DARIJA, vocab_size=300)
    assert tok.decode(tok.encode(text)) == text


def test_tiny_causal_lm_is_seeded():
    import torch

    from aimm_nlp.testing import tiny_causal_lm

    tok = tiny_tokenizer(DARIJA, vocab_size=300)
    a, b, c = tiny_causal_lm(tok, seed=0), tiny_causal_lm(tok, seed=0), tiny_causal_lm(tok, seed=1)
    w = "model.layers.0.self_attn.q_proj.weight"
    assert torch.equal(a.state_dict()[w], b.state_dict()[w]) and not torch.equal(
        a.state_dict()[w], c.state_dict()[w]
    )
    assert a.config.hidden_size == 32 and a.config.num_hidden_layers == 2 and a.config.vocab_size == len(tok)


def test_dummy_model_is_deterministic_and_counts():
    m = DummyModel(labels=["pos", "neg"])
    first = list(m.score_choices([("واش", [" اه", " لا"])]))
    assert first == list(DummyModel().score_choices([("واش", [" اه", " لا"])]))
    assert [lab for _, lab in m.classify(["salam", ""])] == [lab for _, lab in m.classify(["salam", ""])]
    assert m.calls == 5
    with pytest.raises(KeyboardInterrupt):
        list(DummyModel(fail_after=1).score_rolling(["a", "b"]))
