"""Exact dedup hashes the *normalized* text and keeps the first copy (found by mutation testing).

Variants that the default normalizer folds (letter elongation, tatweel) are the same document;
case is not folded, so ``Wach`` and ``wach`` stay two documents.
"""

from __future__ import annotations

import pytest
from datasets import Dataset

from aimm_nlp.corpus import clean

DOCS = [
    ("واش نتا مزيااااان؟", "ary_Arab"),
    ("واش نتا مزيان؟", "ary_Arab"),  # elongation folded: duplicate of the first
    ("الحمد لله", "ary_Arab"),
    ("الحمـــد لله", "ary_Arab"),  # tatweel removed: duplicate of the third
    ("salam labas 3lik", "ary_Latn"),
    ("salaaaaam labas 3lik", "ary_Latn"),  # elongation folded: duplicate
    ("wach nta mzyan", "ary_Latn"),
    ("Wach nta mzyan", "ary_Latn"),  # case is kept: a different document
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "zgh_Tfng"),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "zgh_Tfng"),  # byte-identical
]


def make(docs: list[tuple[str, str]]) -> Dataset:
    return Dataset.from_dict({"text": [t for t, _ in docs], "lang": [lang for _, lang in docs]})


@pytest.mark.parametrize(
    ("normalize", "dedup", "expected"),
    [
        (
            "auto",
            "exact",
            [
                "واش نتا مزيان؟",
                "الحمد لله",
                "salam labas 3lik",
                "wach nta mzyan",
                "Wach nta mzyan",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
            ],
        ),
        (  # no normalizer: only the byte-identical Tifinagh pair is a duplicate
            None,
            "exact",
            [t for t, _ in DOCS[:9]],
        ),
        (  # no dedup: every normalized document is kept, duplicates included
            "auto",
            None,
            [
                "واش نتا مزيان؟",
                "واش نتا مزيان؟",
                "الحمد لله",
                "الحمد لله",
                "salam labas 3lik",
                "salam labas 3lik",
                "wach nta mzyan",
                "Wach nta mzyan",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
            ],
        ),
    ],
)
def test_exact_dedup_on_normalized_text(normalize, dedup, expected) -> None:
    out, report = clean(make(DOCS), normalize=normalize, dedup=dedup, quality=None)
    assert list(out["text"]) == expected
    removed = {s.name: s.removed for s in report.steps}
    assert removed.get("exact_dup", 0) == len(DOCS) - len(expected)


def test_first_copy_is_kept_with_its_own_label() -> None:
    docs = [
        ("salam labas 3lik", "ary_Latn"),
        ("wach nta mzyan", "ary_Latn"),
        ("salaaam labas 3lik", "fra_Latn"),
    ]
    out, _ = clean(make(docs), dedup="exact", quality=None)
    assert list(zip(out["text"], out["lang"], strict=True)) == [
        ("salam labas 3lik", "ary_Latn"),
        ("wach nta mzyan", "ary_Latn"),
    ]
