"""Per-item log-likelihoods equal lm-eval's HFLM on the same tiny model.

lm-eval comes with the ``bench`` extra: the test skips locally without it and fails under ``CI=true``.
"""

from __future__ import annotations

import pytest

from ci_support import require

ITEMS = [
    ("سلام لاباس عليك؟", [" مزيان", " ماشي مزيان بزاف 😂", " A"]),
    ("salam, wach", [" nta mzyaaaan?", " labas", " ⴰⵣⵓⵍ"]),
    ("Question: شنو هي العاصمة؟\nA. الرباط\nB. فاس\nAnswer: ", ["A", "B"]),
    ("", [" A", "ok"]),
]
TEXTS = ["a", "salam labas 3lik? ana mzyaaaaan 😂", "واش نتا مزيااااان؟ الحمد لله", "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ " * 5]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_loglikelihoods_match_lm_eval_hflm(tok, dtype):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from aimm_nlp.evaluation import wrap_model
    from aimm_nlp.testing import tiny_causal_lm

    model = tiny_causal_lm(tok, seed=3)
    ours = wrap_model(model, tok, max_length=64, softmax_dtype=dtype)
    ref = HFLM(
        pretrained=model, tokenizer=tok, batch_size=4, max_length=64, device="cpu", softmax_dtype=dtype
    )
    reqs = [
        Instance(request_type="loglikelihood", doc={}, arguments=(ctx, cont), idx=j)
        for ctx, conts in ITEMS
        for j, cont in enumerate(conts)
    ]
    theirs = iter(ref.loglikelihood(reqs, disable_tqdm=True))
    mine = dict(ours.score_choices(ITEMS))
    tol = 1e-5 if dtype == "float64" else 1e-4  # float32 sums of ~50 tokens round at ~1e-5
    for i, (_, conts) in enumerate(ITEMS):
        for j in range(len(conts)):
            ll, greedy = next(theirs)
            assert mine[i][j][0] == pytest.approx(ll, abs=tol)
            assert mine[i][j][1] == greedy
    rolling = [Instance(request_type="loglikelihood_rolling", doc={}, arguments=(t,), idx=0) for t in TEXTS]
    theirs = ref.loglikelihood_rolling(rolling, disable_tqdm=True)
    mine = dict(ours.score_rolling(TEXTS))
    for i, ll in enumerate(theirs):
        assert mine[i] == pytest.approx(ll, abs=tol)
