"""The one-text path of ``identify(text)`` / ``dialectness(text)`` (``aimm_nlp.text.langid._fast``,
numpy, and ``_fast_jit``, the numba kernel) against the batch path (issue 19, speed item).

About internals: ``_fast`` cleans with one table gather and ``re``, looks words up in a per-model memo
and gathers weight rows once; ``_fast_kernel`` does it all in one compiled call. These tests compare
both (the ``path`` fixture: ``AIMM_LANGID_JIT=0`` / ``1``) with the sparse batch code of
``Model.predict_proba`` (a batch of several texts) on a table of texts in every script, on real lines
of the shared corpora, after the memo is emptied, and on models trained with other feature settings.
The kernel is compiled once per test process (numba's cache in the session's temporary folder).
"""

from __future__ import annotations

import math
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from aimm_nlp.text import dialectness, dialectness_batch, identify, identify_batch
from aimm_nlp.text.langid import _fast, _fast_jit, load_langid_model, train_langid
from aimm_nlp.text.langid._encode import prepare

PADS = ["wach nta mzyan", "هذا الكتاب مفيد جدا", "http://x.ma @u #t"]  # mates that switch masking on

# Every script, the cleaning rules (masks, digits, elongation, diacritics, tatweel, punctuation,
# characters above the BMP, control characters) and code-switching; "" and one character.
TEXTS = [
    "واش كاين شي حد فالدار؟ بغيت نهضر معاك",
    "أعلنت الحكومة عن خطة جديدة لدعم التعليم في المناطق القروية.",
    "salam 3likom, labas? ghadi nmchi l dar m3a sa7bi",
    "Je pense que c'est une bonne idée.",
    "The weather in Rabat is nice today",
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵉⴽ ⴰⵏⵏ ⵜⵍⵍⴰⵎ?",
    "Ad ruḥeɣ ɣer axxam ass-a.",
    "شفت le film ديال البارح, c'était vraiment زوين بزاف",
    "safi ghadi nmchi, je suis fatigué",
    "bzzzaaaf",
    "واااالو",
    "هههههههه واااااش بصااااح",
    "3afak 123 sir t3acha 2024 a2024b 12 x1",
    "http://x.com/a?b=1 @user_1 #tag_x salam www.site.ma",
    "HTTP://X.COM/A salam WWW.SITE.MA",
    "Https://a.b wach",
    "مَرْحَبًا بِكُمْ فِي الْمَغْرِبِ",
    "كيـــــف داير؟",
    "a \u064b b",
    "a \u064b( b",
    "\u064b\u064b\u064b",
    "ولاد 𝕏 𝐭𝐞𝐬𝐭 🙂🙂",
    "a\x00b",
    "http://x.ma/a\x00wach @u\x00ser bzzzaaaf",
    "lone \ud800 surrogate \udfff",
    "x\x1cy\u2028z",
    "ABC DEF ÉTÉ",
    "ديالو كيشير غيؤدي ماكانش كيستعملو نفسو دالمغرب فالمدينة كتاب",
    "x",
    "و",
    "ⵣ",
    "🙂",
    "",
    "  \t\n ",
    "2024",
    "!!!",
]


def _batch(model, texts: list[str]):
    probs, script, counts = model.predict_proba(texts + PADS)
    return probs[: len(texts)], script[: len(texts)], counts[: len(texts)].sum(axis=1)


def _assert_same(model, texts: list[str]) -> None:
    probs, script, letters = _batch(model, texts)
    for i, text in enumerate(texts):
        one, one_script, one_letters = model.predict_one(text)
        assert (one_script, one_letters) == (script[i], letters[i]), text
        assert np.abs(np.array(one) - probs[i]).max() < 1e-6, text
        assert int(np.argmax(one)) == int(np.argmax(probs[i])), text


@pytest.fixture(scope="module")
def model():
    return load_langid_model(None)


def _numpy_path_ran(*args, **kwargs):
    raise AssertionError("the numpy one-text path ran where the compiled kernel was forced")


