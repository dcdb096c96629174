"""dialectness / dialectness_batch, class priors and the one-text fast path of identify (issue 19).

About internals: ``identify(text)`` runs a lean one-text path (``aimm_nlp.text.langid._fast``); the
tests compare it with ``identify_batch`` on a batch of several texts, which runs the sparse batch code."""

from __future__ import annotations

import math

import pytest

from aimm_nlp.errors import ConfigError, DataError, ModelError
from aimm_nlp.text import dialectness, dialectness_batch, identify, identify_batch
from aimm_nlp.text.langid import load_langid_model, train_langid

DARIJA = [
    "واش كاين شي حد فالدار؟ بغيت نهضر معاك",
    "هاد الفيلم زوين بزاف، خاصك تشوفو",
    "ما فهمت والو من هاد الدرس",
    "الحكومة ما كتسمعش للشعب",
    "بقيت كنتسنا الطوبيس ساعة",
]
MSA = [
    "أعلنت الحكومة عن خطة جديدة لدعم التعليم في المناطق القروية.",
    "نطالب المسؤولين بالتدخل لإصلاح هذه الطريق",
    "متى ستعلن الوزارة عن نتائج المباراة؟",
    "هذه القناة لا تحترم عقول المشاهدين",
    "الشعب يريد إصلاحا حقيقيا في التعليم والصحة",
]

# Every script and the cleaning cases: URLs, @users, digits next to letters or alone, elongation,
# diacritics, tatweel, emoji, characters above the BMP, NUL, one character, nothing at all.
TEXTS = [
    *DARIJA,
    *MSA,
    "wach nta mzyan? ana ghadi l dar",
    "Je pense que c'est une bonne idée.",
    "The weather in Rabat is nice today",
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵉⴽ ⴰⵏⵏ ⵜⵍⵍⴰⵎ?",
    "Ad ruḥeɣ ɣer axxam ass-a.",
    "شفت le film ديال البارح",
    "3afak 123 sir t3acha 2024",
    "http://x.com/a?b=1 @user_1 #tag_x salam www.site.ma",
    "هههههههه واااااش بصااااح",
    "مَرْحَبًا بِكُمْ فِي الْمَغْرِبِ",
    "كيـــــف داير؟",
    "ولاد 𝕏 𝐭𝐞𝐬𝐭 🙂🙂",
    "a\x00b",
    "ABC DEF ÉTÉ",
    "ديالو كيشير غيؤدي ماكانش كيستعملو نفسو دالمغرب فالمدينة كتاب",
    "x",
    "🙂",
    "",
    "  \t\n ",
    "2024",
]


@pytest.mark.parametrize("text", TEXTS)
def test_one_text_equals_the_batch_path(text: str) -> None:
    one = identify(text)
    batch = identify_batch([text, "wach nta mzyan", "هذا الكتاب مفيد جدا"])[0]
    assert (one.lang, one.mixed) == (batch.lang, batch.mixed)
    assert abs(one.score - batch.score) < 1e-6
    assert all(abs(one.scores[k] - batch.scores[k]) < 1e-6 for k in batch.scores)
    d_one, d_batch = dialectness(text), dialectness_batch([text, "salam", "واش"])[0]
    assert (math.isnan(d_one) and math.isnan(d_batch)) or abs(d_one - d_batch) < 1e-6


@pytest.mark.parametrize("text", DARIJA)
def test_darija_has_high_dialectness(text: str) -> None:
    assert dialectness(text) > 0.5
    assert identify(text).lang == "ary_Arab"


@pytest.mark.parametrize("text", MSA)
def test_msa_has_low_dialectness(text: str) -> None:
    assert dialectness(text) < 0.5
    assert identify(text).lang == "arb_Arab"


@pytest.mark.parametrize("text", ["salam 3likom", "Je pense que oui", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "", "🙂", "2024"])
def test_no_arabic_letter_gives_nan(text: str) -> None:
    assert math.isnan(dialectness(text))


@pytest.mark.parametrize("text", [*DARIJA, *MSA, "الله يرحمه", "شكرا", "مبروك"])
def test_arabic_label_follows_dialectness(text: str) -> None:
    g, d = identify(text), dialectness(text)
    assert 0.0 <= d <= 1.0
    assert abs(g.scores["ary_Arab"] - d) < 1e-6
    assert (g.lang == "ary_Arab") == (d > 0.5)


