"""How `aimm translit FILE` sizes its work: one block per file (up to a size), and the compiled search
chosen for the whole block before the keep-foreign scorer runs.

About internals: the CLI's ``_blocks`` and ``RuleRanker.expect``."""

from __future__ import annotations

from pathlib import Path

import pytest

import aimm_nlp.cli.translit as cli
from aimm_nlp.cli import main
from aimm_nlp.text.translit import Transliterator, _jit, _model
from aimm_nlp.text.translit._jit import JitRanker

LINES = ["salam 3lik", "", "sift liya lmghrib 😂", "la réunion dyal ghda", "bzzzaaaf", "ⴰⵣⵓⵍ", "wach", "é"]


@pytest.mark.parametrize(
    ("lines", "chars", "sizes"),
    [
        (LINES * 700, 1 << 22, [5600]),  # 5,600 lines (old blocks: 2,048 lines): one block
        (LINES * 3, 20, [3, 1, 5, 3, 5, 3, 4]),  # a block ends once it holds 20 characters
        (["x" * 50, "y"], 20, [1, 1]),  # a line longer than the limit is a block alone
        ([""] * 5, 20, [5]),  # empty lines count as lines, not characters
    ],
)
def test_a_file_goes_through_in_blocks_of_a_size(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lines: list[str],
    chars: int,
    sizes: list[int],
) -> None:
    monkeypatch.setattr(cli, "_BLOCK_CHARS", chars)
    seen: list[int] = []
    batch = Transliterator.batch

    def spy(self: Transliterator, texts: list[str]) -> list[str]:
        seen.append(len(texts))
        return batch(self, texts)

    monkeypatch.setattr(Transliterator, "batch", spy)
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["translit", "--phonetic", str(src)]) == 0
    assert seen == sizes
    one = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True)
    assert capsys.readouterr().out == "".join(one(x) + "\n" for x in lines)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> _model.RuleRanker:
    """The shipped ranker with no compiled search loaded and nothing searched yet."""
    ranker = _model.default_model()
    assert isinstance(ranker, _model.RuleRanker)
    monkeypatch.setattr(ranker, "_jit", None)
    monkeypatch.setattr(ranker, "_searched", 0)
    monkeypatch.delenv("AIMM_NO_JIT", raising=False)
    return ranker


# (numba's cache holds the search, words expected) -> loaded before the keep-foreign scorer runs
@pytest.mark.usefixtures("without_native")
@pytest.mark.parametrize(
    ("cached", "words", "loaded"),
    [
        (True, 30, True),  # warm, past JIT_AFTER: loaded first (numba's n-gram kernel for the scorer)
        (True, 5, False),  # warm, under JIT_AFTER: numpy, numba never imported for this call
        (False, 30, False),  # cold, under JIT_AFTER_COLD: never compiled here
        (False, 60, False),  # cold, past it: compiled by the search itself (not for the scorer)
    ],
)
def test_expect_loads_the_compiled_search_only_from_numbas_cache(
    fresh: _model.RuleRanker, monkeypatch: pytest.MonkeyPatch, cached: bool, words: int, loaded: bool
) -> None:
    monkeypatch.setattr(_model, "JIT_AFTER", 10)
    monkeypatch.setattr(_model, "JIT_AFTER_COLD", 40)
    monkeypatch.setattr(_jit, "compiled_code_cached", lambda: cached)
    fresh.expect(words)
    assert isinstance(fresh._jit, JitRanker) is loaded


