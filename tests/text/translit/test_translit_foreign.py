"""The keep-foreign detector's batch paths (numpy, compiled) give the per-word verdicts and scores exactly.

About internals: the private ``aimm_nlp.text.translit._foreign`` detector and ``_ngram_np`` models."""

from __future__ import annotations

import csv
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aimm_nlp.text.translit import _foreign, _ngram_np
from aimm_nlp.text.translit._foreign import ForeignDetector, WordEvidence, _round4
from aimm_nlp.text.translit._model import default_model
from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables, train_ngram
from aimm_nlp.text.translit._ngram_np import HashedNgrams

# numba is a required dependency: the compiled kernel is tested (and its absence fails) unless
# AIMM_NO_JIT turns it off on purpose.
NO_JIT = bool(os.environ.get("AIMM_NO_JIT"))
needs_jit = pytest.mark.skipif(NO_JIT, reason="AIMM_NO_JIT is set: the compiled kernel is off on purpose")


def _require_jit() -> None:
    assert _ngram_np._load_jit() is not False, (
        "the compiled keep-foreign kernel did not load: numba is a required dependency "
        "(set AIMM_NO_JIT=1 to test the numpy path alone)"
    )


@needs_jit
def test_compiled_kernel_loads() -> None:
    _require_jit()


@pytest.fixture(scope="module")
def foreign() -> ForeignDetector:
    return default_model().foreign


