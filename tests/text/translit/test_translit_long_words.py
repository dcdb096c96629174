"""A very long Arabizi "word" (a laugh, a keyboard mash, a base64 blob in a tweet) is searched in pieces:
the ranked search keeps every prefix, so one 8,000-character word took 1 GB and a 40,000-character one
was killed by the kernel (issue 17, bad input found by the text helper).

About internals: the piece length and the elongation squeeze come from the private
``aimm_nlp.text.translit._transliterator``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from aimm_nlp.text.translit import Transliterator, candidates, transliterate
from aimm_nlp.text.translit import _transliterator as translit

LIMIT = translit._MAX_WORD


@pytest.mark.parametrize(
    "word",
    [
        "kh" * 100,
        "hahahahaha" * 30,
        "3afak" * 50,
        "wa9ila" * 20 + "bzaaaaaaaaf",
        "ab" * 21,
        "ch" * 21,
    ],
    ids=lambda w: f"{w[:6]}..{len(w)}",
)
@pytest.mark.parametrize("phonetic", [False, True])
def test_a_long_word_is_the_pieces_spelled_one_after_the_other(word: str, phonetic: bool) -> None:
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic, keep_foreign=False)
    squeezed = translit._ELONGATION.sub(translit._ONE, word)
    assert len(squeezed) > LIMIT
    pieces = [squeezed[i : i + LIMIT] for i in range(0, len(squeezed), LIMIT)]
    if not phonetic:  # the phonetic reading is letter by letter already (linear), not split
        assert t(word) == "".join(t._rank(p, 1)[0][0] for p in pieces)
    (best,) = candidates(word, src="ary_Latn", dst="ary_Arab", phonetic=phonetic, k=5)
    assert best.text == "".join(t._rank(p, 1)[0][0] for p in pieces) and best.prob == 1.0
    assert t.batch([word, "salam " + word]) == [t(word), t("salam") + " " + t(word)]


@pytest.mark.parametrize("word", ["3afak", "sbe7", "lmghrib", "kaydaaaaaf3o", "x" * LIMIT])
def test_words_up_to_the_limit_are_searched_whole(word: str) -> None:
    t = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=False)
    ranked = t.model.rank(translit._ELONGATION.sub(translit._ONE, word), k=3)
    assert [(c.text, c.cost) for c in candidates(word, src="ary_Latn", dst="ary_Arab", k=3)] == ranked
    assert transliterate(word, src="ary_Latn", dst="ary_Arab", keep_foreign=False) == ranked[0][0]


def test_memory_and_time_stay_linear_on_one_huge_word() -> None:
    script = textwrap.dedent(
        """
        import resource, time
        from aimm_nlp.text import transliterate
        transliterate("salam", src="ary_Latn", dst="ary_Arab")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        out = transliterate("kh" * 4000 + " 3afak " + "wa9" * 3000, src="ary_Latn", dst="ary_Arab")
        seconds = time.perf_counter() - start
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
        print(len(out.split()), grown, round(seconds, 2))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    words, grown_mb, seconds = proc.stdout.split()
    assert words == "3"
    assert int(grown_mb) < 100, f"grew by {grown_mb} MB"  # before: over 1 GB
    assert float(seconds) < 20
