"""identify / identify_batch with the shipped model: per-class text, edge cases, determinism.

One internal: the private batched word tagger ``aimm_nlp.text.langid._words.tag_batch`` gives the
reference word tags of the mixed-flag test (``tag_words`` one text at a time is the same, slower)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import datasets
import pytest

from aimm_nlp.langs import CORE_LANGS
from aimm_nlp.text import LangGuess, identify, identify_batch
from aimm_nlp.text.langid import WordTag, is_mixed, load_langid_model, tag_words
from aimm_nlp.text.langid._words import tag_batch

REPO = Path(__file__).resolve().parents[3]

PER_CLASS = [
    ("wach nta mzyan? ana ghadi nmchi l dar daba", "ary_Latn"),
    ("salam 3likom, kidayrin? bghit nswlkom 3la chi haja", "ary_Latn"),
    ("hhhh wallah ma fhmt walo a sahbi", "ary_Latn"),
    ("واش كاين شي حد فالدار؟ بغيت نهضر معاك", "ary_Arab"),
    ("هاد الفيلم زوين بزاف، خاصك تشوفو", "ary_Arab"),
    ("ماشي مشكل، غادي نجي غدا إن شاء الله", "ary_Arab"),
    ("أعلنت الحكومة عن خطة جديدة لدعم التعليم في المناطق القروية.", "arb_Arab"),
    ("وقال الوزير إن هذه الإجراءات ستساهم في تحسين الوضع الاقتصادي.", "arb_Arab"),
    ("Je pense que c'est une bonne idée, mais il faut attendre demain.", "fra_Latn"),
    ("Les élèves sont rentrés à la maison après l'école.", "fra_Latn"),
    ("The weather in Rabat is nice today, let's go to the beach.", "eng_Latn"),
    ("I don't know what you are talking about.", "eng_Latn"),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵉⴽ ⴰⵏⵏ ⵜⵍⵍⴰⵎ?", "zgh_Tfng"),
    ("ⵜⴰⵎⴰⵣⵉⵖⵜ", "zgh_Tfng"),
    ("Ad ruḥeɣ ɣer axxam ass-a.", "ber_Latn"),
    ("Tom yella deg uxxam, yettɣawal.", "ber_Latn"),
]


@pytest.mark.parametrize(("text", "expected"), PER_CLASS)
def test_per_class(text: str, expected: str) -> None:
    guess = identify(text)
    assert guess.lang == expected, (text, guess)
    assert 0.0 < guess.score <= 1.0
    assert set(guess.scores) == set(CORE_LANGS)
    assert abs(sum(guess.scores.values()) - 1.0) < 1e-4


@pytest.mark.parametrize(
    "text", ["", " ", "2024", "0612345678 100", "😂😂😂", "🙂 👍", "!!!", "@user https://t.co/x"]
)
def test_no_letters_is_und(text: str) -> None:
    guess = identify(text)
    assert guess == LangGuess("und", 1.0, guess.scores, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ⵣ", "zgh_Tfng"),  # one char
        ("ش", "ary_Arab"),  # one Arabic letter: an Arabic-script class, nothing else
        ("bzaaaaaaaf", "ary_Latn"),  # elongation
        ("مزياااااااان", "ary_Arab"),
        ("malheureusement", "fra_Latn"),  # one word
        ("wakha", "ary_Latn"),
        ("😂😂 hhhhh wakha a sahbi 😂", "ary_Latn"),  # emoji around text
    ],
)
def test_short_inputs(text: str, expected: str) -> None:
    guess = identify(text)
    lang = guess.lang
    if len(text) == 1 and expected == "ary_Arab":
        assert lang in ("ary_Arab", "arb_Arab")
    elif expected == "ary_Arab" and " " not in text:
        # One Arabic word with little Darija-vs-MSA evidence (the elongation hides the marker word
        # مزيان): since issue 19 the calibrated decision may say MSA, but never with confidence.
        assert lang == expected or (lang == "arb_Arab" and guess.score < 0.7), guess
    else:
        assert lang == expected


def test_script_rule_wins_over_model() -> None:
    assert identify("ⴰⵙⵓⴳⴳⵯⴰⵙ ⴰⵎⴰⵢⵏⵓ 2975").lang == "zgh_Tfng"
    assert identify("ⴰⵣⵓⵍ").score == 1.0


def test_batch_matches_single_and_is_deterministic() -> None:
    texts = [t for t, _ in PER_CLASS] + ["", "2024", "ana ghadi l la réunion de demain"]
    batch = identify_batch(texts)
    assert [g.lang for g in batch] == [identify(t).lang for t in texts]
    again = identify_batch(list(reversed(texts)))[::-1]
    assert [(g.lang, round(g.score, 6)) for g in batch] == [(g.lang, round(g.score, 6)) for g in again]


def test_batch_dict_for_datasets_map() -> None:
    out = identify_batch({"text": ["salam 3likom", "", "ⵜⴰⵎⴰⵣⵉⵖⵜ"], "id": [1, 2, 3]})
    assert out["lang"] == ["ary_Latn", "und", "zgh_Tfng"]
    assert len(out["lang_score"]) == len(out["lang_mixed"]) == 3
    assert identify_batch([]) == []


def test_batch_dict_missing_column() -> None:
    from aimm_nlp.errors import DataError

    with pytest.raises(DataError, match="sentence"):
        identify_batch({"sentence": ["salam"]})


MIXED = [
    # Darija/French (and English) code-switching: each language covers >= 15 % of the letters
    ("ana ghadi l réunion demain, 3afak sift liya le document", True),
    ("ana ghadi l la réunion de demain matin avec le directeur", True),
    ("wach kayn chi problème avec la connexion? makhdamach 3andi", True),
    ("had lfilm c'est vraiment nul, ma3jbni walo", True),
    ("bghit nmchi l cinéma ce soir mais je suis fatigué bzaf", True),
    ("ana f la maison", True),
    ("3afak send me the file ghda", True),
    ("شفت le match de foot ديال البارح مع صحابي", True),
    ("الماتش كان زوين بزاف mais l'arbitre était nul", True),
    ("merci bzaaaaaaf a khouya 😍😍", True),  # elongation and emoji inside a mixed text
    # one language
    ("Je pense que c'est une bonne idée, mais il faut attendre.", False),
    ("wach nta mzyan? ana ghadi nmchi l dar daba", False),
    ("واش كاين شي حد فالدار؟ بغيت نهضر معاك", False),
    ("The weather in Rabat is nice today, let's go to the beach.", False),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵉⴽ ⴰⵏⵏ ⵜⵍⵍⴰⵎ?", False),
    # one language with a strong runner-up class (MSA ~0.75 / Darija ~0.25; French ~0.8 / Darija ~0.16)
    ("أعلنت الحكومة عن خطة جديدة لدعم التعليم في المناطق القروية.", False),
    ("la police", False),
    ("مزياااااااان بزاااااف", False),  # elongation
    ("bzaaaaaaaf", False),
    ("", False),
    ("ⵣ", False),  # one char
    ("ش", False),
    ("a", False),
    ("😂", False),  # emoji alone
    ("😂😂 🙂", False),
]


@pytest.mark.parametrize(("text", "expected"), MIXED)
def test_mixed_flag_follows_the_documented_rule(text: str, expected: bool) -> None:
    # documented: >= 2 languages each cover >= 15 % of the letters of the tagged words
    assert identify(text).mixed is expected
    assert is_mixed(tag_words(text)) is expected
    assert identify_batch([text, "wach nta mzyan"])[0].mixed is expected


def test_mixed_flag_in_a_batch_column() -> None:
    out = identify_batch({"text": [t for t, _ in MIXED]})
    assert out["lang_mixed"] == [m for _, m in MIXED]


def _tags(*words: tuple[str, str]) -> list[WordTag]:
    return [WordTag(text, 0, len(text), lang, 1.0) for text, lang in words]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], False),
        (_tags(("salam", "ary_Latn")), False),  # one language: mixing needs two
        (_tags(("wach", "ary_Latn"), ("nta", "ary_Latn"), ("mzyan", "ary_Latn")), False),
        (_tags(("😂", "other"), ("2024", "other")), False),
        (_tags(("salam", "ary_Latn"), ("😂😂😂😂😂😂", "other")), False),  # other does not count
        (_tags(("ana", "ary_Latn"), ("réunionxxxxxxxxx", "fra_Latn")), True),  # 3 of 20 letters: 15 %
        (_tags(("an", "ary_Latn"), ("réunionxxxxxxxxxx", "fra_Latn")), False),  # 2 of 19: < 15 %
        (_tags(("شفت", "ary_Arab"), ("le", "fra_Latn"), ("match", "fra_Latn")), True),
        (_tags(("a", "ary_Latn"), ("b", "fra_Latn"), ("c", "eng_Latn"), ("d", "ber_Latn")), True),
    ],
)
def test_is_mixed_needs_two_languages_over_15_percent(tags: list[WordTag], expected: bool) -> None:
    assert is_mixed(tags) is expected


def _mixed_rows_agree(texts: list[str]) -> int:
    """Check identify_batch's flag against the documented rule row by row; return the mixed count."""
    model = load_langid_model()
    flags = [g.mixed for g in identify_batch(texts)]
    truth = [is_mixed(tags) for tags in tag_batch(texts, model)]
    assert flags == truth, [t for t, f, r in zip(texts, flags, truth, strict=True) if f != r][:5]
    return sum(flags)


