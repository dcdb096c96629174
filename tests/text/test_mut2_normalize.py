"""Switch behaviour a mutation run found unpinned: ٪ under ``punctuation``, word-final digits under ``mask_numbers``."""

import pytest

from aimm_nlp.text import normalize

# (input, expected) with punctuation=True (digits are folded by default as well)
PUNCTUATION = [
    ("", ""),
    ("٪", "%"),
    ("،", ","),
    ("واش جيتي؟", "واش جيتي?"),
    ("الصولد ٥٠٪ 🔥", "الصولد 50% 🔥"),
    ("زوين، بزاااف؛ صافي؟", "زوين, بزاف; صافي?"),
    ("tkhfid 30٪ f l'marché", "tkhfid 30% f l'marché"),
]


@pytest.mark.parametrize(("text", "expected"), PUNCTUATION)
def test_punctuation_switch_maps_arabic_percent(text: str, expected: str) -> None:
    assert normalize(text, preset="auto.v1", punctuation=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٪", "٪"),
        ("الصولد ٥٠٪ 🔥", "الصولد 50٪ 🔥"),  # digits fold by default, ٪ only with punctuation=True
    ],
)
def test_arabic_percent_kept_by_default(text: str, expected: str) -> None:
    assert normalize(text, preset="ary_arab.v1") == expected


# (input, expected) with mask_numbers=True: a digit glued to a letter is Arabizi, before or after it
MASK_NUMBERS = [
    ("", ""),
    ("5", "[NUM]"),
    ("tla3 l 100 dh", "tla3 l [NUM] dh"),
    ("sme3t 3 merrat", "sme3t [NUM] merrat"),
    ("wa7d 2 wa9ila dyal rba3", "wa7d [NUM] wa9ila dyal rba3"),
    ("b 2,5 dh 😂", "b [NUM] dh 😂"),
    ("bzzzaaaf 10", "bzaf [NUM]"),
    ("جا ف ٢٠٢٤ و طلع3", "جا ف [NUM] و طلع3"),
    ("ⴰⵣⵓⵍ 12", "ⴰⵣⵓⵍ [NUM]"),
]


@pytest.mark.parametrize(("text", "expected"), MASK_NUMBERS)
def test_mask_numbers_leaves_word_final_arabizi_digits(text: str, expected: str) -> None:
    assert normalize(text, preset="auto.v1", mask_numbers=True) == expected