@pytest.fixture(params=["numpy", "compiled"])
def path(request, monkeypatch, kernel) -> str:
    """Run the test on the numpy path, then on the compiled kernel (the numpy path then fails if called)."""
    if request.param == "numpy":
        monkeypatch.setenv(_fast_jit.VARIABLE, "0")
    else:
        monkeypatch.setenv(_fast_jit.VARIABLE, "1")
        monkeypatch.setattr(_fast, "predict_one", _numpy_path_ran)
        monkeypatch.setattr(_fast, "logits_one", _numpy_path_ran)
    return request.param


@pytest.mark.parametrize("text", TEXTS)
def test_clean_equals_prepare(text: str) -> None:
    codes, _ = prepare([text])
    assert _fast.clean(text) == "".join(map(chr, codes.tolist()))


@pytest.mark.parametrize("text", TEXTS)
def test_one_text_equals_the_batch_path(model, path: str, text: str) -> None:
    _assert_same(model, [text])
    one, batch = identify(text), identify_batch([text, *PADS])[0]
    assert (one.lang, one.mixed) == (batch.lang, batch.mixed)
    assert abs(one.score - batch.score) < 1e-6
    assert all(abs(one.scores[k] - batch.scores[k]) < 1e-6 for k in batch.scores)
    d_one, d_batch = dialectness(text), dialectness_batch([text, *PADS])[0]
    assert (math.isnan(d_one) and math.isnan(d_batch)) or abs(d_one - d_batch) < 1e-6


@pytest.mark.parametrize("calibrated", [True, False], ids=["calibrated", "raw"])
@pytest.mark.parametrize("priors", [None, {"arb_Arab": 0.7}], ids=["no_priors", "priors"])
def test_one_text_logits_equal_the_batch_path(
    model, path: str, calibrated: bool, priors: dict | None
) -> None:
    # Model.logits of one text (dialectness(text), tag_words) runs _fast.logits_one.
    from aimm_nlp.text.langid._priors import prior_shift

    shift = prior_shift(model, priors)
    logits, script, counts = model.logits(TEXTS + PADS, shift, calibrated=calibrated)
    for i, text in enumerate(TEXTS):
        one, one_script, one_counts = model.logits([text], shift, calibrated=calibrated)
        assert one.shape == (1, len(model.labels)) and np.abs(one[0] - logits[i]).max() < 1e-9, text
        assert (one_script[0], one_counts[0].tolist()) == (script[i], counts[i].tolist()), text


def test_one_text_after_the_word_memo_is_emptied(model, monkeypatch) -> None:
    monkeypatch.setenv(_fast_jit.VARIABLE, "0")
    # A fresh word memo of at most 3 entries (beyond: emptied before the next text's new words).
    monkeypatch.setattr(_fast, "_MEMO_SIZE", 3)
    monkeypatch.setitem(model.__dict__, "_one_text", _fast._OneText(model))
    longest = max(len(t.split()) for t in TEXTS)
    for text in TEXTS * 2:
        _assert_same(model, [text])
        assert len(_fast._one_text(model).memo) <= 4 + longest


def test_one_text_beyond_the_first_size_of_the_value_row(model, monkeypatch) -> None:
    monkeypatch.setenv(_fast_jit.VARIABLE, "0")
    # Room for 2 word-shape features: texts with more, and long texts, grow the row of feature values.
    monkeypatch.setattr(_fast, "_SHAPES_MAX", 2)
    monkeypatch.setitem(model.__dict__, "_one_text", _fast._OneText(model))
    darija = "ديالو كيشير غيؤدي ماكانش كيستعملو نفسو دالمغرب فالمدينة "
    _assert_same(model, ["x", darija, "wach nta mzyan " * 300, darija * 40, darija])


def _lines(path: Path, n: int) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in islice(fh, n)]


def test_one_text_equals_the_batch_path_on_real_lines(shared: Path, model, path: str) -> None:
    flores = shared / "corpora" / "flores200-subset" / "devtest"
    texts = [t for path in sorted(flores.glob("*.devtest")) for t in _lines(path, 60)]
    tweets = _lines(shared / "data" / "afrisenti_ma" / "dev.tsv", 300)[1:]
    texts += [row.split("\t")[1] for row in tweets]
    assert len(texts) > 700
    _assert_same(model, texts)