def test_dialectness_batch_forms() -> None:
    assert dialectness_batch([]) == []
    col = dialectness_batch({"text": [DARIJA[0], MSA[0], "salam"]})
    assert list(col) == ["dialectness"] and len(col["dialectness"]) == 3
    assert col["dialectness"][0] > 0.5 > col["dialectness"][1] and math.isnan(col["dialectness"][2])
    with pytest.raises(TypeError, match="use dialectness\\(\\) for one"):
        dialectness_batch(DARIJA[0])
    with pytest.raises(DataError, match="no column 'text'"):
        dialectness_batch({"tweet": [DARIJA[0]]})


@pytest.mark.parametrize("text", ["الله يرحمه", "شكرا بزاف", "نتمنى لكم التوفيق", DARIJA[0], MSA[0]])
def test_priors_move_the_scores_the_right_way(text: str) -> None:
    base = identify(text).scores["arb_Arab"]
    more_msa = identify(text, priors={"arb_Arab": 0.95}).scores["arb_Arab"]
    less_msa = identify(text, priors={"ary_Arab": 0.95}).scores["arb_Arab"]
    assert less_msa <= base <= more_msa
    assert (
        dialectness(text, priors={"arb_Arab": 0.95})
        <= dialectness(text)
        <= dialectness(text, priors={"ary_Arab": 0.95})
    )
    batch = identify_batch([text, "salam"], priors={"arb_Arab": 0.95})[0]
    assert abs(batch.scores["arb_Arab"] - more_msa) < 1e-6


def test_priors_equal_to_the_base_rates_change_nothing() -> None:
    m = load_langid_model()
    rates = (m.calibration or {}).get("base_rates") or {"arb_Arab": 0.5}
    for text in [*DARIJA[:2], *MSA[:2], "salam 3likom"]:
        assert abs(identify(text, priors=rates).score - identify(text).score) < 1e-9


def test_priors_of_another_script_leave_arabic_alone() -> None:
    text = MSA[0]
    assert identify(text, priors={"fra_Latn": 0.9}).scores == identify(text).scores
    assert (
        identify("merci", priors={"fra_Latn": 0.9}).scores["fra_Latn"] > identify("merci").scores["fra_Latn"]
    )


@pytest.mark.parametrize(
    ("priors", "messages"),
    [
        ({"arb_Arab": 1.5}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"arb_Arab": 0}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"arb_Arab": float("nan")}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"arb_Arab": True}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"arb_Arab": "0.7"}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"msa": 0.7}, ["unknown label 'msa'"]),
        ({"msa": 0.7, "ary_Arab": 2}, ["unknown label 'msa'", "priors['ary_Arab']"]),
        ({"arb_Arab": 0.6, "ary_Arab": 0.6}, ["sum to 1.2; they must sum to 1"]),
        ({"fra_Latn": 0.6, "eng_Latn": 0.5}, ["sum to 1.1; they must leave some for"]),
        ([("arb_Arab", 0.7)], ["priors must be a dict"]),
    ],
)
def test_bad_priors_are_all_listed(priors: object, messages: list[str]) -> None:
    for call in (
        lambda: identify("سلام", priors=priors),
        lambda: identify_batch([], priors=priors),
        lambda: dialectness_batch(["سلام"], priors=priors),
    ):
        with pytest.raises(ConfigError) as info:
            call()
        assert all(msg in str(info.value) for msg in messages), str(info.value)
        assert len(info.value.errors) == len(messages)


@pytest.mark.parametrize("text", ["الله", "شكرا", "مرحبا", "يا ربي", "hhhh", "ok", "merci"])
def test_short_texts_without_evidence_get_no_confident_label(text: str) -> None:
    assert identify(text).score < 0.99


def test_model_without_arabic_classes_cannot_score_dialectness(tmp_path) -> None:
    texts = ["wach nta mzyan", "fin ghadi daba", "je suis fatigué", "il fait beau"]
    train_langid(texts, ["ary_Latn"] * 2 + ["fra_Latn"] * 2, out=tmp_path / "m", bits=10, word_model=False)
    card = (tmp_path / "m" / "CARD.md").read_text("utf-8")
    assert card.startswith("# langid model: 2 classes")
    # the usage example names the model's folder, not the temporary one it was written into
    assert 'identify("...", model="m")' in card
    with pytest.raises(ModelError, match="no ary_Arab or arb_Arab class"):
        dialectness("واش", model=tmp_path / "m")


