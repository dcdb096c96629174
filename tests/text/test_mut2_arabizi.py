"""Arabic -> Arabizi glide and article rules on words outside the lexicon (the rules alone decide)."""

import pytest

from aimm_nlp.text import transliterate

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
