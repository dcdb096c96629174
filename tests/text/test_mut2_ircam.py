"""Latin -> Tifinagh (IRCAM) composes every decomposed emphatic (letter + U+0323), ẓ included."""

import pytest

from aimm_nlp.text import transliterate

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
