"""Bootstrap intervals from per-item sufficient statistics equal the intervals of recomputing the
metric on every resample (same seed, same draws), on real Moroccan items."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from aimm_nlp.evaluation.metrics import METRICS, _draws, _recomputed, _summed, bootstrap_ci

EDGE = [  # "", one char, emoji, elongation, Tifinagh, code-switching
    {"pred": "", "ref": "واش"},
    {"pred": "ⴰ", "ref": "ⴰⵣⵓⵍ"},
    {"pred": "😂", "ref": "😂"},
    {"pred": "بزاااااف", "ref": "بزاف"},
    {"pred": "salam خويا", "ref": "سلام خويا"},
]
INT_METRICS = ["cer", "wer", "chrf", "bleu", "f1", "token_acc"]  # integer statistics: exactly equal
FLOAT_METRICS = ["ter", "bits_per_byte", "bits_per_char", "byte_perplexity", "word_perplexity", "perplexity"]


@pytest.fixture(scope="module")
def items(shared) -> dict[str, list[dict]]:
    """Per metric family, 120 real items: DODa Arabizi transliterated by aimm vs the Arabic-script
    reference; sentiment gold labels with a deterministic imperfect prediction; POS tags; and
    log-likelihoods proportional to real text lengths."""
    from aimm_nlp._paths import mini_root
    from aimm_nlp.text import transliterate

    with open(shared / "data" / "doda" / "sentences.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:115]
    text = [
        {"pred": transliterate(r["darija_latin"], src="ary_Latn", dst="ary_Arab"), "ref": r["darija_arabic"]}
        for r in rows
    ] + EDGE
    with open(mini_root() / "sentiment.tsv", encoding="utf-8", newline="") as fh:
        sent = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:120]
    labels = ["negative", "neutral", "positive"]
    clf = [{"gold": r["label"], "pred": labels[len(r["text"]) % 3]} for r in sent]
    with open(mini_root() / "pos.tsv", encoding="utf-8", newline="") as fh:
        pos = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:120]
    tags = [{"ref": r["tags"].split(), "pred": r["tags"].split()[::-1]} for r in pos]
    ll = [
        {"ll": -0.9 * len(t["ref"]) - 0.01 * k, "bytes": len(t["ref"].encode()), "chars": len(t["ref"]),
         "words": len(t["ref"].split()), "lls": [-0.5 * len(t["ref"]) - 1.0]}
        for k, t in enumerate(text) if t["ref"]
    ]  # fmt: skip
    return {"text": text, "clf": clf, "tags": tags, "ll": ll}


def _items_for(metric: str, items: dict) -> list[dict]:
    if metric == "f1":
        return items["clf"]
    if metric == "token_acc":
        return items["tags"]
    if metric in ("cer", "wer", "chrf", "bleu", "ter"):
        return items["text"]
    return items["ll"]


@pytest.mark.parametrize("metric", INT_METRICS + FLOAT_METRICS)
def test_summed_statistics_equal_the_recomputed_metric_on_every_draw(metric, items):
    m, its = METRICS[metric], _items_for(metric, items)
    fast = _summed(m, its, _draws(np.random.default_rng(5), len(its), 150))
    slow = _recomputed(m, its, _draws(np.random.default_rng(5), len(its), 150))
    assert len(fast) == len(slow) == 150 and np.unique(slow).size > 10  # the draws do differ
    if metric in INT_METRICS:
        assert fast.tolist() == slow.tolist()
    else:
        np.testing.assert_allclose(fast, slow, rtol=1e-12)
    # and with every item: the metric itself
    table, finish = m.stats(its)
    assert finish(np.asarray(table).reshape(len(its), -1).sum(axis=0)) == pytest.approx(
        m.aggregate(its), rel=1e-12
    )


@pytest.mark.parametrize("metric", ["cer", "chrf", "f1"])
def test_interval_is_the_recomputed_interval_over_all_draws(metric, items):
    """All ``iters`` draws count (the recompute-per-draw path was capped at 200)."""
    m, its = METRICS[metric], _items_for(metric, items)
    draws = np.random.default_rng(11).integers(0, len(its), size=(400, len(its)))
    slow = np.array([m.aggregate([its[j] for j in row]) for row in draws])
    expected = np.percentile(slow, [2.5, 97.5])
    assert not np.allclose(expected, np.percentile(slow[:200], [2.5, 97.5]))  # 200 draws would differ
    assert bootstrap_ci(m, its, iters=400, seed=11) == pytest.approx(tuple(expected), rel=1e-12)


def test_draws_made_in_blocks_are_the_documented_draws():
    """n = 1500 items: blocks of 699 rows; the interval is that of one (iters, n) draw."""
    values = np.array([(k * 7919) % 13 / 13 for k in range(1500)])
    its = [{"pred": 1 if v > 0.5 else 0, "gold": 1} for v in values]
    draws = np.random.default_rng(2).integers(0, 1500, size=(2000, 1500))
    acc = np.array([float(i["pred"] == i["gold"]) for i in its])
    expected = np.percentile(acc[draws].mean(axis=1), [2.5, 97.5])
    assert sum(1 for _ in _draws(np.random.default_rng(2), 1500, 2000)) == 3
    assert bootstrap_ci(METRICS["acc"], its, iters=2000, seed=2) == pytest.approx(tuple(expected), rel=1e-12)


def test_seqeval_keeps_recomputing_with_at_most_200_draws(items):
    its = [{"ref": t["ref"], "pred": t["pred"]} for t in items["tags"][:60]]
    draws = np.random.default_rng(3).integers(0, len(its), size=(200, len(its)))
    stats = np.array([METRICS["seqeval_f1"].aggregate([its[j] for j in row]) for row in draws])
    expected = np.percentile(stats, [2.5, 97.5])
    assert bootstrap_ci(METRICS["seqeval_f1"], its, iters=1000, seed=3) == pytest.approx(tuple(expected))
