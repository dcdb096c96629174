import pytest

from aimm_nlp.text import dominant_script, script_of, script_runs


@pytest.mark.parametrize(
    ("ch", "script"),
    [
        ("ا", "Arab"),
        ("ڭ", "Arab"),
        ("ڤ", "Arab"),
        ("ـ", "Arab"),  # tatweel belongs to the Arabic block
        ("٣", "Arab"),  # Arabic-Indic digit
        ("؟", "Arab"),
        ("ﻻ", "Arab"),  # presentation form
        ("a", "Latn"),
        ("é", "Latn"),
        ("œ", "Latn"),
        ("ɛ", "Latn"),  # Kabyle/Amazigh Latin
        ("ɣ", "Latn"),
        ("ⵣ", "Tfng"),
        ("ⵯ", "Tfng"),
        ("3", "Other"),
        (" ", "Other"),
        ("😂", "Other"),
        ("!", "Other"),
    ],
)
def test_script_of(ch: str, script: str) -> None:
    assert script_of(ch) == script


@pytest.mark.parametrize("bad", ["", "ab"])
def test_script_of_rejects_non_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="one character"):
        script_of(bad)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("", []),
        ("a", [("Latn", "a")]),
        ("salam سلام", [("Latn", "salam"), ("Other", " "), ("Arab", "سلام")]),
        ("3lach", [("Other", "3"), ("Latn", "lach")]),
        ("ⴰⵣⵓⵍ 👋", [("Tfng", "ⴰⵣⵓⵍ"), ("Other", " 👋")]),
        ("e\u0301cole", [("Latn", "e\u0301cole")]),  # combining mark joins its base
        ("réunion ديال", [("Latn", "réunion"), ("Other", " "), ("Arab", "ديال")]),
    ],
)
def test_script_runs(text: str, runs: list[tuple[str, str]]) -> None:
    got = script_runs(text)
    assert [(r.script, r.text) for r in got] == runs
    assert "".join(r.text for r in got) == text
    assert all(text[r.start : r.end] == r.text for r in got)


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("", "Other"),
        ("123 😂", "Other"),
        ("واش نتا مزيان", "Arab"),
        ("ana ghadi l réunion, صافي", "Latn"),
        ("ⵜⴰⵎⴰⵣⵉⵖⵜ ok", "Tfng"),
    ],
)
def test_dominant_script(text: str, script: str) -> None:
    assert dominant_script(text) == script


# dominant_script on ties and elongated text: the order of the tie-break is part of the contract. (found by a mutation run)
@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("", "Other"),
        ("a", "Latn"),
        ("ع", "Arab"),
        ("ⵣ", "Tfng"),
        ("😂👍 2024", "Other"),
        # ties: Arab before Latn before Tfng, whatever comes first in the text
        ("ana انا", "Arab"),
        ("انا ana", "Arab"),
        ("azul ⴰⵣⵓⵍ", "Latn"),
        ("ⴰⵣⵓⵍ azul", "Latn"),
        ("ⴰⵣⵓⵍ سلام", "Arab"),
        ("سلام ⴰⵣⵓⵍ", "Arab"),
        # every letter counts, elongation included: 8 Arabic letters against 5 Latin
        ("سلااااام 😂 salam", "Arab"),
        ("ok ⵣ", "Latn"),
        ("ⵣⵣⵣ ok", "Tfng"),
    ],
)
def test_dominant_script_ties_and_counts(text: str, script: str) -> None:
    assert dominant_script(text) == script