ROWS = {
    "ary_Arab": ["واش كاين شي حد فالدار", "بغيت نمشي للسوق دابا", "هاد الشي زوين بزاف", "كيدير فالخدمة"],
    "arb_Arab": [
        "أعلنت الحكومة عن خطة جديدة",
        "ذهب الطالب إلى الجامعة",
        "هذا الكتاب مفيد جدا",
        "لم يحضر أحد",
    ],
    "fra_Latn": ["je pense que oui", "il fait très chaud", "merci beaucoup", "la réunion de demain"],
    "ary_Latn": ["wach nta mzyan", "ghadi nmchi l dar", "3afak sir t3acha", "bzaf dyal nas"],
}


@pytest.mark.parametrize(
    "options",
    [
        {"morph": 0},  # charhash.v1: no word shapes
        {"orders": [1, 3], "words": False},  # unused orders, no word features
        {"orders": [2, 3, 4, 5, 6]},  # a longer n-gram than the shipped model's
    ],
    ids=["v1", "orders_1_3_no_words", "orders_2_6"],
)
def test_one_text_equals_the_batch_path_on_other_models(tmp_path: Path, path: str, options: dict) -> None:
    texts = [t for ts in ROWS.values() for t in ts]
    labels = [k for k, ts in ROWS.items() for _ in ts]
    train_langid(texts, labels, out=tmp_path / "m", bits=12, C=50, word_model=False, **options)
    _assert_same(load_langid_model(tmp_path / "m"), TEXTS)


class _Str(str):
    pass


# identify(text)'s own wrapper (the kept shipped model, LangGuess built slot by slot): the guess behaves as
# one built by LangGuess(...) and equals the batch path's, for every kind of input and option.
@pytest.mark.parametrize(
    ("text", "as_text"),
    [
        ("واش كاين شي حد فالدار؟", "واش كاين شي حد فالدار؟"),
        ("salam 3likom, labas?", "salam 3likom, labas?"),
        ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"),
        ("شفت le film ديال البارح", "شفت le film ديال البارح"),
        ("واااالو 🙂", "واااالو 🙂"),
        ("", ""),
        (None, ""),
        (2024, "2024"),
        (_Str("bzzzaaaf"), "bzzzaaaf"),
    ],
    ids=[
        "ary_Arab",
        "ary_Latn",
        "zgh_Tfng",
        "code_switch",
        "elongation_emoji",
        "empty",
        "none",
        "int",
        "str_subclass",
    ],
)
@pytest.mark.parametrize(
    "options",
    [{}, {"priors": {"arb_Arab": 0.7}}, {"model": "shipped_folder"}],
    ids=["default", "priors", "model_folder"],
)
def test_one_text_guess_is_a_plain_langguess(path: str, text, as_text: str, options: dict) -> None:
    from dataclasses import FrozenInstanceError

    from aimm_nlp.text import LangGuess
    from aimm_nlp.text.langid._model import default_model_dir

    if options.get("model") == "shipped_folder":
        options = {"model": default_model_dir()}
    one, batch = identify(text, **options), identify_batch([as_text, *PADS], **options)[0]
    assert type(one) is LangGuess and type(one.score) is float
    assert (one.lang, one.mixed) == (batch.lang, batch.mixed) and abs(one.score - batch.score) < 1e-6
    assert list(one.scores) == list(batch.scores)
    assert all(abs(one.scores[k] - batch.scores[k]) < 1e-6 for k in batch.scores)
    built = LangGuess(one.lang, one.score, one.scores, one.mixed)
    assert one == built and hash(one) == hash(built) and repr(one) == repr(built)
    with pytest.raises(FrozenInstanceError):
        one.lang = "fra_Latn"


def test_one_text_from_several_threads(path: str) -> None:
    # The kernel releases the GIL and writes only into its own output row; the numpy path shares memos.
    from concurrent.futures import ThreadPoolExecutor

    texts = [t for t in TEXTS if t] * 8
    alone = [identify(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(identify, texts))
    assert [(g.lang, dict(g.scores)) for g in threaded] == [(g.lang, dict(g.scores)) for g in alone]
