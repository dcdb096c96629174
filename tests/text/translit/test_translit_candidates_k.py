"""``candidates(k=...)``: k spellings at most, and k below 1 is an error, for every kind of pair."""

from __future__ import annotations

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.text import candidates


@pytest.mark.parametrize(
    ("word", "src", "dst", "k", "at_most"),
    [
        ("sbe7", "ary_Latn", "ary_Arab", 1, 1),
        ("sbe7", "ary_Latn", "ary_Arab", 3, 3),
        ("bzzzzaf", "ary_Latn", "ary_Arab", 2, 2),  # elongation
        ("s", "ary_Latn", "ary_Arab", 5, 5),  # one letter
        ("مرحبا", "arb_Arab", "bw", 5, 1),  # deterministic: exactly one
        ("ⴰⵣⵓⵍ", "zgh_Tfng", "zgh_Latn", 5, 1),
    ],
)
def test_k_bounds_the_candidates(word: str, src: str, dst: str, k: int, at_most: int) -> None:
    got = candidates(word, src=src, dst=dst, k=k)
    assert 1 <= len(got) <= at_most
    assert abs(sum(c.prob for c in got) - 1.0) < 1e-3


@pytest.mark.parametrize("k", [0, -1, 2.5, "3", None, True])
@pytest.mark.parametrize(
    ("word", "src", "dst"), [("sbe7", "ary_Latn", "ary_Arab"), ("مرحبا", "arb_Arab", "bw")]
)
def test_k_below_one_is_an_error(word: str, src: str, dst: str, k: int) -> None:
    with pytest.raises(ConfigError, match="k must be at least 1"):
        candidates(word, src=src, dst=dst, k=k)
