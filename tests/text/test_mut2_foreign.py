"""Keep-foreign: a French suffix alone does not make a word foreign; the char models must lean foreign too."""

import pytest

from aimm_nlp.text.translit._foreign import ForeignDetector, WordEvidence
from aimm_nlp.text.translit._ngram import train_ngram

# Darija-fied French loans (article l- glued on), outside both lexicons, ending in a listed suffix
SUFFIXED = ["lmoteur", "lpolitique", "lmoment"]


@pytest.fixture(scope="module")
def neutral() -> ForeignDetector:
    # the same model on both sides: every log-likelihood ratio is exactly 0.0
    lm = train_ngram([("ghadi nbeddel lmoteur", 1.0), ("lpolitique dyal lmoment", 1.0)], order=3)
    return ForeignDetector(lm, lm, set())


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        *[(w, WordEvidence(False, "default", 0.0)) for w in SUFFIXED],
        ("lkhedma", WordEvidence(False, "default", 0.0)),  # no suffix: same verdict
        ("réunion", WordEvidence(True, "accent")),  # lexical evidence does not need the models
        ("3afak", WordEvidence(False, "arabizi_digit")),
        ("7na", WordEvidence(False, "arabizi_digit")),
        ("", WordEvidence(False, "default")),
    ],
)
def test_suffix_needs_a_positive_ratio(neutral: ForeignDetector, word: str, expected: WordEvidence) -> None:
    assert neutral.decide(word) == expected


def test_suffix_needs_a_positive_ratio_in_batches(neutral: ForeignDetector) -> None:
    words = [*SUFFIXED, "lkhedma", "réunion"]
    assert neutral.foreign_flags(words) == [False, False, False, False, True]
    assert [e.foreign for e in neutral.decide_many(words)] == [False, False, False, False, True]
    many = words * 13  # 65 words: the numpy batch path
    assert neutral.foreign_flags(many) == [False, False, False, False, True] * 13
    assert [e.reason for e in neutral.decide_many(many)] == [*["default"] * 4, "accent"] * 13
