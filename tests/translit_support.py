"""Helpers of the transliteration search tests (tests/text/translit): the real words both the numpy and the
compiled search are checked on, byte for byte against the Python search. Import with
``from translit_support import ...`` (``tests/`` is on ``sys.path``).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Container
from pathlib import Path

from aimm_nlp.text.translit._rules import _case_fold


def real_arabizi_words(shared: Path, seed: int, lexicon: Container[str]) -> list[str]:
    """1,500 DODa words (evaluation use) and 1,500 Arabizi tweet words, sampled with ``seed``, case-folded,
    distinct, minus the words of ``lexicon`` (those never reach a search)."""
    with open(shared / "data/doda/words_translit.tsv", encoding="utf-8", newline="") as fh:
        doda = [r["latin"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    tweets = []
    for path in sorted((shared / "data/afrisenti_ma").glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                tweets.extend(t for t in row.get("tweet", row.get("text", "")).split() if t.isalnum())
    rng = random.Random(seed)
    words = rng.sample(sorted(set(doda)), 1500) + rng.sample(sorted(set(tweets)), 1500)
    return [w for w in dict.fromkeys(map(_case_fold, words)) if w and w not in lexicon]