@pytest.fixture(scope="module")
def real_words(shared: Path) -> list[str]:
    """DODa Latin words (evaluation use) and AfriSenti Arabizi tweet words, a few thousand distinct ones."""
    with open(shared / "data/doda/words_translit.tsv", encoding="utf-8", newline="") as fh:
        doda = [r["latin"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with open(shared / "data/afrisenti_ma/train.tsv", encoding="utf-8", newline="") as fh:
        tweets = [
            t for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) for t in r["tweet"].split()
        ]
    rng = random.Random(5)
    words = rng.sample(sorted(set(doda)), 3000) + rng.sample(sorted(set(tweets)), 3000)
    return list(dict.fromkeys(words))


def _walk(lm: NgramTables, word: str) -> list[float]:
    """``NgramTables.score`` at every position of ``word + EOS`` after ``BOS``."""
    out, ctx = [], BOS
    for ch in word + EOS:
        out.append(lm.score(ctx, ch))
        ctx = (ctx + ch)[-(lm.order - 1) :]
    return out


def _expected_totals(a: NgramTables, b: NgramTables, words: list[str]) -> list[float]:
    totals = []
    for w in words:
        total = 0.0
        for x, y in zip(_walk(a, w), _walk(b, w), strict=True):
            total += x - y  # the order ForeignDetector.llr adds them in
        totals.append(total)
    return totals


@pytest.mark.parametrize("path", ["compiled", "numpy", "python"])
def test_batches_match_the_word_walk_on_real_words(
    foreign: ForeignDetector, real_words: list[str], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """decide_many / foreign_flags on ~6,000 real words: the evidence and rounded scores of decide()."""
    if path == "python":  # a small job before numpy is loaded
        monkeypatch.setattr(_foreign, "_numpy_pays", lambda words: False)
        monkeypatch.setattr(foreign, "_batch", None)  # the numpy batch is never reached
        monkeypatch.setattr(foreign, "_ratio_array", None)
    elif path == "compiled":
        if NO_JIT:
            pytest.skip("AIMM_NO_JIT is set: the compiled kernel is off on purpose")
        _require_jit()
    else:
        monkeypatch.setenv("AIMM_NO_JIT", "1")
    expected = [foreign._decide(w) for w in real_words]
    scored = sum(e.reason in ("default", "char_ngram", "foreign_suffix") and e.score != 0.0 for e in expected)
    assert len(real_words) > 5000 and scored > 2500
    assert foreign.decide_many(real_words) == expected
    assert foreign.foreign_flags(real_words) == [e.foreign for e in expected]
    lowered = [w.lower() for w in real_words if w.isalpha() and len(w) >= foreign.min_len]
    assert len(lowered) >= _ngram_np.JIT_MIN
    ratios = foreign._ratios(lowered)
    assert ratios == [foreign.llr(w) for w in lowered]
    assert all(type(r) is float for r in ratios)


# Words each check of _lexical catches in its own way: case (a final sigma, a lowercase that is longer,
# the Kelvin sign), curly and straight apostrophes, accents in and beyond Latin-1, digits on either
# side of a letter or between digits only, lexicon words in capitals, the empty word, a NUL.
EDGE = [
    "", "a", "3afak", "m3a", "2024", "10h", "x2", "2x", "k7", "K7", "\u212a7", "ΟΔΟΣ", "Σ", "ΑΣ ",
    "İstanbul", "l’école", "L'ECOLE", "l'", "'merci", "réunion", "ŒUVRE", "naïf", "ÿ", "formation",
    "weekend", "MERCI", "Bonjour", "bghit", "LA", "la", "ma", "men", "3la", "bzaaaaf", "rendez-vous",
    "gestion", "khouya", "mzyan", "tkhSiS", "😂😂", "ok", "hhhhhhhhhhhhhhhhhhhh", "a\x00b", "d\u0301ej",
]  # fmt: skip


@pytest.mark.parametrize("nul", [False, True])
def test_batch_lexical_checks_match_word_by_word(foreign: ForeignDetector, nul: bool) -> None:
    words = [w for w in EDGE if nul or "\x00" not in w] * 3  # past the batch cut-off
    expected = [foreign._decide(w) for w in words]
    assert len(words) >= 64
    assert foreign.decide_many(words) == expected
    assert foreign.foreign_flags(words) == [e.foreign for e in expected]
    reasons = {e.reason for e in expected}
    assert {"arabizi_digit", "darija_lexicon", "accent", "foreign_lexicon", "default"} <= reasons


@needs_jit
def test_compiled_and_numpy_totals_are_the_same_floats(
    foreign: ForeignDetector, real_words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _require_jit()
    scorer = HashedNgrams(foreign.foreign_lm, foreign.arabizi_lm)
    words = [w.lower() for w in real_words]
    fast = scorer.diff_totals(words).tolist()
    monkeypatch.setenv("AIMM_NO_JIT", "1")
    assert scorer.diff_totals(words).tolist() == fast
    assert fast == _expected_totals(foreign.foreign_lm, foreign.arabizi_lm, words)
    per_model = scorer.score_words(words)  # the per-model totals (summed in another order): close
    np.testing.assert_allclose(fast, per_model[0] - per_model[1], atol=1e-9)


@pytest.mark.parametrize("jit_min", [0, 10**9])
def test_small_models_and_odd_words(jit_min: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown letters (the floor), emoji beyond the BMP, the empty word, words longer than the order."""
    monkeypatch.setattr(_ngram_np, "JIT_MIN", jit_min)
    a = train_ngram([("salam", 2.0), ("sahbi", 1.0), ("bslama", 1.0)], order=3)
    b = train_ngram([("merci", 2.0), ("salut", 1.0), ("bonjour", 1.0)], order=3)
    words = [
        "",
        "s",
        "sa",
        "salam",
        "zzz",
        "bonjour😂",
        "😂",
        "ssssssssssssssssssssssss",
        "\x00x",
        "ab\udc80",
    ]
    scorer = HashedNgrams(a, b)
    assert scorer.diff_totals(words).tolist() == _expected_totals(a, b, words)
    assert scorer.diff_totals([]).shape == (0,)
    with pytest.raises(ValueError, match="two models"):
        HashedNgrams(a, b, a).diff_totals(words)


def test_no_jit_env_keeps_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMM_NO_JIT", "1")
    assert _ngram_np._load_jit() is False


def test_round4_is_round() -> None:
    rng = np.random.default_rng(3)
    ties = np.arange(-30_000, 30_000) / 2e4  # every 4-decimal tie in [-1.5, 1.5) and its neighbours
    values = np.concatenate(
        [
            ties,
            np.nextafter(ties, np.inf),
            np.nextafter(ties, -np.inf),
            rng.normal(0.0, 3.0, 20_000),
            rng.integers(-90_000, 90_000, 5_000) / 6.0,  # sums of 4-decimal numbers over a word length
            [0.0, -0.0, -1e-9, 1e-9, 0.00005, -0.00005, 1e15, -1e300, math.inf, -math.inf],
        ]
    )
    got = _round4(values).tolist()
    want = [round(v, 4) for v in values.tolist()]
    assert [math.copysign(1.0, g) for g in got] == [math.copysign(1.0, w) for w in want]
    assert got == want
    assert math.isnan(_round4(np.array([math.nan]))[0])


def test_one_off_batches_do_not_load_numba() -> None:
    code = (
        "import sys; from aimm_nlp.text.translit._model import default_model;"
        "f = default_model().foreign;"
        "f.foreign_flags(['weekend%d' % i for i in range(200)] + ['réunion', '3afak']);"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_small_phonetic_jobs_do_not_load_numpy() -> None:
    """Below _PYTHON_MAX words keep-foreign scores in Python until numpy is loaded: a small phonetic
    job (numpy's import alone costs more than its whole run) never imports it, in context lines too."""
    code = (
        "import sys; from aimm_nlp.text.translit import Transliterator;"
        "t = Transliterator(src='ary_Latn', dst='ary_Arab', phonetic=True);"
        "lines = ['envoyer la documentation ghda %d' % i for i in range(100)] + ['3afak sift liya', 'merci bzaaaaf 😂', ''];"
        "out = t.batch(lines);"
        "print('numpy' in sys.modules, out[0], out[-2])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1) == ["False", "envoyer la documentation غدا 0 merci بزاف 😂\n"]


@pytest.mark.usefixtures("without_native")
@needs_jit
def test_numba_is_loaded_for_keep_foreign_only_after_jit_after_words() -> None:
    # Batches big enough for the compiled kernel stay in numpy until numpy has scored JIT_AFTER words
    # (loading numba costs about as much); every batch gives the per-word verdicts either way.
    code = """
import sys
from aimm_nlp.text.translit import _foreign as F, _ngram_np as N
from aimm_nlp.text.translit._model import default_model
N.JIT_AFTER = 1000
F._PYTHON_MAX = 1  # numpy from the first batch (see the test below)
f = default_model().foreign
syllables = ('ka', 'ri', 'mo', 'tu', 'le', 'sa', 'bi', 'no', 'de', 'fa')
made = [a + b + c + d for a in syllables for b in syllables for c in syllables for d in syllables]
seen = []
for k in range(4):
    words = made[450 * k : 450 * (k + 1)]  # new letters-only words: each needs a ratio
    assert f.foreign_flags(words) == [f.decide(w).foreign for w in words]
    seen.append('numba' in sys.modules)
print(seen, N._jit is not None and N._jit is not False)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # 450 words a batch: numpy for the first three (1,350 words by then), numba loaded for the fourth
    assert out.strip() == "[False, False, False, True] True"


@pytest.mark.usefixtures("without_native")
def test_small_batches_move_to_numpy_once_they_add_up() -> None:
    # A long job in small batches: scored in Python until the words of the process reach _PYTHON_MAX,
    # then in numpy (its import repaid); every batch gives the per-word verdicts either way.
    code = """
import sys
from aimm_nlp.text.translit import _foreign as F
from aimm_nlp.text.translit._model import default_model
F._PYTHON_MAX = 1000
f = default_model().foreign
syllables = ('ka', 'ri', 'mo', 'tu', 'le', 'sa', 'bi', 'no', 'de', 'fa')
made = [a + b + c + d for a in syllables for b in syllables for c in syllables for d in syllables]
seen = []
for k in range(4):
    words = made[450 * k : 450 * (k + 1)]
    assert f.foreign_flags(words) == [f.decide(w).foreign for w in words]
    seen.append('numpy' in sys.modules)
print(seen)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[False, False, True, True]"


# Keep-foreign: a French suffix alone does not make a word foreign; the char models must lean foreign too. (found by a mutation run)
# Darija-fied French loans (article l- glued on), outside both lexicons, ending in a listed suffix
SUFFIXED = ["lmoteur", "lpolitique", "lmoment"]


@pytest.fixture(scope="module")
def neutral() -> ForeignDetector:
    # the same model on both sides: every log-likelihood ratio is exactly 0.0
    lm = train_ngram([("ghadi nbeddel lmoteur", 1.0), ("lpolitique dyal lmoment", 1.0)], order=3)
    return ForeignDetector(lm, lm, set())


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        *[(w, WordEvidence(False, "default", 0.0)) for w in SUFFIXED],
        ("lkhedma", WordEvidence(False, "default", 0.0)),  # no suffix: same verdict
        ("réunion", WordEvidence(True, "accent")),  # lexical evidence does not need the models
        ("3afak", WordEvidence(False, "arabizi_digit")),
        ("7na", WordEvidence(False, "arabizi_digit")),
        ("", WordEvidence(False, "default")),
    ],
)
def test_suffix_needs_a_positive_ratio(neutral: ForeignDetector, word: str, expected: WordEvidence) -> None:
    assert neutral.decide(word) == expected


def test_suffix_needs_a_positive_ratio_in_batches(neutral: ForeignDetector) -> None:
    words = [*SUFFIXED, "lkhedma", "réunion"]
    assert neutral.foreign_flags(words) == [False, False, False, False, True]
    assert [e.foreign for e in neutral.decide_many(words)] == [False, False, False, False, True]
    many = words * 13  # 65 words: the numpy batch path
    assert neutral.foreign_flags(many) == [False, False, False, False, True] * 13
    assert [e.reason for e in neutral.decide_many(many)] == [*["default"] * 4, "accent"] * 13


def _every_position(scorer: HashedNgrams, words: list[str]) -> np.ndarray:
    """``_positions``' scores computed at every position, none shared."""
    seqs = [BOS + w + EOS for w in words]
    codes = np.frombuffer("".join(seqs).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.array([len(s) for s in seqs])
    span = np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths) + 1
    return scorer._scores_at(codes, span, np.arange(len(codes)))


@pytest.mark.parametrize(
    ("extra", "shared_scores"),
    [
        ([], True),
        (["bonjour😂"], False),  # beyond U+FFFF: every position is scored
        (["\x00x"], False),  # U+0000 would read as "no symbol" in the packed n-gram
    ],
)
def test_each_distinct_ngram_scored_once_gives_the_same_floats(
    foreign: ForeignDetector,
    real_words: list[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    shared_scores: bool,
) -> None:
    monkeypatch.setattr(_ngram_np, "JIT_MIN", 10**9)  # numpy
    scorer = HashedNgrams(foreign.foreign_lm, foreign.arabizi_lm)
    bmp = [w.lower() for w in real_words if all(0 < ord(c) < 0x10000 for c in w)]  # tweets hold emoji
    words = bmp * 2 + ["", "a", "bzzzzzzaaaaaf", "réunion", "ⴰⵣⵓⵍ", *extra]
    scored: list[int] = []
    real = HashedNgrams._scores_at
    monkeypatch.setattr(
        HashedNgrams, "_scores_at", lambda self, c, s, at: scored.append(len(at)) or real(self, c, s, at)
    )
    total, _, lengths = scorer._positions(words)
    assert (
        scored[0] <= int(lengths.sum()) / 2
    ) is shared_scores  # every word twice: half the positions at most
    assert total.tobytes() == _every_position(scorer, words).tobytes()
    assert scorer.diff_totals(words).tolist() == _expected_totals(
        foreign.foreign_lm, foreign.arabizi_lm, words
    )


def test_models_above_order_4_score_every_position() -> None:
    a = train_ngram([("salamat", 2.0), ("sahbi", 1.0)], order=5)
    b = train_ngram([("merci", 2.0), ("bonjour", 1.0)], order=5)
    scorer = HashedNgrams(a, b)
    words = ["salamat", "bonjour", "sahbiiii", "", "m"] * 30
    assert scorer._positions(words)[0].tobytes() == _every_position(scorer, words).tobytes()
    assert scorer.diff_totals(words).tolist() == _expected_totals(a, b, words)
