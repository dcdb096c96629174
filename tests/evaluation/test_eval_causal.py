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


@pytest.mark.parametrize(
    ("row", "token"),
    [
        ([0.1, 0.5, 0.2], 1),  # the max
        ([0.1, 0.5, 0.2], 2),  # not the max
        ([0.5, 0.5, 0.2], 0),  # tie, first index: argmax
        ([0.5, 0.5, 0.2], 1),  # tie, later index: not argmax (lm-eval's argmax returns 0)
        ([0.2, 0.5, 0.5, 0.5], 3),  # three-way tie, last
        ([-1.0], 0),  # one-entry vocabulary
        ([float("-inf"), -3.0, float("-inf")], 1),  # masked logits
        ([float("-inf"), float("-inf")], 1),  # all -inf: argmax is 0
    ],
)
def test_greedy_check_equals_argmax(row, token):
    """The amax-based greedy flag (5x cheaper than argmax on a 128k vocabulary) is argmax == token."""
    from aimm_nlp.evaluation.backends._shapes import _first_max, _is_argmax

    lp = torch.tensor([row])
    expected = bool(lp.argmax(-1)[0] == token)
    assert _first_max(lp[0], token, lp.amax(-1)[0]) is expected
    tok = torch.tensor([token])
    assert bool(_is_argmax(lp, tok, lp.gather(-1, tok[:, None]).squeeze(-1))[0]) is expected


def test_greedy_check_matches_argmax_on_random_rows_with_ties():
    gen = torch.Generator().manual_seed(0)
    lp = torch.randint(0, 4, (64, 50), generator=gen).float()  # many ties
    tokens = torch.randint(0, 50, (64,), generator=gen)
    got = lp.gather(-1, tokens[:, None]).squeeze(-1)
    from aimm_nlp.evaluation.backends._shapes import _is_argmax

    assert torch.equal(_is_argmax(lp, tokens, got), lp.argmax(-1) == tokens)
