"""Causal LM backend: lm-eval-exact scores and bit-identical results at every batch size."""

from __future__ import annotations

import pytest
import torch

from aimm_nlp.evaluation.backends.causal import bucket, rolling_windows

TEXTS = [
    "",
    "a",
    "salam labas 3lik? ana mzyaaaaan 😂",
    "واش نتا مزيااااان؟ الحمد لله، كلشي بخير",
    "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ",
    "Bonjour, ça va? ana bikhir merci, w nta? " * 3,
]
ITEMS = [
    ("سلام لاباس عليك؟", [" مزيان", " ماشي مزيان بزاف 😂", " A"]),
    ("salam, wach", [" nta mzyan?", " labas", " ⴰⵣⵓⵍ"]),
    ("", [" A", "ok"]),  # empty context: lm-eval scores after the prefix token
    ("Question: شنو هي العاصمة؟\nA. الرباط\nB. فاس\nAnswer: ", ["A", "B"]),  # trailing space moves
]


def reference(causal, ctx_tokens, cont_tokens):
    """lm-eval HFLM's computation for one request: full forward, float64 log-softmax."""
    inp = torch.tensor([(ctx_tokens + cont_tokens)[-(causal.max_length + 1) :][:-1]])
    with torch.no_grad():
        lp = torch.log_softmax(causal.model(inp).logits.double(), -1)[0]
    return float(lp[-len(cont_tokens) :].gather(-1, torch.tensor(cont_tokens)[:, None]).sum())


def test_buckets_depend_on_length_only():
    assert [bucket(n) for n in (1, 16, 17, 64, 65)] == [16, 16, 32, 64, 96]
    assert bucket(16, pad_at_least=1) == 32


def test_rolling_windows_match_lm_eval_shape():
    wins = rolling_windows(list(range(10)), prefix=99, max_len=4)
    assert wins[0] == ([99], [0, 1, 2, 3])
    assert [p for _, p in wins] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(len(c) + len(p) - 1 <= 4 for c, p in wins)
    assert rolling_windows([], prefix=1, max_len=4) == []


def test_choices_match_full_forward_reference(causal):
    causal.softmax_dtype = "float64"
    try:
        got = dict(causal.score_choices(ITEMS))
        for i, (ctx, conts) in enumerate(ITEMS):
            for j, cont in enumerate(conts):
                for c_tok, encs, _ in causal._units(ctx, [cont]):
                    assert got[i][j][0] == pytest.approx(reference(causal, c_tok, encs[0]), abs=1e-5)
    finally:
        causal.softmax_dtype = "float32"


@pytest.mark.parametrize("method", ["choices", "rolling", "generate"])
def test_bit_identical_at_batch_sizes_1_4_16_auto(causal, method):
    runs = []
    for bs in (1, 4, 16, "auto"):
        causal.batch_size = bs
        if method == "choices":
            runs.append(dict(causal.score_choices(ITEMS * 2)))
        elif method == "rolling":
            runs.append(dict(causal.score_rolling(TEXTS)))
        else:
            runs.append(dict(causal.generate(TEXTS[1:], until=["\n"], max_gen_toks=6)))
    causal.batch_size = "auto"
    assert all(r == runs[0] for r in runs[1:])  # exact equality, not approx
    assert len(runs[0]) == {"choices": 8, "rolling": 6, "generate": 5}[method]


def test_rolling_sums_windows_beyond_max_length(tok):
    from aimm_nlp.evaluation import wrap_model
    from aimm_nlp.testing import tiny_causal_lm

    model = tiny_causal_lm(tok, seed=1)
    short = wrap_model(model, tok, max_length=8)
    text = TEXTS[5]
    assert len(short.encode(text)) > 16  # several windows
    total = dict(short.score_rolling([text]))[0]
    tokens = short.encode(text)
    expected = sum(reference(short, c, p) for c, p in rolling_windows(tokens, short.prefix, 8))
    assert total == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("item", [("salam", [" a", ""]), ("", ["", " b"])])
def test_empty_continuation_is_a_data_error(causal, item):
    from aimm_nlp.errors import DataError

    with pytest.raises(DataError, match="has no tokens"):
        list(causal.score_choices([item]))


def test_stop_strings_end_rows_early_with_the_same_cut_text(causal):
    from aimm_nlp.evaluation.backends.causal import cut_at_stops

    prompts = ["English: Hello.\nDarija:", "wach nta mzyan?", "ⴰⵣⵓⵍ", ""]
    full = dict(causal.generate(prompts, until=[], max_gen_toks=24))
    stop = full[0][len(full[0]) // 2]  # a character the model really produces
    cut = dict(causal.generate(prompts, until=[stop], max_gen_toks=24))
    assert cut == {i: cut_at_stops(text, [stop]) for i, text in full.items()}
    assert len(cut[0]) < len(full[0])
