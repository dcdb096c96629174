"""Transliteration scores (_eval.score): folded and strict CER and word-exact, computed by hand.

About internals: the scorer is the private ``aimm_nlp.text.translit._eval`` (behind
``evaluate_transliteration`` and ``benchmarks/bench_translit.py``).

Each row gives (edits, reference length) for folded CER (letters only: marks, tatweel, spaces and
punctuation dropped; أ إ آ ٱ -> ا, ى -> ي, ة -> ه) and strict CER (NFC, whitespace collapsed), and
(hits, reference words) for word-exact, so a wrong fold or a constant score shows up as a wrong fraction.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from aimm_nlp.text.translit._eval import Scores, fold, score

# (hyp, ref, folded (edits, len), strict (edits, len), word-exact (hits, words))
PAIRS = [
    ("شحال هادي", "شحال هادي", (0, 8), (0, 9), (2, 2)),
    ("مدرسه", "مدرسة", (0, 5), (1, 5), (1, 1)),  # ة -> ه: equal once folded
    ("المدرسه زوينه", "المدرسة زوينة", (0, 12), (2, 13), (2, 2)),
    ("انا", "أنا", (0, 3), (1, 3), (1, 1)),  # أ -> ا
    ("حتى", "حتي", (0, 3), (1, 3), (1, 1)),  # ى -> ي
    ("كلشي", "كُلّشي", (0, 4), (2, 6), (1, 1)),  # damma and shadda dropped
    ("بغيت نمشي", "بغيت نمشيو", (1, 9), (1, 10), (1, 2)),  # same word count: by position
    ("واش نتا", "واش نتا مزيان", (5, 11), (6, 13), (2, 3)),  # fewer words: by common subsequence
    ("واش نتا؟", "واش نتا", (0, 6), (1, 7), (2, 2)),  # punctuation counts only when strict
    ("زوين 😍", "زوين", (0, 4), (2, 4), (1, 1)),  # emoji
    ("ـسلاااام", "سلام", (3, 4), (4, 4), (0, 1)),  # tatweel folded, elongation is not
    ("ش", "س", (1, 1), (1, 1), (0, 1)),  # one char
    ("", "سلام", (4, 4), (4, 4), (0, 1)),
    ("", "", (0, 0), (0, 0), (0, 0)),
    ("azul", "Azul", (1, 4), (1, 4), (0, 1)),  # Latin: case is not folded
    ("ⴰⵣⵓⵍ", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", (6, 10), (7, 11), (1, 2)),  # Tifinagh
]


def _ratio(pair: tuple[int, int]) -> Fraction:
    return Fraction(pair[0], max(pair[1], 1))


@pytest.mark.parametrize(("hyp", "ref", "folded", "strict", "words"), PAIRS)
def test_score_one_pair(
    hyp: str, ref: str, folded: tuple[int, int], strict: tuple[int, int], words: tuple[int, int]
) -> None:
    overall, per = score([hyp], [ref])
    assert per == {}
    assert overall.n == 1
    assert len(fold(ref)) == folded[1]
    assert overall.cer_folded == pytest.approx(float(_ratio(folded)), abs=1e-12)
    assert overall.cer_strict == pytest.approx(float(_ratio(strict)), abs=1e-12)
    assert overall.word_exact == pytest.approx(float(_ratio(words)), abs=1e-12)


def test_score_sums_edits_over_pairs_and_per_source() -> None:
    rows = [PAIRS[1], PAIRS[6], PAIRS[7]]  # مدرسه (news), بغيت نمشي (chat), واش نتا (chat)
    sources = ["news", "chat", "chat"]
    overall, per = score([r[0] for r in rows], [r[1] for r in rows], sources=sources)

    def expected(sel: list[tuple]) -> Scores:
        def total(k: int) -> float:
            return sum(r[k][0] for r in sel) / sum(r[k][1] for r in sel)

        return Scores(len(sel), total(2), total(3), total(4))

    # micro-averages: (0+1+5)/(5+9+11) folded, (1+1+6)/(5+10+13) strict, (1+1+2)/(1+2+3) words
    assert overall.to_dict() == expected(rows).to_dict()
    assert overall.to_dict() == {"n": 3, "cer_folded": 0.24, "cer_strict": 0.2857, "word_exact": 0.6667}
    assert per["news"].to_dict() == expected(rows[:1]).to_dict()
    assert per["chat"].to_dict() == {"n": 2, "cer_folded": 0.3, "cer_strict": 0.3043, "word_exact": 0.6}
    assert set(per) == {"news", "chat"}
