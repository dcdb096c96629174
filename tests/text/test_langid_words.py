"""tag_words / spans: the hand-labelled code-switch set and table-driven edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.langs import CORE_LANGS
from aimm_nlp.text import spans, tag_words

DATA = Path(__file__).resolve().parents[1] / "data" / "codeswitch_words.tsv"


def _rows() -> list[tuple[str, list[str]]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text\tlabels"
    return [(text, labels.split()) for text, labels in (line.split("\t") for line in lines[1:])]


def test_codeswitch_set_is_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 200
    allowed = {*CORE_LANGS, "other"}
    for text, labels in rows:
        assert set(labels) <= allowed, text
        assert len({lab for lab in labels if lab != "other"}) >= 2 or "other" in labels, text


def test_word_tag_accuracy_on_codeswitch_set() -> None:
    total = correct = 0
    for text, gold in _rows():
        pred = [w.lang for w in tag_words(text)]
        assert len(pred) == len(gold), (text, pred)
        total += len(gold)
        correct += sum(p == g for p, g in zip(pred, gold, strict=True))
    assert correct / total >= 0.90, correct / total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("ⵣ", [("ⵣ", "zgh_Tfng")]),
        ("😂", [("😂", "other")]),
        ("2024", [("2024", "other")]),
        (
            "@karim https://t.co/x #maroc",
            [("@karim", "other"), ("https://t.co/x", "other"), ("#maroc", "other")],
        ),
        ("bzaaaaaf", [("bzaaaaaf", "ary_Latn")]),
        ("send me the file ghda", None),
    ],
)
def test_tag_words_edge_cases(text: str, expected: list | None) -> None:
    tags = tag_words(text)
    for t in tags:
        assert text[t.start : t.end] == t.text
    if expected is not None:
        assert [(t.text, t.lang) for t in tags] == expected
    else:
        assert [t.lang for t in tags][:4] == ["eng_Latn"] * 4


def test_names_inside_a_sentence_are_other() -> None:
    tags = {t.text: t.lang for t in tag_words("mchina l Marrakech m3a Sara lbareh")}
    assert tags["Marrakech"] == tags["Sara"] == "other"
    assert tags["mchina"] == "ary_Latn"


def test_spans_merge_runs_and_cover_text() -> None:
    text = "ana ghadi l la réunion de demain, safi?"
    result = spans(text)
    assert [s.lang for s in result] == ["ary_Latn", "fra_Latn", "ary_Latn"]
    for s in result:
        assert text[s.start : s.end] == s.text
    assert spans("") == []


@pytest.mark.parametrize(
    "text", ["شفت le film ديال البارح", "مشيت la réunion ديال البارح", "شفت le match de foot ديال البارح"]
)
def test_arabic_script_with_french(text: str) -> None:
    labels = [t.lang for t in tag_words(text)]
    n_french = len(text.split()) - 3
    assert labels == ["ary_Arab"] + ["fra_Latn"] * n_french + ["ary_Arab", "ary_Arab"]


def test_long_line_words() -> None:
    line = "wach nta mzyan? je pense que oui. " * 3000
    tags = tag_words(line)
    assert len(tags) == 7 * 3000
    assert {t.lang for t in tags} <= {"ary_Latn", "fra_Latn"}
