"""Hypothesis properties for every preset: total, idempotent, untargeted scripts unchanged."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimm_nlp.text import describe_preset, normalize, preset_names

# Text made of what Moroccan data actually contains, plus anything Unicode.
_ALPHABET = st.sampled_from(
    list("واشنتامزيالهكبدرسةىأإآؤئءـًٌٍَُِّْٰڭڤپگکی٠١٢٣۴٥،؛؟ﻻﷲ")
    + list("abcdefghijklmnopqrstuvwxyzABCZéèàçœÉ3579")
    + list("ⴰⴱⴳⴷⵄⵅⵇⵉⵍⵎⵏⵓⵔⵙⵜⵡⵢⵣⵥⵯʷ")
    + list(" \t\u00a0\u200e\u200f\u061c\u200d\u200c\ufeff.,!?@#:/[]")
    + ["😂", "👍", "🏽", "👨", "\u0301", "\u0654", "\u0653", "www.", "https://", "[URL]", "@user"]
)
moroccan_text = st.lists(_ALPHABET, max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=60), moroccan_text)


@pytest.mark.parametrize("preset", preset_names())
@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_never_raises_and_idempotent(preset: str, text: str) -> None:
    once = normalize(text, preset=preset)
    assert isinstance(once, str)
    assert normalize(once, preset=preset) == once


@pytest.mark.parametrize("preset", preset_names())
@settings(max_examples=200, deadline=None)
@given(text=moroccan_text)
def test_idempotent_with_every_switch_on(preset: str, text: str) -> None:
    switches = dict.fromkeys(describe_preset(preset)["switches"], True)
    once = normalize(text, preset=preset, **switches)
    assert normalize(once, preset=preset, **switches) == once


# Letters of each script, without anything script-neutral rules may touch (spaces, controls).
_SCRIPT_LETTERS = {
    "Arab": "واشنتامزيالهكبدرسةڭڤپ",
    "Latn": "abcdefghijklmnopqrstuvwxyzéèàçœÉ",
    "Tfng": "ⴰⴱⴳⴷⵄⵅⵇⵉⵍⵎⵏⵓⵔⵙⵜⵡⵢⵣⵥⵯ",
}
_UNTARGETED = {
    preset: [s for s in _SCRIPT_LETTERS if s not in describe_preset(preset)["scripts"]]
    for preset in preset_names()
}


@pytest.mark.parametrize("preset", [p for p in preset_names() if _UNTARGETED[p]])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_untargeted_scripts_unchanged(preset: str, data: st.DataObject) -> None:
    letters = "".join(_SCRIPT_LETTERS[s] for s in _UNTARGETED[preset]) + "😂👍0123456789.,!?"
    words = data.draw(st.lists(st.text(alphabet=letters, min_size=1, max_size=12), max_size=8))
    text = " ".join(words)
    assert normalize(text, preset=preset) == text


# Issue 17: a Tifinagh letter + ʷ + a combining mark. ʷ becomes ⵯ (a Tifinagh letter) and the mark after it
# was composed only by the next call: normalize() was not idempotent under zgh_tfng.v1 and auto.v1.
@pytest.mark.parametrize(
    "text",
    [
        "\u2d46\u02b7\u0344",  # ⵆʷ + combining greek dialytika tonos (NFC: U+0308 U+0301)
        "\u2d30\u02b7\u0340",  # ⴰʷ + combining grave tone mark (NFC: U+0300)
        "\u2d33\u1d42\u0301\u0316",  # ⴳᵂ + marks out of canonical order (NFC reorders them)
        "ⴰⴳ\u02b7\u0341ⵎⴰⵔ ⴰⵣⵓⵍ",  # inside a real word
        "\u2d33\u200e\u02b7\u0344",  # a control between the letter and ʷ
    ],
)
@pytest.mark.parametrize("preset", ["zgh_tfng.v1", "auto.v1"])
def test_labial_then_combining_mark_is_idempotent(preset: str, text: str) -> None:
    once = normalize(text, preset=preset)
    assert "\u2d6f" in once and "\u02b7" not in once and "\u1d42" not in once
    assert normalize(once, preset=preset) == once


def _chars(first: int, last: int) -> list[str]:
    return [chr(c) for c in range(first, last + 1)]


# A base (Arabic, Arabizi, Tifinagh, tatweel, digit, emoji, space, mask-like tokens), perhaps ʷ/ᵂ, then
# up to three combining marks (all of U+0300-U+036F, Arabic harakat and hamza marks).
_BASES = st.sampled_from(
    _chars(0x0621, 0x064A)
    + list("ڭڤپگکیﻻﷲ\u0640")
    + list("abcdefghijklmnopqrstuvwxyzéç3579")
    + _chars(0x2D30, 0x2D67)
    + [
        "\u2d6f",
        "\u2d7f",
        "0",
        "7",
        "٣",
        "۴",
        "😂",
        "👍🏽",
        " ",
        "\u00a0",
        "\u200e",
        "\u200d",
        "@",
        "#",
        "www.",
    ]
)
_MARKS = st.sampled_from(_chars(0x0300, 0x036F) + _chars(0x064B, 0x0652) + ["\u0653", "\u0654", "\u0670"])
_CLUSTER = st.tuples(_BASES, st.sampled_from(["", "", "\u02b7", "\u1d42"]), st.lists(_MARKS, max_size=3)).map(
    lambda c: c[0] + c[1] + "".join(c[2])
)
clustered_text = st.lists(_CLUSTER, max_size=10).map("".join)


@pytest.mark.parametrize("preset", preset_names())
@settings(max_examples=400, deadline=None, database=None)
@given(text=clustered_text)
def test_idempotent_on_marks_after_labials_and_letters(preset: str, text: str) -> None:
    once = normalize(text, preset=preset)
    assert normalize(once, preset=preset) == once