def test_mixed_flag_on_the_morocco_mini_comments() -> None:
    with open(REPO / "data" / "morocco_mini" / "sentiment.tsv", encoding="utf-8") as fh:
        texts = [line.rstrip("\n").split("\t")[1] for line in fh][1:]
    assert len(texts) == 341
    # Darija comments often switch to French: far more than the 14 the runner-up gate flagged
    assert _mixed_rows_agree(texts) > 40


def test_mixed_flag_on_shared_langid_data(shared: Path) -> None:
    with open(shared / "data" / "langid_moroccan" / "langid.tsv", encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh][1:3001]
    assert sum(r[2] == "zgh_Tfng" for r in rows) > 100  # Tifinagh rows exercise the shortcut
    assert _mixed_rows_agree([r[1] for r in rows]) > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ 😂❤️ 2024", False),
        ("ⴰⵙⵓⴳⴳⵯⴰⵙ ⴰⵎⴰⵢⵏⵓ", False),
        ("ⴰⵣⵓⵍ @salam_bonjour", False),  # @user is not a word
        # the sentence model masks the URL, but the tagger sees "http" and "abcdefgh" as Latin words
        ("ⴰhttp://abcdefgh ⴰⵣⵓⵍ", True),
        ("ⴰⵣⵓⵍ salam khouya labas", True),
    ],
)
def test_mixed_flag_with_tifinagh(text: str, expected: bool) -> None:
    assert identify(text).mixed is expected
    assert is_mixed(tag_words(text)) is expected


