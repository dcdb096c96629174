"""The charhash.v2 Darija-vs-MSA word-shape features and loading models of both feature schemes.

About internals: the feature functions of the private ``aimm_nlp.text.langid._features`` and
``_morph`` modules are tested directly (models are trained through the public ``train_langid``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from aimm_nlp.errors import DataError, ModelError
from aimm_nlp.text import identify
from aimm_nlp.text.langid import train_langid
from aimm_nlp.text.langid._features import featurize, prepare
from aimm_nlp.text.langid._morph import FEATURES, feature_bucket

BITS = 16


def _fired(texts: list[str]) -> list[Counter]:
    codes, offsets = prepare(texts)
    mat = featurize(codes, offsets, orders=(1,), bits=BITS, words=True, morph=1.0)[-1]
    names = {feature_bucket(i, BITS): name for i, name in enumerate(FEATURES)}
    out = []
    for i in range(len(texts)):
        fired: Counter = Counter()
        for c, v in zip(mat[i].indices, mat[i].data, strict=True):  # one entry per matching word
            fired[names[c]] += int(v)
        out.append(fired)
    return out


CASES = [
    ("", {}),
    ("ك", {}),
    ("😀🇲🇦", {}),
    ("2024", {}),
    ("واش كاين شي حد؟", {"dar": 3}),
    ("الذي لم يكن هناك", {"msa": 2}),
    ("كيشير", {"prog": 1}),
    ("وكيتم تكرار التجارب", {"prog": 1}),
    ("كَيْشِير", {"prog": 1}),  # diacritics do not hide the prefix
    ("كيييييشير", {"prog": 1}),  # elongation squeezed
    ("كتاب كيف كتب", {}),  # MSA words that fit a pattern are exempt
    ("غيؤدي هدا إلى قتال", {"fut": 1, "dar": 1}),
    ("وفي 15 شتنبر من عام 1959", {"dar": 1}),  # Moroccan month name
    ("الدراسات مكتقراش فالمرحلة الثانوية", {"neg": 1, "f_prep": 1}),
    ("علماء الاجتماع كيستعملو هاد العبارة", {"prog": 1, "pl_o": 1, "poss_o": 1, "dar": 1}),
    ("شرح نفسو باعتبارو", {"pl_o": 1, "poss_o": 2}),
    ("الملوك دالمغرب", {"d_gen": 1}),
    ("kaychir l chi haja f dar", {}),  # Arabizi: the features are for Arabic script
    ("wach كيشير to the news 😂", {"prog": 1}),  # code-switched
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_features_fired(text: str, expected: dict[str, int]) -> None:
    assert _fired([text])[0] == Counter(expected)


def test_features_do_not_depend_on_the_batch() -> None:
    texts = [t for t, _ in CASES]
    assert _fired(texts) == [_fired([t])[0] for t in texts]


def test_feature_buckets_are_distinct_and_never_zero() -> None:
    for bits in (10, 14, 19, 20):
        buckets = [feature_bucket(i, bits) for i in range(len(FEATURES))]
        assert len(set(buckets)) == len(FEATURES) and 0 not in buckets


ROWS = {
    "ary_Arab": ["واش كاين شي حد", "هاد الفيلم زوين", "غادي نجي غدا", "كيستعملو بزاف", "شحال هادي"],
    "arb_Arab": ["الذي لم يكن هناك", "هذه المدينة كبيرة", "لن يحدث ذلك", "إنه كتاب جديد", "قد تكون هناك"],
    "fra_Latn": [
        "je suis fatigué",
        "la réunion de demain",
        "il fait très chaud",
        "merci beaucoup",
        "à demain",
    ],
}


def _train(out: Path, **options: object) -> dict:
    texts = [t for ts in ROWS.values() for t in ts]
    labels = [k for k, ts in ROWS.items() for _ in ts]
    return train_langid(texts, labels, out=out, bits=14, C=50, word_model=False, **options)


def test_both_feature_schemes_train_and_load(tmp_path: Path) -> None:
    v1 = _train(tmp_path / "v1", morph=0)
    v2 = _train(tmp_path / "v2")
    assert v1["feature_scheme"] == "charhash.v1" and "morph" not in v1
    assert v2["feature_scheme"] == "charhash.v2" and v2["morph"] == 3.0
    for folder in ("v1", "v2"):
        assert identify("واش كاين شي حد", model=tmp_path / folder).lang == "ary_Arab"
        assert identify("لم يكن ذلك", model=tmp_path / folder).lang == "arb_Arab"
        assert identify("", model=tmp_path / folder).lang == "und"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"feature_scheme": "charhash.v9"}, "charhash.v1 or charhash.v2.*retrain"),
        ({"morph": None}, "needs a positive number `morph`"),
        ({"morph": 0}, "needs a positive number `morph`"),
        ({"morph": "3"}, "needs a positive number `morph`"),
    ],
)
def test_bad_feature_scheme_is_a_clear_model_error(tmp_path: Path, edit: dict, message: str) -> None:
    _train(tmp_path / "m")
    cfg_path = tmp_path / "m" / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg.update(edit)
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        identify("salam", model=tmp_path / "m")


def test_negative_morph_is_refused_before_training(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="morph must be 0"):
        _train(tmp_path / "m", morph=-1.0)
    assert not (tmp_path / "m").exists()


# langid feature cleaning: what ``prepare`` keeps of a text, character by character. (found by a mutation run)
_DIGIT = 0xE000  # prepare moves ASCII digits to the private-use area


def _cleaned(text: str) -> str:
    codes, offsets = prepare([text])
    assert offsets.tolist() == [0, len(codes)]
    return "".join(str(c - _DIGIT) if _DIGIT <= c < _DIGIT + 10 else chr(c) for c in codes.tolist())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", " \x00"),
        ("a", " a \x00"),
        # Persian/Urdu keyboard forms fold to the Arabic letters
        ("کیفاش", " كيفاش \x00"),
        ("ی", " ي \x00"),
        ("ۃ", " ة \x00"),
        ("بغیت نمشی", " بغيت نمشي \x00"),
        # diacritics and tatweel go, elongation keeps two letters
        ("سَلام", " سلام \x00"),
        ("ســلام", " سلام \x00"),
        ("ههههههه", " هه \x00"),
        ("مزيااااان 😂", " مزياان \x00"),
        # Latin is lowercased; digits stay only next to a letter
        ("Salam 2024 3likom", " salam 3likom \x00"),
        ("ⴰⵣⵓⵍ", " ⴰⵣⵓⵍ \x00"),
        ("@user #hashtag https://x.ma سلام", " سلام \x00"),
    ],
)
def test_prepare_cleans(text: str, expected: str) -> None:
    assert _cleaned(text) == expected


def test_prepare_same_features_for_keyboard_variants() -> None:
    a, _ = prepare(["واش کاین شی حاجة؟"])
    b, _ = prepare(["واش كاين شي حاجة؟"])
    assert a.tolist() == b.tolist()
