"""The phonetic reading (compiled rules) and the batched Arabizi path shared by both readings.

About internals: the compiled rules, rule table and ranker of the private ``aimm_nlp.text.translit._fast``,
``_rules``, ``_ngram`` and ``_model`` modules are compared with each other and with the public API."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError
from aimm_nlp.text import candidates, transliterate, transliterate_batch
from aimm_nlp.text.translit import Transliterator
from aimm_nlp.text.translit._fast import CompiledRules
from aimm_nlp.text.translit._model import default_model
from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._rules import load_rule_table, rank_rules

PHONETIC = [
    ("", ""),
    ("a", "ا"),  # lexicon (vocative)
    ("i", "إ"),  # one letter: word-initial reading
    ("😂", "😂"),
    ("sift", "سيفت"),  # every written vowel is a letter; the ranked default writes صيفط
    ("lmghrib", "لمغريب"),
    ("khobz", "خوبز"),
    ("bzzzaaaaf", "بزاف"),  # elongation squeezed before the rules
    ("bzzaf", "بزاف"),  # lexicon word: the lexicon's spelling
    ("3afak", "عافاك"),
    ("SALAM", "سلام"),  # all caps is just case
    ("tkhSiS", "تخصيص"),  # a capital mid-word marks an emphatic
    ("chhal", "شهال"),
    ("3ammi", "عمّي"),  # short vowel before a doubled consonant, shadda
    ("9hwa zwina", "قهوا زوينة"),  # zwina is a lexicon word
    (
        "ana ghadi l réunion demain, 3afak sift liya le document",
        "انا غادي ل réunion demain, عافاك سيفت ليا le document",
    ),
    ("@karim chouf www.hespress.com #maroc 2024 f 10h", "@karim شوف www.hespress.com #maroc 2024 ف 10h"),
    ("ⴰⵣⵓⵍ salam سلام", "ⴰⵣⵓⵍ سلام سلام"),
]


@pytest.mark.parametrize(("src", "expected"), PHONETIC)
def test_phonetic_reading(src: str, expected: str) -> None:
    assert transliterate(src, src="ary_Latn", dst="ary_Arab", phonetic=True) == expected


def test_phonetic_and_ranked_differ_where_writers_do() -> None:
    ranked = transliterate("3afak sift liya lmghrib", src="ary_Latn", dst="ary_Arab")
    phonetic = transliterate("3afak sift liya lmghrib", src="ary_Latn", dst="ary_Arab", phonetic=True)
    assert ranked == "عافاك صيفط ليا المغرب" and phonetic == "عافاك سيفت ليا لمغريب"


MIXED = [
    "",
    "a",
    "😂😂",
    "salam 3likom",
    "  two  spaces ",
    "la réunion 3la 10h",  # French article before a foreign word: kept together
    "la, ma bghitch",
    "wach\nnta",  # a text with its own newline is done alone
    "bzzzaaaf SALAM tkhSiS",
    "chouf https://t.co/x @sara #maroc",
    "ⴰⵣⵓⵍ سلام bslama",
    "ā’ l’école",  # beyond Latin-1 and a curly apostrophe
]


@pytest.mark.parametrize("phonetic", [False, True])
@pytest.mark.parametrize("keep_foreign", [False, True])
def test_batch_equals_one_by_one(phonetic: bool, keep_foreign: bool) -> None:
    one = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=keep_foreign, phonetic=phonetic)
    many = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=keep_foreign, phonetic=phonetic)
    expected = [one(t) for t in MIXED]
    assert many.batch(MIXED) == expected
    assert many.batch(list(reversed(MIXED))) == list(reversed(expected))  # cached path too
    assert expected[5].startswith("la réunion") == keep_foreign
    assert expected[7].count("\n") == 1


@pytest.mark.parametrize("phonetic", [False, True])
def test_first_candidate_is_the_output(phonetic: bool) -> None:
    for word in ["sbe7", "3lach", "khdmt", "bzaf", "lmghrib", "tkhSiS", "bzzzaf", "a"]:
        out = transliterate(word, src="ary_Latn", dst="ary_Arab", keep_foreign=False, phonetic=phonetic)
        cands = candidates(word, src="ary_Latn", dst="ary_Arab", k=4, phonetic=phonetic)
        assert cands[0].text == out, word
        assert len({c.text for c in cands}) == len(cands)


def _search(word: str) -> str:
    zero = NgramTables(1, {}, {}, 0.0)
    return rank_rules(word, table=load_rule_table(), lm=zero, vocab={}, k=1, lm_weight=0.0, vocab_bonus=0.0)[
        0
    ][0]


def test_compiled_agrees_with_the_exact_search() -> None:
    table = load_rule_table()
    compiled = CompiledRules(table)
    words = [
        "khdmt", "chhal", "sift", "lmghrib", "3ammi", "tkhSiS", "dyal", "wach", "ghadi", "mchina",
        "elkhobz", "ou", "chouf", "tchina", "dj", "9alb", "bouchta", "mzyan", "lqahwa", "3aychin",
    ]  # fmt: skip
    words = [w for w in words if w not in table.lexicon]
    assert compiled.convert(words) == [_search(w) for w in words]
    assert compiled.convert([]) == [] and compiled.convert([""]) == [""]


def test_compiled_agrees_on_doda_words(shared: Path) -> None:
    """Real data: 400 DODa Arabizi words (evaluation use), compiled vs exact search."""
    import csv

    with open(shared / "data/doda/words_translit.tsv", encoding="utf-8", newline="") as fh:
        latin = [r["latin"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    table = load_rule_table()
    compiled = CompiledRules(table)
    words = [w for w in random.Random(7).sample(latin, 600) if w.isascii() and w.isalnum()]
    words = [compiled.fold(w) for w in words if w.lower() not in table.lexicon][:400]
    got = compiled.convert(words)
    agree = sum(g == _search(w) for g, w in zip(got, words, strict=True)) / len(words)
    assert len(words) == 400 and agree >= 0.98


def test_phonetic_errors() -> None:
    with pytest.raises(ConfigError, match="phonetic"):
        Transliterator(src="zgh_Tfng", dst="zgh_Latn", phonetic=True)
    with pytest.raises(ConfigError, match="drop one"):
        Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True, model="/nonexistent")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6))
def test_batch_never_raises_and_keeps_count(texts: list[str]) -> None:
    for phonetic in (False, True):
        out = transliterate_batch(texts, src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
        assert len(out) == len(texts)
        assert [o.count("\n") for o in out] == [t.count("\n") for t in texts]


def test_llr_memo_matches_the_two_models() -> None:
    foreign = default_model().foreign
    for word in ["document", "reunion", "bghit", "weekend", "khouya", "merci", "inchallah"]:
        diff = 0.0
        for lm, sign in ((foreign.foreign_lm, 1.0), (foreign.arabizi_lm, -1.0)):
            ctx = "\x02"
            for ch in word + "\x03":
                diff += sign * lm.score(ctx, ch)
                ctx = (ctx + ch)[-(lm.order - 1) :]
        assert foreign.llr(word) == pytest.approx(diff / (len(word) + 1), abs=1e-4)


def test_cli_phonetic_blocks_equal_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import aimm_nlp.cli.translit as cli

    monkeypatch.setattr(cli, "_BLOCK", 3)  # several blocks, one short
    lines = ["salam 3lik", "", "sift liya lmghrib 😂", "la réunion", "bzzzaf", "ⴰⵣⵓⵍ", "wach"]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["translit", "--phonetic", str(src)]) == 0
    out = capsys.readouterr().out.split("\n")
    assert out[:-1] == [transliterate(x, src="ary_Latn", dst="ary_Arab", phonetic=True) for x in lines]
    assert out[2] == "سيفت ليا لمغريب 😂" and out[-1] == ""
    assert main(["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn", "--phonetic", str(src)]) == 2


def test_decide_many_matches_decide() -> None:
    """The numpy scoring of the keep-foreign char models gives the dict walk's verdicts."""
    from aimm_nlp.text.translit._ngram_np import HashedNgrams

    foreign = default_model().foreign
    words = (
        "document réunion weekend meeting bghit khouya merci inchallah chouf ghadi 3afak wach "
        "bonjour tomobil tkhSiS hhhhh ok x' l’école salam mzyan formation rendez-vous kan"
    ).split()
    words = words * 2  # more than the small-batch cut-off
    assert foreign.decide_many(words) == [foreign._decide(w) for w in words]
    assert foreign.foreign_flags(words) == [foreign._decide(w).foreign for w in words]
    assert foreign.foreign_flags(words[:3]) == [True, True, True]  # small batch: the dict walk
    assert foreign.decide_many([]) == []
    scorer = HashedNgrams(foreign.foreign_lm, foreign.arabizi_lm)
    assert scorer.score_words([]).shape == (2, 0)
    with pytest.raises(ValueError, match="one order"):
        HashedNgrams(foreign.foreign_lm, NgramTables(2, {}, {}, -5.0))
