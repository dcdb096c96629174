"""Metrics on hand-computed cases, in real Moroccan text."""

from __future__ import annotations

import math

import pytest

from aimm_nlp.evaluation.metrics import METRICS, bootstrap_ci, edit_distance, macro_f1


def test_acc_and_acc_norm_by_characters_and_bytes():
    # "مزيان" is 5 chars / 10 bytes, "ok" 2 chars / 2 bytes: normalising changes the winner
    item = {"lls": [-4.0, -3.0], "choices": ["مزيان", "ok"], "gold": 0}
    assert METRICS["acc"].item_value(item) == 0.0  # raw: -3 > -4
    assert METRICS["acc_norm"].item_value(item) == 1.0  # -0.8 per char > -1.5
    assert METRICS["acc_bytes"].item_value(item) == 1.0  # -0.4 per byte > -1.5
    tie = {"lls": [-1.0, -1.0], "choices": ["a", "b"], "gold": 0}
    assert METRICS["acc"].item_value(tie) == 1.0  # first maximum, as numpy.argmax


def test_perplexity_family_hand_computed():
    items = [
        {"ll": -8 * math.log(2), "bytes": 4, "chars": 2, "words": 1},
        {"ll": -0.0, "bytes": 4, "chars": 2, "words": 1},
    ]
    assert METRICS["bits_per_byte"].aggregate(items) == pytest.approx(1.0)
    assert METRICS["bits_per_char"].aggregate(items) == pytest.approx(2.0)
    assert METRICS["byte_perplexity"].aggregate(items) == pytest.approx(2.0)
    assert METRICS["word_perplexity"].aggregate(items) == pytest.approx(16.0)


@pytest.mark.parametrize(
    ("pred", "ref", "dist"),
    [
        ("", "", 0),
        ("a", "", 1),
        ("salam", "slam", 1),
        ("mzyaaaan", "mzyan", 3),  # elongation
        ("واش", "واش", 0),
        ("ⴰⵣⵓⵍ", "ⴰⵣⵍ", 1),
        ("😂😂", "😂", 1),
    ],
)
def test_edit_distance_table(pred, ref, dist):
    assert edit_distance(pred, ref) == dist


def test_cer_wer_are_corpus_level():
    items = [{"pred": "salam labas", "ref": "slam labas"}, {"pred": "واش نتا", "ref": "واش نتا"}]
    assert METRICS["cer"].aggregate(items) == pytest.approx(1 / 17)
    assert METRICS["wer"].aggregate(items) == pytest.approx(1 / 4)


def test_macro_f1_and_exact_match():
    assert macro_f1(["pos", "neg", "neg"], ["pos", "neg", "pos"]) == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert METRICS["exact_match"].item_value({"pred": " مزيان ", "ref": "مزيان"}) == 1.0


def test_seqeval_on_pos_tags_and_token_acc():
    items = [{"pred": ["NOUN", "V", "PREP"], "ref": ["NOUN", "V", "NOUN"]}]
    assert METRICS["token_acc"].aggregate(items) == pytest.approx(2 / 3)
    assert METRICS["seqeval_f1"].aggregate(items) == pytest.approx(2 / 3)


def test_sacrebleu_perfect_and_chrf_direction():
    items = [{"pred": "الجو زوين اليوم فالرباط", "ref": "الجو زوين اليوم فالرباط"}]
    assert METRICS["bleu"].aggregate(items) == pytest.approx(100.0)
    assert METRICS["chrf"].aggregate(items) == pytest.approx(100.0)
    assert METRICS["ter"].higher_is_better is False


def test_bootstrap_ci_brackets_the_mean_and_is_seeded():
    items = [{"lls": [0.0, -1.0], "gold": i % 2, "choices": ["a", "b"]} for i in range(40)]
    lo, hi = bootstrap_ci(METRICS["acc"], items, iters=500, seed=1)
    assert lo < 0.5 < hi
    assert bootstrap_ci(METRICS["acc"], items, iters=500, seed=1) == (lo, hi)
    assert bootstrap_ci(METRICS["acc"], items[:1]) is None
