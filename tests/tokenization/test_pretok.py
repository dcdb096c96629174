from __future__ import annotations

import pytest

from aimm_nlp.tokenization import pretokenize
from aimm_nlp.tokenization._pretok import PATTERN, TIFINAGH_BLOCK, base_alphabet

CASES = [
    ("", []),
    ("و", ["و"]),
    ("3lach", ["3lach"]),
    ("3lach ma jitich", ["3lach", " ma", " jitich"]),
    ("f 2024", ["f", " 2024"]),
    ("7na b9a 2024m", ["7na", " b9a", " 2024m"]),
    ("واش نتا مزيان؟", ["واش", " نتا", " مزيان؟"]),
    ("l'homme aujourd'hui", ["l'homme", " aujourd'hui"]),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", ["ⴰⵣⵓⵍ", " ⴼⵍⵍⴰⵡⵏ"]),
    ("salam 😀😀", ["salam", " 😀😀"]),
    ("واااش bzzzaaaf", ["واااش", " bzzzaaaf"]),
    ("a  b\n", ["a", " ", " b", "\n"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_pretokenize_table(text: str, expected: list[str]) -> None:
    assert pretokenize(text) == expected
    assert "".join(pretokenize(text)) == text


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_hf_split_matches_python_regex(text: str, expected: list[str]) -> None:
    from tokenizers import Regex, pre_tokenizers

    split = pre_tokenizers.Split(Regex(PATTERN), behavior="isolated")
    assert [piece for piece, _ in split.pre_tokenize_str(text)] == expected


def test_alphabet_has_whole_tifinagh_block() -> None:
    alphabet = set(base_alphabet())
    assert len(TIFINAGH_BLOCK) == 0x50
    assert set(TIFINAGH_BLOCK) <= alphabet
    assert {"ڭ", "ڤ", "é", "3", "\xa0", "\u2009", "«", "’", "½"} <= alphabet
    assert "\x00" not in alphabet
