"""Metrics on hand-computed cases, in real Moroccan text."""

from __future__ import annotations

import math

import numpy as np
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


@pytest.mark.parametrize(
    ("choices", "lls", "gold", "acc_norm", "acc_bytes"),
    [
        # Arabic letters are 2 UTF-8 bytes, "!" is 1: per char -1.0 vs -0.917 (choice 1 wins),
        # per byte -4/8 = -0.5 vs -5.5/10 = -0.55 (choice 0 wins)
        (["واخا", "واخا!!"], [-4.0, -5.5], 0, 0.0, 1.0),
        (["واخا", "واخا!!"], [-4.0, -5.5], 1, 1.0, 0.0),
        # 😂 is 1 char, 4 bytes: per char -7.5/7 = -1.071 vs -5.2/5 = -1.04; per byte -0.5 vs -0.52
        (["مزيان 😂", "مزيان"], [-7.5, -5.2], 0, 0.0, 1.0),
        # Arabizi digits/Latin are 1 byte: per char -0.75 vs -1.25; per byte -0.75 vs -5/8 = -0.625
        (["3lik", "عليك"], [-3.0, -5.0], 1, 0.0, 1.0),
        # Tifinagh letters are 3 bytes: per char -1.25 vs -1.0; per byte -5/12 = -0.417 vs -0.5
        (["ⴰⵣⵓⵍ", "سلام"], [-5.0, -4.0], 0, 0.0, 1.0),
        # with the delimiter space the harness adds (1 byte): 6 chars/11 bytes vs 3 chars/5 bytes;
        # per char -1.0 vs -0.95, per byte -0.545 vs -0.57
        ([" مزيان", " لا"], [-6.0, -2.85], 0, 0.0, 1.0),
        (["a"], [-9.0], 0, 1.0, 1.0),  # one choice: always right
    ],
)
def test_acc_bytes_divides_by_utf8_bytes_not_characters(choices, lls, gold, acc_norm, acc_bytes):
    item = {"lls": lls, "choices": choices, "gold": gold}
    assert METRICS["acc_norm"].item_value(item) == acc_norm
    assert METRICS["acc_bytes"].item_value(item) == acc_bytes
    assert METRICS["acc_bytes"].aggregate([item, item]) == acc_bytes


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


@pytest.mark.parametrize(
    ("golds", "preds", "expected"),
    [
        # "neu" is predicted but never gold: it is a class with F1 0 -> (1 + 0 + 0) / 3
        (["pos", "neg"], ["pos", "neu"], 1 / 3),
        # neg F1 = 2*1/(2*1+0+1) = 2/3, pos 1, neu 0 -> 5/9 (gold labels only would give 5/6)
        (["neg", "neg", "pos"], ["neg", "neu", "pos"], 5 / 9),
        # langid: fra_Latn predicted once, never gold -> (1 + 2/3 + 1 + 0) / 4
        (
            ["ary_Arab", "ary_Latn", "ary_Latn", "zgh_Tfng"],
            ["ary_Arab", "fra_Latn", "ary_Latn", "zgh_Tfng"],
            2 / 3,
        ),
        # a gold label never predicted counts too: pos 2/(2+1) = 2/3, neg 0
        (["pos", "neg"], ["pos", "pos"], 1 / 3),
        (["سلبي", "إيجابي"], ["سلبي", "إيجابي"], 1.0),
        (["pos"], ["neg"], 0.0),
    ],
)
def test_macro_f1_averages_over_gold_and_predicted_labels(golds, preds, expected):
    assert macro_f1(golds, preds) == pytest.approx(expected)


def test_f1_metric_counts_a_predicted_choice_absent_from_gold():
    # argmax picks choice 0 (gold 0) and choice 2 (gold 1): classes 0 -> 1, 1 -> 0, 2 -> 0
    items = [
        {"lls": [-1.0, -2.0, -3.0], "gold": 0, "choices": ["a", "b", "c"]},
        {"lls": [-3.0, -2.0, -1.0], "gold": 1, "choices": ["a", "b", "c"]},
    ]
    assert METRICS["f1"].aggregate(items) == pytest.approx(1 / 3)
    assert math.isnan(macro_f1([], []))


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


def _acc_items() -> list[dict]:
    # 30 items, 19 right, in an irregular order so the resampled means spread over many values
    right = [int(c) for c in "110111010011101101111001101010"]
    return [{"lls": [0.0, -1.0], "gold": 1 - r, "choices": ["a", "b"]} for r in right]


def test_bootstrap_ci_is_the_central_95_percent_of_the_seeded_draws():
    items = _acc_items()
    n = len(items)
    # the draws bootstrap_ci documents: numpy default_rng(seed), iters x n indices
    draws = np.random.default_rng(7).integers(0, n, size=(500, n))
    values = np.array([METRICS["acc"].item_value(i) for i in items])
    stats = values[draws].mean(axis=1)
    expected95 = np.percentile(stats, [2.5, 97.5])
    expected90 = np.percentile(stats, [5.0, 95.0])
    assert not np.allclose(expected95, expected90)  # so a 90 % interval cannot pass for a 95 % one
    assert bootstrap_ci(METRICS["acc"], items, iters=500, seed=7) == pytest.approx(tuple(expected95))
    assert bootstrap_ci(METRICS["acc"], items, iters=500, seed=7, alpha=0.1) == pytest.approx(
        tuple(expected90)
    )


def test_bootstrap_ci_of_a_corpus_metric_uses_every_draw_and_95_percent():
    items = _acc_items()
    n = len(items)
    draws = np.random.default_rng(3).integers(0, n, size=(1000, n))  # from summed per-label counts
    stats = np.array([METRICS["f1"].aggregate([items[j] for j in row]) for row in draws])
    expected95 = np.percentile(stats, [2.5, 97.5])
    assert not np.allclose(expected95, np.percentile(stats, [5.0, 95.0]))
    assert bootstrap_ci(METRICS["f1"], items, iters=1000, seed=3) == pytest.approx(tuple(expected95))


@pytest.mark.parametrize("metric", ["acc_norm", "acc_bytes"])
def test_length_normalised_accuracy_takes_an_empty_choice(metric: str) -> None:
    """An empty choice keeps its raw log-likelihood (no division by zero)."""
    item = {"lls": [-6.0, -0.5], "choices": ["واش", ""], "gold": 1}
    assert METRICS[metric].item_value(item) == 1.0