def _copy_model(tmp_path, calibration) -> object:
    import json
    import shutil

    from aimm_nlp.text.langid._model import default_model_dir

    folder = tmp_path / "m"
    shutil.copytree(default_model_dir(), folder)
    cfg = json.loads((folder / "config.json").read_text("utf-8"))
    cfg["calibration"] = calibration
    (folder / "config.json").write_text(json.dumps(cfg), "utf-8")
    return folder


@pytest.mark.parametrize(
    "calibration",
    [
        {"temperature": {"Arab": 0}},
        {"temperature": {"Arab": -1.0}},
        {"temperature": {"Cyrl": 1.0}},
        {"bias": {"xx_Arab": 1.0}},
        {"bias": {"ary_Arab": "1"}},
        {"base_rates": {"ary_Arab": 1.0}},
        {"temperature": {"Arab": True}},
        {"typo": {}},
        [1, 2],
    ],
)
def test_bad_calibration_in_config_is_a_model_error(tmp_path, calibration) -> None:
    with pytest.raises(ModelError, match="`calibration` must be"):
        identify("سلام", model=_copy_model(tmp_path, calibration))


def test_calibration_scales_the_arabic_logit(tmp_path) -> None:
    m = load_langid_model()
    cal = dict(m.calibration or {})
    temps = dict(cal.get("temperature", {}))
    temps["Arab"] = 2 * temps.get("Arab", 1.0)
    folder = _copy_model(tmp_path, {**cal, "temperature": temps})
    bias = (m.calibration or {}).get("bias", {}).get("ary_Arab", 0.0)
    checked = 0
    for text in ("الله يرحمه", "شكرا بزاف", "مبروك عليك", "نتمنى لكم التوفيق", *DARIJA, *MSA):
        d0, d1 = dialectness(text), dialectness(text, model=folder)
        if 1e-6 < d0 < 1 - 1e-6:  # not saturated: the logit can be read back
            logit0, logit1 = math.log(d0 / (1 - d0)), math.log(d1 / (1 - d1))
            assert abs((logit0 - bias) / 2 - (logit1 - bias)) < 1e-5
            checked += 1
    assert checked >= 3
    assert identify("merci beaucoup", model=folder).scores == identify("merci beaucoup").scores


@pytest.mark.parametrize("text", ["HTTP://X.COM/A salam", "wach WWW.SITE.MA daba", "Https://a.b ok"])
def test_a_text_is_masked_alike_in_any_batch(text: str) -> None:
    # Masking used to be switched on by a lowercase "http"/"www" anywhere in the batch, so these
    # texts got other features (and scores) beside a mate with a lowercase URL than alone.
    alone = identify_batch([text])[0]
    beside = identify_batch([text, "http://x.ma"])[0]
    assert alone.scores == beside.scores
    assert identify(text).scores == pytest.approx(dict(beside.scores), abs=1e-6)


def _dev_part(name: str) -> tuple[list[str], list[bool]]:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "langid_dev" / name
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rows = [r for r in rows if r["label"] in ("ary_Arab", "arb_Arab")]
    return [r["text"] for r in rows], [r["label"] == "ary_Arab" for r in rows]


@pytest.mark.parametrize(
    ("part", "accuracy", "auc"),
    [
        # floors of issue 19 (real tweets: accuracy 0.88, AUC 0.95), not the shipped model's figures
        # (0.969 / 0.995, 0.916 / 0.974 in benchmarks/results/langid.json): a model that loses its
        # weights, its naive Bayes ratio or its calibration falls below them
        ("dev.tsv", 0.95, 0.98),
        ("unruled.tsv", 0.88, 0.95),
    ],
)
def test_the_shipped_model_holds_the_issue_floors_on_the_dev_parts(
    part: str, accuracy: float, auc: float
) -> None:
    from sklearn.metrics import roc_auc_score

    texts, darija = _dev_part(part)
    scores = dialectness_batch(texts)
    right = sum((s > 0.5) == d for s, d in zip(scores, darija, strict=True))
    assert right / len(texts) >= accuracy
    assert roc_auc_score(darija, scores) >= auc


def test_the_shipped_naive_bayes_ratio_is_recorded_with_its_rows() -> None:
    import json
    from pathlib import Path

    import aimm_nlp.text.langid as langid

    folder = Path(langid.__file__).resolve().parents[1] / "models" / "langid"
    training = json.loads((folder / "config.json").read_text("utf-8"))["training"]
    nb = training["nb"]
    assert nb["alpha"] == 0.1 and 0 < nb["beta"] < 5
    assert nb["rows"] == {k: training["class_counts"][k] for k in ("ary_Arab", "arb_Arab")}
