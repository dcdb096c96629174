"""dominant_script on ties and elongated text: the order of the tie-break is part of the contract."""

import pytest

from aimm_nlp.text import dominant_script


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
