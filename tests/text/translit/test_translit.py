"""Transliteration: golden tables per direction in real Moroccan text, errors, evidence, never-raise."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimm_nlp.errors import ConfigError, UnknownNameError
from aimm_nlp.langs import LANGS, ZGH_ARAB, ZGH_LATN, ZGH_TFNG
from aimm_nlp.text import candidates, dominant_script, transliterate, transliterate_batch
from aimm_nlp.text.translit import Transliterator, explain, supported_pairs

ARABIZI = [
    ("", ""),
    ("a", "ا"),
    ("😂", "😂"),
    ("3lach", "علاش"),
    ("bzaf", "بزاف"),
    ("bzzzaaaaf", "بزاف"),  # elongation
    ("SALAM", "سلام"),
    ("7na", "حنا"),
    ("ghadi", "غادي"),
    ("khouya", "خويا"),
    ("3afak", "عافاك"),
    ("5obz", "خبز"),
    ("9hwa zwina", "قهوة زوينة"),
    ("tkhSiS", "تخصيص"),  # capital S mid-word = emphatic
    ("lmghrib", "المغرب"),  # article
    ("fin ghadi?", "فين غادي?"),
    ("salam, labas 3lik?", "سلام, لاباس عليك?"),
    ("wach nta mzyan 😂😂", "واش نتا مزيان 😂😂"),
    # code-switched: French words, URLs, mentions, hashtags, numbers stay verbatim
    (
        "ana ghadi l réunion demain, 3afak sift liya le document",
        "انا غادي ل réunion demain, عافاك صيفط ليا le document",
    ),
    ("3afak sift liya le document 9bel la réunion", "عافاك صيفط ليا le document قبل la réunion"),
    ("@karim chouf www.hespress.com #maroc 2024 f 10h", "@karim شوف www.hespress.com #maroc 2024 ف 10h"),
    ("merci bzaf a khouya", "merci بزاف ا خويا"),
    ("had nhar ghadi nmchi l plage", "هاد نهار غادي نمشي ل plage"),
    ("la, ma bghitch", "لا, ما بغيتش"),  # Darija "no" stays Darija
    ("ⴰⵣⵓⵍ salam سلام", "ⴰⵣⵓⵍ سلام سلام"),  # other scripts pass through
]


@pytest.mark.parametrize(("src", "expected"), ARABIZI)
def test_arabizi_to_arabic(src: str, expected: str) -> None:
    assert transliterate(src, src="ary_Latn", dst="ary_Arab") == expected


# Emoticons written with letters and HTML entities are not words: kept as typed, on every path.
# (input, output with the defaults, tokens that stay verbatim on every path)
EMOTICONS = [
    ("hhh :D wach", "ه :D واش", [":D"]),
    ("xD bzaf", "xD بزاف", ["xD"]),
    ("XDDDD", "XDDDD", ["XDDDD"]),
    ("safi :p 3lik", "صافي :p عليك", [":p"]),
    ("dima:D", "ديما:D", [":D"]),
    ("T_T mskin", "T_T مسكين", ["T_T"]),
    ("&lt;3 khti", "&lt;3 ختي", ["&lt;3"]),
    ("10:30 f dar", "10:30 ف دار", ["10:30"]),  # a time is no emoticon
    ("", "", []),
    ("D", "د", []),  # one letter alone is a word
    ("xd", "شد", []),  # lower-case "xd" is an Arabizi word ("chd")
]


@pytest.mark.parametrize(("src", "expected", "verbatim"), EMOTICONS)
@pytest.mark.parametrize("path", ["one", "batch", "phonetic", "no_keep_foreign"])
def test_emoticons_and_entities_stay_verbatim(
    src: str, expected: str, verbatim: list[str], path: str
) -> None:
    if path == "batch":
        out = transliterate_batch(["salam", src, "bzaf"], src="ary_Latn", dst="ary_Arab")[1]
    else:
        opts = {"phonetic": path == "phonetic", "keep_foreign": path != "no_keep_foreign"}
        out = transliterate(src, src="ary_Latn", dst="ary_Arab", **opts)
    assert all(token in out for token in verbatim)
    assert not any(ch.isascii() and ch.isalpha() for ch in out.replace("".join(verbatim), "")), out
    if path in ("one", "batch"):
        assert out == expected


def test_keep_foreign_off_transliterates_french() -> None:
    out = transliterate("merci 3la réunion", src="ary_Latn", dst="ary_Arab", keep_foreign=False)
    assert "merci" not in out and "réunion" not in out
    assert out.split()[1] == "على"


ARABIC = [
    ("", ""),
    ("ا", "a"),
    ("😂", "😂"),
    ("واش نتا مزيان؟", "wach nta mzyan?"),
    ("بزاف", "bzaf"),
    ("خويا", "khouya"),
    ("قهوة", "9hwa"),
    ("غادي", "ghadi"),
    ("عيّط", "3yyt"),  # shadda on a glide
    ("مدّي", "mddi"),  # shadda doubles
    ("ڭاع", "ga3"),
    ("ڤيلا", "vila"),
    ("پاپا", "papa"),
    ("چاي", "tchay"),
    ("ژوج", "jouj"),
    ("شحال ديال الفلوس؟", "ch7al dyal lflous?"),
    ("واااش", "waaach"),  # elongation is kept letter by letter (normalize first to squeeze)
    ("réunion ديال غدا", "réunion dyal ghedda"),  # lexicon spelling,
]


@pytest.mark.parametrize(("src", "expected"), ARABIC)
def test_arabic_to_arabizi(src: str, expected: str) -> None:
    assert transliterate(src, src="ary_Arab", dst="ary_Latn") == expected


TIFINAGH = [
    ("", ""),
    ("ⴰ", "a"),
    ("ⴰⵣⵓⵍ", "azul"),
    ("ⵜⴰⵎⴰⵣⵉⵖⵜ", "tamaziɣt"),
    ("ⴰⴳⵯⵎⴰⵔ", "agʷmar"),  # labialised g
    ("ⴰⴽⵯⵙⵙⴰⵔ", "akʷssar"),  # labialised k
    ("ⵉⵥⵕⴹⵟⵚⵃⵄ", "iẓṛḍṭṣḥɛ"),
    ("ⴰⵣⵓⵍ 🙂 salam", "azul 🙂 salam"),
    ("ⵜⵜⵜⵜ", "tttt"),
]


@pytest.mark.parametrize(("tfng", "latn"), TIFINAGH)
def test_tifinagh_latin_both_ways(tfng: str, latn: str) -> None:
    assert transliterate(tfng, src="zgh_Tfng", dst="zgh_Latn") == latn
    if "salam" not in latn:
        assert transliterate(latn, src="zgh_Latn", dst="zgh_Tfng") == tfng


def test_latin_to_tifinagh_folds_case_and_decomposed_letters() -> None:
    assert transliterate("Azul TAMAZIƔT", src="zgh_Latn", dst="zgh_Tfng") == "ⴰⵣⵓⵍ ⵜⴰⵎⴰⵣⵉⵖⵜ"
    assert transliterate("ad\u0323ar", src="zgh_Latn", dst="zgh_Tfng") == "ⴰⴹⴰⵔ"
    assert transliterate("aγ εa", src="zgh_Latn", dst="zgh_Tfng") == "ⴰⵖ ⵄⴰ"


def test_tifinagh_to_arabic_script() -> None:
    assert transliterate("ⴰⴳⵯⵎⴰⵔ ⴰⵣⵓⵍ", src="zgh_Tfng", dst="zgh_Arab") == "اڭمار ازول"


BUCKWALTER = [
    ("", "", "", ""),
    ("ب", "b", "b", "b"),
    ("سلام", "slAm", "slAm", "slAm"),
    ("ذهب شاء", "*hb $A'", "Vhb cAC", "ðhb šA'"),
    ("أإآؤئ", "><|&}", "OIMWQ", "ÂĂĀŵŷ"),
    ("ڭ ڤ پ چ ژ گ", "X V P J R G", "X B P J R G", "ŋ v p c ž g"),
    ("مَدْرَسَةٌ", "madorasapN", "madorasapN", "mad.rasaħũ"),
    ("2024 😂", "2024 😂", "2024 😂", "2024 😂"),
]


@pytest.mark.parametrize(("ar", "bw", "safebw", "hsb"), BUCKWALTER)
def test_buckwalter_family(ar: str, bw: str, safebw: str, hsb: str) -> None:
    for scheme, expected in (("bw", bw), ("safebw", safebw), ("hsb", hsb)):
        assert transliterate(ar, src="arb_Arab", dst=scheme) == expected
        assert transliterate(expected, src=scheme, dst="arb_Arab") == ar


def test_unknown_pair_lists_supported_pairs() -> None:
    with pytest.raises(UnknownNameError) as info:
        transliterate("salam", src="ary_Latn", dst="zgh_Tfng")
    msg = str(info.value)
    assert "supported pairs" in msg and "ary_Latn->ary_Arab" in msg and "zgh_Tfng->zgh_Latn" in msg
    assert len(info.value.choices) == len(supported_pairs())


def test_model_only_for_arabizi() -> None:
    with pytest.raises(ConfigError):
        Transliterator(src="zgh_Tfng", dst="zgh_Latn", model="somewhere")


def test_candidates_ranked_with_probabilities() -> None:
    cands = candidates("sbe7", src="ary_Latn", dst="ary_Arab", k=3)
    assert [c.text for c in cands][:1] == ["صبح"]
    assert len(cands) == 3 and len({c.text for c in cands}) == 3
    assert cands[0].prob >= cands[1].prob >= cands[2].prob
    assert abs(sum(c.prob for c in cands) - 1.0) < 1e-3
    assert [c.cost for c in cands] == sorted(c.cost for c in cands)
    assert [c.text for c in candidates("ⴰⵣⵓⵍ", src="zgh_Tfng", dst="zgh_Latn")] == ["azul"]
    assert [c.text for c in candidates("😂", src="ary_Latn", dst="ary_Arab")] == ["😂"]


def test_explain_gives_per_word_evidence() -> None:
    decisions = {d.text: d for d in explain("ana ghadi l réunion demain, 3afak le document @sara 12")}
    assert decisions["réunion"].kept and decisions["réunion"].evidence.reason == "accent"
    assert decisions["document"].evidence.reason == "foreign_lexicon"
    assert decisions["3afak"].evidence.reason == "arabizi_digit" and decisions["3afak"].output == "عافاك"
    assert not decisions["ana"].kept and decisions["ana"].evidence.reason == "darija_lexicon"
    assert decisions["@sara"].kind == "mention" and decisions["@sara"].evidence is None
    assert decisions["12"].kind == "number"
    la = {d.text: d for d in explain("9bel la réunion")}["la"]
    assert la.kept and la.evidence.reason == "foreign_context"
    assert not {d.text: d for d in explain("la, ma bghitch")}["la"].kept  # Darija "no"


def test_batch_matches_single_calls() -> None:
    texts = ["salam", "", "ana f bureau daba 😂", "7na hna"]
    assert transliterate_batch(texts, src="ary_Latn", dst="ary_Arab") == [
        transliterate(t, src="ary_Latn", dst="ary_Arab") for t in texts
    ]


_PAIRS = supported_pairs()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), st.sampled_from(_PAIRS))
def test_never_raises_on_any_unicode(text: str, pair: tuple[str, str]) -> None:
    out = transliterate(text, src=pair[0], dst=pair[1])
    assert isinstance(out, str)


# Characters no scheme maps: CJK, Cyrillic, symbols, emoji, whitespace.
_UNKNOWN = st.text(st.sampled_from("中文 Жж ✓ ★ 🙂🎉 ¿¡ \t\n→§"), max_size=30)


@settings(max_examples=100, deadline=None)
@given(_UNKNOWN, st.sampled_from(_PAIRS))
def test_unknown_characters_pass_through(text: str, pair: tuple[str, str]) -> None:
    assert transliterate(text, src=pair[0], dst=pair[1]) == text


def test_import_stays_light() -> None:
    code = (
        "import sys, aimm_nlp.text.translit as t;"
        "t.transliterate('wach nta khdam lyoum f dar', src='ary_Latn', dst='ary_Arab');"
        "print(sorted(m for m in ('torch', 'transformers', 'datasets', 'numpy', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# _charmap has no docstring examples, so it is not listed (a doctest run of it checks nothing).
@pytest.mark.parametrize("module", ["aimm_nlp.text.translit", "aimm_nlp.text.translit._train"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# Arabic -> Arabizi glide and article rules on words outside the lexicon (the rules alone decide). (found by a mutation run)
ARABIC_TO_ARABIZI = [
    ("", ""),
    ("ج", "j"),
    # final و after a consonant is o, medial ou, next to a vowel letter w
    ("شربو", "chrbo"),
    ("كتبو", "ktbo"),
    ("يدو", "ydo"),
    ("خوك", "khouk"),
    ("جاو", "jaw"),
    ("دوار", "dwar"),  # و before ا
    ("سيارة", "syara"),  # ي before ا, final ة is a
    ("زوّج", "zwwj"),  # shadda on و doubles the glide
    # ال is the article only in words of more than three letters
    ("الي", "ali"),
    ("الا", "ala"),
    ("الما", "lma"),
    ("الدار", "ldar"),
    ("البحر", "lb7r"),
    # other scripts, emoji and punctuation around the words
    ("شربو 😂", "chrbo 😂"),
    ("كتبو ⴰⵣⵓⵍ؟", "ktbo ⴰⵣⵓⵍ?"),
]


@pytest.mark.parametrize(("text", "expected"), ARABIC_TO_ARABIZI)
def test_arabic_to_arabizi_rules(text: str, expected: str) -> None:
    assert transliterate(text, src="ary_Arab", dst="ary_Latn") == expected


# Latin -> Tifinagh (IRCAM) composes every decomposed emphatic (letter + U+0323), ẓ included. (found by a mutation run)
DOT = "\u0323"  # combining dot below, as keyboards without ẓ ṛ ḍ ṭ ṣ ḥ type it

LATN_TO_TFNG = [
    ("", ""),
    ("a", "ⴰ"),
    (f"z{DOT}", "ⵥ"),
    (f"az{DOT}ru", "ⴰⵥⵔⵓ"),  # aẓru, stone
    (f"AZ{DOT}RU", "ⴰⵥⵔⵓ"),  # capitals fold, the dot still composes
    (f"az{DOT}alim", "ⴰⵥⴰⵍⵉⵎ"),  # aẓalim, onion
    (f"ad{DOT}ar", "ⴰⴹⴰⵔ"),  # aḍar, foot
    (f"tit{DOT}", "ⵜⵉⵟ"),  # tiṭ, eye
    (f"ar{DOT}umi", "ⴰⵕⵓⵎⵉ"),
    (f"s{DOT}s{DOT}beh{DOT}", "ⵚⵚⴱⴻⵃ"),
    ("aseggʷas", "ⴰⵙⴻⴳⴳⵯⴰⵙ"),
    (f"ⴰⵣⵓⵍ az{DOT}ru 🙂 2", "ⴰⵣⵓⵍ ⴰⵥⵔⵓ 🙂 2"),  # Tifinagh, emoji and digits pass through
    ("azul", "ⴰⵣⵓⵍ"),  # plain z stays ⵣ
]


@pytest.mark.parametrize(("text", "expected"), LATN_TO_TFNG)
def test_latin_to_tifinagh_decomposed_emphatics(text: str, expected: str) -> None:
    assert transliterate(text, src="zgh_Latn", dst="zgh_Tfng") == expected


# Buckwalter-family scheme names are the only pair ends that are not language codes.
_SCHEME_NAMES = {"bw", "buckwalter", "safebw", "safe_buckwalter", "hsb"}


def test_every_pair_end_is_a_code_of_aimm_nlp_langs_or_a_scheme_name() -> None:
    """langs.py is the one source of codes (issue 18): zgh_Arab, a transliteration target, is in it."""
    ends = {code for pair in supported_pairs() for code in pair}
    assert ends - _SCHEME_NAMES <= set(LANGS)
    assert {ZGH_ARAB, ZGH_LATN} <= ends and LANGS[ZGH_ARAB].script == "Arab"
    assert dominant_script(transliterate("ⴰⵣⵓⵍ ⴼⵍⵍⴰⴽ", src=ZGH_TFNG, dst=ZGH_ARAB)) == "Arab"
