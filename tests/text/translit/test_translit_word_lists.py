"""A trained model reads a word list's multi-word entries as entries (issue 21): the batch, not the line
alone, tells a word list from running text, at use time and in the cross-validation that picks the rules."""

from __future__ import annotations

import pytest

from aimm_nlp.text.translit import Transliterator, _backoff

ENTRY = "la chokra 3ala wajib"  # a 4-word entry of DODa's word list
SENTENCE = "rah t9der xi nher nji lourzazat"
# Real word-list lines: one char, elongation, emoji, an empty line, digits as letters, two words.
WORDS = ["bzaf", "3lach", "wakha", "mzyan", "bzaaaaf", "a", "😂", "", "7na", "sba7 lkhir"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], []),
        ([0], ["short"]),
        ([4], ["long"]),
        ([1, 4], ["short", "long"]),  # too small to tell: by length
        ([1] * 101 + [4], ["short"] * 102),  # 1 line in 102 is long: a word list
        ([1] * 99 + [4], ["short"] * 99 + ["long"]),  # 1 in 100 is not under 1 %
        ([1] * 150 + [4, 7], ["short"] * 150 + ["long"] * 2),
        ([1, 6, 2, 5, 0], ["short", "long", "short", "long", "short"]),  # running text
    ],
)
def test_a_batch_is_a_word_list_when_its_long_lines_are_rare(words: list[int], expected: list[str]) -> None:
    assert _backoff.line_classes(words) == expected


@pytest.fixture(scope="module")
def routed() -> tuple[Transliterator, Transliterator, Transliterator]:
    """A transliterator whose two kinds of line read differently: short lines with the shipped rules'
    phonetic reading, long lines with the ranked default (as a trained model's two rules would)."""
    short = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True, keep_foreign=False)
    long = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=False)
    t = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=False)
    t._by_line = {"short": short, "long": long}
    assert short(ENTRY) != long(ENTRY)  # else the routing could not show
    return t, short, long


@pytest.mark.parametrize("copies", [11, 20])
def test_a_word_lists_multi_word_entry_is_read_as_an_entry(routed: tuple, copies: int) -> None:
    t, short, long = routed
    lines = WORDS * copies + [ENTRY]  # 1 long line in 111 or 201
    out = t.batch(lines)
    assert out == [short(x) for x in lines]
    assert out[-1] == short(ENTRY) and t(ENTRY) == long(ENTRY)  # alone, a 4-word line is running text


@pytest.mark.parametrize(
    "lines",
    [
        [ENTRY],
        [*WORDS, ENTRY],  # 1 in 11: too few lines to call it a word list
        WORDS * 3 + [SENTENCE, ENTRY, "ana bghit nmchi l dar daba m3a khouya 😂😂"],
        ["", ENTRY, "3afak sift liya lmghrib", "bzaaaaaf", SENTENCE],
    ],
)
def test_running_text_lines_are_read_by_their_length(routed: tuple, lines: list[str]) -> None:
    t, short, long = routed
    expected = [(long if _backoff.line_class(len(x.split())) == "long" else short)(x) for x in lines]
    assert t.batch(lines) == expected == [t(x) for x in lines]


def _rows(entries: int, sentences: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Cross-validation rows (target, source, word pairs): ``entries`` one-word entries and one 4-word
    entry in a word list, ``sentences`` sentences of 4 words."""
    words = [(f"w{i}", f"ب{i}") for i in range(max(entries, 4 * sentences))]
    rows = [(ar, "words.csv", [(la, ar)]) for la, ar in words[:entries]]
    rows.append(("ع ل ا و", "words.csv", [("3", "ع"), ("l", "ل"), ("a", "ا"), ("w", "و")]))
    for i in range(sentences):
        wp = words[4 * i : 4 * i + 4]
        rows.append((" ".join(ar for _, ar in wp), "sentences", wp))
    return rows


@pytest.mark.parametrize(
    ("entries", "entry_kind"),
    [(150, "short"), (60, "long")],  # 1 long line in 151 rows: a word list; 1 in 61 is not
)
def test_cross_validation_reads_a_sources_rows_as_one_batch(
    monkeypatch: pytest.MonkeyPatch, entries: int, entry_kind: str
) -> None:
    """The rules are chosen on the lines as use will read them: each source of the pair file is a batch."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    rows = _rows(entries, 40)
    _, report = _backoff.choose_rules(
        rows,
        train=lambda pairs: lambda word, k: [(word, 0.0)],
        shipped=lambda words: list(words),
        vocab=set(),
        seed=0,
    )
    entry = 4 if entry_kind == "short" else 0
    assert report["short"]["words"] == entries + entry
    assert report["long"]["words"] == 160 + 4 - entry
    assert report["short"]["sources"] == {"words.csv": entries + entry}
