"""langid feature cleaning: what ``prepare`` keeps of a text, character by character."""

import pytest

from aimm_nlp.text.langid._features import prepare

_DIGIT = 0xE000  # prepare moves ASCII digits to the private-use area


def _cleaned(text: str) -> str:
    codes, offsets = prepare([text])
    assert offsets.tolist() == [0, len(codes)]
    return "".join(str(c - _DIGIT) if _DIGIT <= c < _DIGIT + 10 else chr(c) for c in codes.tolist())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", " \x00"),
        ("a", " a \x00"),
        # Persian/Urdu keyboard forms fold to the Arabic letters
        ("کیفاش", " كيفاش \x00"),
        ("ی", " ي \x00"),
        ("ۃ", " ة \x00"),
        ("بغیت نمشی", " بغيت نمشي \x00"),
        # diacritics and tatweel go, elongation keeps two letters
        ("سَلام", " سلام \x00"),
        ("ســلام", " سلام \x00"),
        ("ههههههه", " هه \x00"),
        ("مزيااااان 😂", " مزياان \x00"),
        # Latin is lowercased; digits stay only next to a letter
        ("Salam 2024 3likom", " salam 3likom \x00"),
        ("ⴰⵣⵓⵍ", " ⴰⵣⵓⵍ \x00"),
        ("@user #hashtag https://x.ma سلام", " سلام \x00"),
    ],
)
def test_prepare_cleans(text: str, expected: str) -> None:
    assert _cleaned(text) == expected


def test_prepare_same_features_for_keyboard_variants() -> None:
    a, _ = prepare(["واش کاین شی حاجة؟"])
    b, _ = prepare(["واش كاين شي حاجة؟"])
    assert a.tolist() == b.tolist()
