"""The ranked Arabizi search compiled with numba: the same spellings as the Python search, word for word.

About internals: the private ``aimm_nlp.text.translit._jit`` ranker against ``_model``'s Python one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.text.translit import Transliterator, _model
from aimm_nlp.text.translit._jit import JitRanker
from aimm_nlp.text.translit._model import RuleRanker, default_model
from aimm_nlp.text.translit._rules import _case_fold
from translit_support import real_arabizi_words

# Words the compiled search must spell exactly as rank_rules(k=1): every branch of the rule
# cascade (initial, final, before a doubled consonant, lowercased), graphemes it does not know,
# emphatic capitals, one letter, emoji and Arabic letters inside a Latin word, a long word.
EDGE = [
    "e", "3", "é", "'", "l'", "x", "eeoo", "3lach", "7na", "bzaf", "9lb", "lmghrib", "khdmt",
    "tkhSiS", "ttT", "3ammi", "shhel", "elkhobz", "ouaouaouaouaoua", "aeiouaeiouaeiou",
    "yéyéyéyé", "a😀b", "bّ", "كتاب", "dyalk", "mchina", "tchina", "bouchta", "Zwin", "x" * 64,
    "réunion", "weekend", "ghadi", "lqahwa", "3aychin", "mzyan", "2", "5dma",
]  # fmt: skip


@pytest.fixture(scope="module")
def ranker() -> RuleRanker:
    model = default_model()
    assert isinstance(model, RuleRanker)
    return model


@pytest.fixture(scope="module")
def jit(ranker: RuleRanker) -> JitRanker:
    return JitRanker(
        ranker.table,
        ranker.lm,
        ranker.vocab,
        lm_weight=ranker.lm_weight,
        vocab_bonus=ranker.vocab_bonus,
        beam=ranker.beam,
    )


def _python(ranker: RuleRanker, words: list[str]) -> list[str]:
    return [ranker.rank(w, k=1)[0][0] for w in words]


def test_edge_words_match_the_python_search(ranker: RuleRanker, jit: JitRanker) -> None:
    words = [w for w in map(_case_fold, EDGE) if w not in ranker.table.lexicon]
    assert len(words) >= 30
    assert jit.best_many(words) == _python(ranker, words)
    assert jit.best_many([]) == []


def test_one_word_calls_match_a_batch(ranker: RuleRanker, jit: JitRanker) -> None:
    # One-word calls take their own path out of the kernel; the merge tables are reused across calls.
    # A final sigma lowercases by context ("ΣΑΣ".lower() == "σας"): word by word, as the search does.
    words = [w for w in map(_case_fold, [*EDGE, "ΣΑΣ", "oΣ", "Σo"]) if w not in ranker.table.lexicon]
    expected = _python(ranker, words)
    assert [jit.best_many([w])[0] for w in words] == expected
    assert jit.best_many(words) == expected
    assert jit.best_many(["", "bzaf", ""]) == [None, *_python(ranker, ["bzaf"]), None]
    assert [jit.best_many([w]) for w in ("", "İstanbul", "b" * 65)] == [[None]] * 3


def test_doda_and_tweet_words_match_the_python_search(
    ranker: RuleRanker, jit: JitRanker, shared: Path
) -> None:
    """Real data: 1,500 DODa words (evaluation use) and 1,500 Arabizi tweet words, byte for byte."""
    words = real_arabizi_words(shared, 11, ranker.table.lexicon)
    got = jit.best_many(words)
    assert None not in got
    assert got == _python(ranker, words)


def test_words_it_cannot_hold_are_left_to_python(ranker: RuleRanker) -> None:
    # A letter whose lowercase is longer (İ -> i̇), layers over capacity (a beam of 1,000), 65 letters.
    wide = JitRanker(ranker.table, ranker.lm, ranker.vocab, lm_weight=0.2, vocab_bonus=3.0, beam=1000)
    assert wide.best_many(["İstanbul", "ouaouaouaouaouaou", "b" * 65, "bzf"])[:3] == [None, None, None]
    assert wide.best_many(["bzf"])[0] is not None


@pytest.mark.usefixtures("without_native")
def test_best_many_switches_to_the_compiled_search(
    ranker: RuleRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = ["sift", "lmghrib", "İstanbul", "bzaf", "7na", "KHDMT", "3afak", "dik"]
    expected = _python(ranker, words)
    monkeypatch.setattr(ranker, "_jit", None)
    monkeypatch.setattr(_model, "JIT_AFTER", 0)
    assert ranker.best_many(words) == expected
    assert isinstance(ranker._jit, JitRanker)
    monkeypatch.setenv("AIMM_NO_JIT", "1")
    monkeypatch.setattr(ranker, "_jit", None)
    assert ranker.best_many(words) == expected
    assert ranker._jit is False


@pytest.mark.usefixtures("without_native")
def test_a_cold_numba_cache_defers_the_compiled_search(
    ranker: RuleRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where numba has yet to compile the search (~9 s), the Python search goes on until JIT_AFTER_COLD
    # words; with compiled code on disk, the search is loaded at JIT_AFTER. Spellings are the same.
    from aimm_nlp.text.translit import _jit

    syllables = ("ka", "ri", "mo", "tu", "le", "sa", "bi", "no")
    words = [a + b + c for a in syllables for b in syllables for c in syllables][:60]
    expected = _python(ranker, words)
    monkeypatch.setattr(_model, "JIT_AFTER", 10)
    monkeypatch.setattr(_model, "JIT_AFTER_COLD", 40)
    for cached, loaded_after in ((False, [False, False, True]), (True, [False, True, True])):
        monkeypatch.setattr(_jit, "compiled_code_cached", lambda cached=cached: cached)
        monkeypatch.setattr(ranker, "_jit", None)
        monkeypatch.setattr(ranker, "_searched", 0)
        got, loaded = [], []
        for part in (words[:8], words[8:30], words[30:]):  # 8, then 30, then 60 words searched
            got += ranker.best_many(part)
            loaded.append(isinstance(ranker._jit, JitRanker))
        assert loaded == loaded_after
        assert got == expected


def test_compiled_code_cached_reads_numbas_cache(jit: JitRanker, tmp_path: Path) -> None:
    jit.best_many(["bzf"])  # compiled (or loaded) here, so numba's cache of this checkout has it
    code = "from aimm_nlp.text.translit._jit import compiled_code_cached as c; print(c())"
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    empty = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
    )
    assert (here.stdout.strip(), empty.stdout.strip()) == ("True", "False")


def test_a_model_not_closed_under_prefixes_is_refused(ranker: RuleRanker) -> None:
    # The state machine gives the back-off walk's scores only when every n-gram's prefix is a context.
    from aimm_nlp.text.translit._ngram import NgramTables

    lm = NgramTables(5, {"\u0627": -1.0, "\u0628\u0627": -0.5}, {}, -9.0)
    with pytest.raises(ValueError, match="closed"):
        JitRanker(ranker.table, lm, {}, lm_weight=0.2, vocab_bonus=3.0, beam=12)


@pytest.mark.usefixtures("without_native")
def test_a_broken_compiler_only_costs_speed(ranker: RuleRanker, monkeypatch: pytest.MonkeyPatch) -> None:
    from aimm_nlp.text.translit import _jit

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cannot cache function: no locator available")

    words = ["sift", "lmghrib", "7na"]
    expected = _python(ranker, words)
    monkeypatch.setattr(_jit, "JitRanker", broken)
    monkeypatch.setattr(ranker, "_jit", None)
    monkeypatch.setattr(_model, "JIT_AFTER", 0)
    with pytest.warns(RuntimeWarning, match="Python search is used"):
        assert ranker.best_many(words) == expected
    assert ranker._jit is False
    assert ranker.best_many(words) == expected  # warned once, then Python


def test_batch_equals_one_by_one_with_the_compiled_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_model, "JIT_AFTER", 0)
    texts = [
        "ana ghadi l réunion demain, 3afak sift liya le document",
        "",
        "wach nta mzyaaaan? 😂",
        "7na f lmghrib kan9raw bzzaf",
        "https://t.co/x @user #lmghrib 2024",
        "KHDMT lyoum m3a Sara",
    ]
    for keep in (True, False):
        batch = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=keep).batch(texts)
        one = Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=keep)
        assert batch == [one(t) for t in texts]