def test_long_line_100kb() -> None:
    line = ("wach nta mzyan? ana ghadi nmchi l dar daba, 3afak jib m3ak lkhobz. " * 1500)[:100_000]
    guess = identify(line)
    assert guess.lang == "ary_Latn"
    assert identify_batch([line, "bonjour tout le monde"])[1].lang == "fra_Latn"


def test_import_text_does_not_load_the_model_or_torch() -> None:
    code = (
        "import sys, aimm_nlp.text as t; "
        "assert 'aimm_nlp.text.langid' not in sys.modules and 'aimm_nlp.text.langid._model' not in sys.modules; "
        "assert 'torch' not in sys.modules and 'scipy' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_datasets_map_batched() -> None:
    ds = datasets.Dataset.from_dict({"text": ["wach nta mzyan", "Je pense que oui.", "ⴰⵣⵓⵍ", ""]})
    out = ds.map(identify_batch, batched=True, batch_size=2)
    assert out["lang"] == ["ary_Latn", "fra_Latn", "zgh_Tfng", "und"]
    assert set(out.column_names) == {"text", "lang", "lang_score", "lang_mixed"}


def test_docstring_examples_run() -> None:
    import doctest

    import aimm_nlp.text.langid as module

    result = doctest.testmod(module)
    assert result.attempted >= 8 and result.failed == 0


def test_mixed_is_worked_out_on_access_and_agrees_with_the_column() -> None:
    """A list gives guesses whose ``mixed`` is computed on first access; the datasets-batch path
    computes the column at once: both follow the same rule, and a guess stays read-only."""
    from dataclasses import FrozenInstanceError

    texts = [text for text, _ in MIXED]
    guesses = identify_batch(texts)
    assert all(callable(g._mixed) for g in guesses if g.lang != "und")  # nothing tagged yet
    assert (
        [g.mixed for g in guesses] == identify_batch({"text": texts})["lang_mixed"] == [m for _, m in MIXED]
    )
    assert all(isinstance(g._mixed, bool) for g in guesses)  # kept after the first access
    with pytest.raises(FrozenInstanceError):
        guesses[0].lang = "fra_Latn"  # type: ignore[misc]
    assert guesses[0] == identify(texts[0]) and hash(guesses[0]) == hash(identify(texts[0]))
