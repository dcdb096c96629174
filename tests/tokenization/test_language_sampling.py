"""sample_by_language(): temperature moves the shares of the training mix the documented way.

Documented: language l gets a character share proportional to (chars_l / total) ** (1 / T).
With a 9:1 corpus the small language's share is 1 / (1 + 9 ** (1 / T)), by hand:
T=1 -> 1/10, T=2 -> 1/(1+3) = 0.25, T=4 -> 1/(1+sqrt 3) = 0.3660, T=0.5 -> 1/(1+81) = 0.0122.
"""

from __future__ import annotations

import pytest

from aimm_nlp.tokenization._corpus import sample_by_language

# Every text has exactly 20 characters: 900 Darija texts vs 100 Tifinagh texts is 18000:2000 = 9:1.
DARIJA = ["واش نتا مزيان؟ لاباس", "شنو كدير اليوم؟ والو", "الله يعطيك الصحة آخي"]
TIFINAGH = ["ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ", "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ", "ⵉⴷⴷⴰ ⵓⵔⴳⴰⵣ ⵖⵔ ⵜⵎⴷⵉⵏⵜ"]
BY_LANG = {
    "ary_Arab": [DARIJA[i % 3] for i in range(900)],
    "zgh_Tfng": [TIFINAGH[i % 3] for i in range(100)],
}


def test_corpus_is_nine_to_one() -> None:
    chars = {lang: sum(map(len, texts)) for lang, texts in BY_LANG.items()}
    assert chars == {"ary_Arab": 18_000, "zgh_Tfng": 2_000}


def test_temperature_one_keeps_the_natural_mix_exactly() -> None:
    texts, stats = sample_by_language(BY_LANG, temperature=1.0)
    assert stats["ary_Arab"] == {"texts": 900, "chars": 18_000, "share": 0.9}
    assert stats["zgh_Tfng"] == {"texts": 100, "chars": 2_000, "share": 0.1}
    assert len(texts) == 1000


# Away from T=1 texts are subsampled/repeated at random (seeded): with these sizes the realized
# share has sd <= 0.006 and the total sd ~1.5%, so the tolerances (0.02, 5%) are > 3 sd.
@pytest.mark.parametrize(
    ("temperature", "small_share"),
    [(0.5, 1 / 82), (1.0, 0.1), (2.0, 0.25), (4.0, 1 / (1 + 3**0.5))],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_language_share_follows_the_temperature_formula(
    temperature: float, small_share: float, seed: int
) -> None:
    _, stats = sample_by_language(BY_LANG, temperature=temperature, seed=seed)
    assert stats["zgh_Tfng"]["share"] == pytest.approx(small_share, abs=0.02)
    assert stats["ary_Arab"]["share"] == pytest.approx(1 - small_share, abs=0.02)
    total = stats["ary_Arab"]["chars"] + stats["zgh_Tfng"]["chars"]
    assert total == pytest.approx(20_000, rel=0.05)  # the total stays about the same


def test_higher_temperature_gives_the_small_language_more() -> None:
    shares = [sample_by_language(BY_LANG, temperature=t)[1]["zgh_Tfng"]["share"] for t in (0.5, 1, 2, 4)]
    assert shares == sorted(shares) and shares[2] > 2 * shares[1]