@pytest.mark.usefixtures("without_native")
def test_the_keep_foreign_scorer_runs_after_the_search_is_chosen(
    fresh: _model.RuleRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A job big enough for the compiled search (numba's cache warm) loads it before scoring its words
    # for keep-foreign, so the scorer gets numba's kernel; the spellings do not change.
    syllables = ("ka", "ri", "mo", "tu", "le", "sa")
    words = [a + b + c for a in syllables for b in syllables for c in syllables][:40]
    texts = [" ".join(words[i : i + 4]) + " la réunion 😂" for i in range(0, 40, 4)]
    expected = [
        Transliterator(src="ary_Latn", dst="ary_Arab")(t)
        for t in texts  # one text at a time: the Python search
    ]
    monkeypatch.setattr(_model, "JIT_AFTER", 10)
    monkeypatch.setattr(_jit, "compiled_code_cached", lambda: True)
    t = Transliterator(src="ary_Latn", dst="ary_Arab")
    assert t.model is fresh
    seen: list[bool] = []
    levels = fresh.foreign.foreign_levels

    def spy(new: list[str]) -> list[int]:
        seen.append(isinstance(fresh._jit, JitRanker))
        return levels(new)

    monkeypatch.setattr(fresh.foreign, "foreign_levels", spy)
    assert t.batch(texts) == expected
    # the new words (and, from _BATCH_MIN of them, the words of the lines decided again in context)
    assert seen == [True]


# Words of code-switched lines: listed, accented, suffixed, Arabizi with digits, elongated, one letter, "".
WORDS = [
    *(
        "la réunion dyal ghda f le bureau 3afak sift liya le document avant demain wach nta mzyaaaan "
        "weekend meeting formation bghit khouya merci inchallah chouf ghadi bonjour tomobil tkhSiS "
        "hhhhh ok x l’école salam rendez-vous kan é ça va la situation économique daba normalement "
        "bzzzaf kayna problème f la connexion wa9ila c'est pas grave lmochkil howa le réseau"
    ).split(),
    "",
]


@pytest.mark.parametrize("words", [WORDS * 3, WORDS[:5], ["réunion"], []])
def test_levels_of_many_words_are_what_decide_works_out_alone(words: list[str]) -> None:
    """A batch's lines decided in context read their words' levels with one foreign_levels call (numpy
    from 64 words on, Python below): each is decide(word).level."""
    from aimm_nlp.text.translit._foreign import ForeignDetector

    f = _model.default_model().foreign
    alone = ForeignDetector(f.foreign_lm, f.arabizi_lm, f.darija_words)  # its own decide() cache
    assert f.foreign_levels(words) == [alone.decide(w).level for w in words]
    assert {1, 2, 3} <= set(f.foreign_levels(WORDS))


def test_context_lines_read_the_levels_the_batch_worked_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines decided again in context read their words' levels from the batch's one foreign_levels
    pass (kept beside the word cache): no second pass, no decide() per word; the same lines again read
    them back without scoring anything."""
    texts = [
        "ana ghadi l la réunion demain, 3afak sift liya le document",
        "wach nta mzyaaaan? 😂",
        "kayna problème f la connexion 😂 normalement daba",
        "c'est pas grave, lmochkil howa le réseau",
        "",
    ]
    expected = [Transliterator(src="ary_Latn", dst="ary_Arab")(t) for t in texts]
    t = Transliterator(src="ary_Latn", dst="ary_Arab")
    foreign = t.model.foreign  # type: ignore[union-attr]
    calls: list[list[str]] = []
    decided: list[str] = []
    levels, decide = foreign.foreign_levels, foreign.decide

    def spy(words: list[str]) -> list[int]:
        calls.append(words)
        return levels(words)

    def spy_decide(word: str):  # type: ignore[no-untyped-def]
        decided.append(word)
        return decide(word)

    monkeypatch.setattr(foreign, "foreign_levels", spy)
    monkeypatch.setattr(foreign, "decide", spy_decide)
    assert t.batch(texts) == expected
    assert len(calls) == 1 and {"réunion", "document", "problème", "connexion"} <= set(calls[0])
    assert decided == []
    assert t.batch(texts) == expected and [t(x) for x in texts] == expected
    assert len(calls) == 1 and decided == []


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_the_numpy_search_goes_in_chunks_with_the_same_spellings(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # A long job's words are searched CHUNK at a time (memory); every word is spelled as alone.
    from aimm_nlp.text.translit import _beam_np

    ranker = _model.default_model()
    assert isinstance(ranker, _model.RuleRanker)
    words = [
        "sift",
        "lmghrib",
        "bzaf",
        "7na",
        "3afak",
        "khdmt",
        "mzyan",
        "e",
        "x" * 40,
        "tkhsis",
        "dyalk",
    ] * 2
    words = [w for w in words if w not in ranker.table.lexicon]
    expected = [ranker.rank(w, k=1)[0][0] for w in words]
    search = _beam_np.BatchSearch._search
    sizes: list[int] = []

    def spy(self: _beam_np.BatchSearch, part: list[str]) -> list[str]:
        sizes.append(len(part))
        return search(self, part)

    monkeypatch.setattr(_beam_np, "CHUNK", chunk)
    monkeypatch.setattr(_beam_np.BatchSearch, "_search", spy)
    assert ranker._batch.best_many(words) == expected
    assert sizes == [min(chunk, len(words) - a) for a in range(0, len(words), chunk)]
    assert ranker._batch.best_many([]) == []
