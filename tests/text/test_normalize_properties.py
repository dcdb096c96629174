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
