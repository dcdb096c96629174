"""The text functions given the wrong kind of value: a clear TypeError or error naming what to pass,
never a silent per-character result (a str where a list of texts is expected) or an obscure message."""

from __future__ import annotations

import pytest

from aimm_nlp.errors import UnknownNameError
from aimm_nlp.text import Normalizer, describe_preset, identify, identify_batch, normalize, normalize_batch
from aimm_nlp.text.langid import spans, tag_words
from aimm_nlp.text.translit import Transliterator, transliterate, transliterate_batch

ARABIZI = Transliterator(src="ary_Latn", dst="ary_Arab")
TIFINAGH = Transliterator(src="zgh_Tfng", dst="zgh_Latn")


# (call, error type, message). Before: per-character lists, or "'int' object is not iterable".
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: normalize_batch("واااش نتا"), TypeError, "takes a list of texts, not one str"),
        (lambda: Normalizer().batch("bzzzaaaf"), TypeError, "takes a list of texts, not one str"),
        (lambda: transliterate_batch("3lach", src="ary_Latn", dst="ary_Arab"), TypeError, "not one str"),
        (lambda: ARABIZI.batch("3afak"), TypeError, "not one str"),
        (lambda: TIFINAGH.batch("ⴰⵣⵓⵍ"), TypeError, "not one str"),
        (lambda: identify_batch("salam 3likom"), TypeError, "use identify() for one text"),
        (lambda: normalize(12), TypeError, "normalize() takes a str, got int"),
        (lambda: normalize(b"salam"), TypeError, "normalize() takes a str, got bytes"),
        (lambda: normalize(["واش"]), TypeError, "normalize() takes a str, got list"),
        (lambda: transliterate(12, src="ary_Latn", dst="ary_Arab"), TypeError, "takes a str, got int"),
        (lambda: transliterate(None, src="zgh_Tfng", dst="zgh_Latn"), TypeError, "takes a str, got NoneType"),
        (lambda: ARABIZI.batch(["3lach", None]), TypeError, "texts[1] is NoneType, not str"),
        (lambda: TIFINAGH.batch(["ⴰⵣⵓⵍ", b"x"]), TypeError, "texts[1] is bytes, not str"),
        (lambda: normalize("x", preset=None), UnknownNameError, "preset must be a name such as 'auto.v1', got None"),
        (lambda: normalize("x", preset=3), UnknownNameError, "got 3; valid presets: arb.v1"),
        (lambda: describe_preset(None), UnknownNameError, "preset must be a name"),
        (lambda: Normalizer(["auto"]), UnknownNameError, "preset must be a name"),
    ],
)  # fmt: skip
def test_wrong_kinds_of_value_are_named(call, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as err:
        call()
    assert message in str(err.value)


@pytest.mark.parametrize("value", [None, "", "\ud800", "ⴰ\ud800ʷ\u0344", "3lach\udfffbzaf"])
def test_none_empty_and_lone_surrogates_never_raise(value: str | None) -> None:
    """A lone surrogate (common in scraped tweets) goes through every text function."""
    assert normalize(value) == value if not value else isinstance(normalize(value), str)
    assert identify(value).lang in {"und", "ary_Latn", "zgh_Tfng", "ber_Latn", "eng_Latn", "fra_Latn"}
    assert isinstance(tag_words(value), list) and isinstance(spans(value or ""), list)
    if value is not None:
        assert isinstance(transliterate(value, src="ary_Latn", dst="ary_Arab"), str)
        assert isinstance(transliterate(value, src="zgh_Tfng", dst="zgh_Latn"), str)
