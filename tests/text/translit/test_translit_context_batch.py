"""A batch's lines decided in context without building decisions (``_context.line_output``,
``line_kept``, ``note_chunks``): the same outputs as :func:`explain`'s decisions, on real code-switched
lines and hostile ones."""

from __future__ import annotations

import csv
import itertools
import random
import re
from pathlib import Path

import pytest

from aimm_nlp.text.translit import Transliterator
from aimm_nlp.text.translit._context import (
    ARTICLE_FORMS,
    ARTICLES,
    LONGEST_ARTICLE,
    line_kept,
    line_output,
    line_verdicts,
)

# code-switched and hostile lines: articles before kept words, protected spans between words, a token
# the scan reads as a word in its line but as an emoticon alone ("_XD"), numbers, "", one letter, emoji,
# elongation, NUL, RTL marks, Tifinagh, a lone "\n" chunk
HOSTILE = [
    "",
    "a",
    "😂",
    "la",
    "LA réunion",
    "gmel la documentation",
    "envoyer la documentation ghda",
    "envoyer, la documentation",
    "envoyer la\tdocumentation",
    "rani f la réunion daba 😂😂",
    "chouf télé daba",
    "télé",
    "meeting_XD documentation envoyer",
    "envoyer https://t.co/x documentation @karim #tag la documentation",
    "envoyer 12km la documentation 2024",
    "envoyer laaaaa documentationnnnn",
    "envoyer\x00la documentation",
    "\u200fenvoyer la documentation\u200e",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ envoyer la documentation",
    "gmel \n la réunion",
    "envoyer \n la documentation w \n daba",
    "l'école w la réunion ta3 documentation",
]


def _codeswitch_lines() -> list[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "codeswitch_translit.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [re.sub(r"\[([^\]]+)\]", r"\1", r["marked"]) for r in csv.DictReader(fh, delimiter="\t")]


@pytest.mark.parametrize("phonetic", [False, True])
def test_line_output_is_the_decisions_joined(phonetic: bool) -> None:
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    lines = HOSTILE + _codeswitch_lines()
    t.batch(lines)  # fills the word cache, as a batch does before it decides lines again

    def level(word: str) -> int:
        return t.model.foreign.decide(word).level  # type: ignore[union-attr]

    for line in lines:
        assert line_output(line, level, t._spelled) == "".join(t._pieces(line)), line


@pytest.mark.parametrize("phonetic", [False, True])
def test_a_lone_newline_chunk_in_one_line_is_decided_in_that_line(phonetic: bool) -> None:
    """Used to raise IndexError: a " \\n " chunk counted as the start of a second line."""
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    for line in ["gmel \n la réunion", "envoyer \n la documentation w \n daba", "la \n réunion"]:
        expected = "".join(t._pieces(line))
        assert t(line) == expected
        assert t.batch([line, "salam"])[0] == expected
        assert Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)(line) == expected


def test_batch_of_hostile_lines_equals_line_by_line() -> None:
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True)
    assert t.batch(HOSTILE) == ["".join(t._pieces(line)) for line in HOSTILE]


def test_line_kept_is_line_verdicts_without_evidence() -> None:
    rng = random.Random(21)
    words = ["la", "ma", "documentation", "gmel", "envoyer", "Ta", "télé"]
    for _ in range(3000):
        n = rng.randint(0, 7)
        line = [rng.choice(words) for _ in range(n)]
        levels = [rng.choice([0, 0, 1, 2, 3]) for _ in range(n)]
        adjacent = [rng.random() < 0.8 for _ in range(max(0, n - 1))]
        evidence = [_Stub(level) for level in levels]
        verdicts = line_verdicts(line, evidence, adjacent)  # type: ignore[arg-type]
        assert line_kept(line, levels, adjacent) == [k for k, _ in verdicts], (line, levels, adjacent)


class _Stub:
    """Evidence of a given level (``WordEvidence.level`` is read from its reason)."""

    def __init__(self, level: int) -> None:
        self.level, self.foreign, self.reason, self.score = level, level > 0, "stub", 0.0
        self.word_reason, self.neighbours = None, ()


def test_article_forms_are_every_ascii_spelling_of_an_article() -> None:
    letters = sorted(set("".join(ARTICLES)) | set("".join(ARTICLES).upper()) | set("bxLZ9"))
    for n in range(1, LONGEST_ARTICLE + 1):
        for chars in itertools.product(letters, repeat=n):
            word = "".join(chars)
            assert (word in ARTICLE_FORMS) == (word.lower() in ARTICLES), word
    assert "" not in ARTICLE_FORMS and "la" in ARTICLE_FORMS and "lA" in ARTICLE_FORMS


def test_batch_chunk_notes_match_word_by_word_on_real_lines() -> None:
    """note_chunks finds plain chunks' levels and articles in C; the loop it replaced read every chunk.
    Guard: both give the same notes on real code-switched lines and the hostile ones."""
    from aimm_nlp.text.translit._context import ACCENTED, ARTICLE, WEAK
    from aimm_nlp.text.translit._scan import WORDS

    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True)
    lines = _codeswitch_lines() + HOSTILE + [line.upper() for line in HOSTILE]
    t.batch(lines)
    levels, foreignish, context = t._levels, {}, {}
    for c in t._chunks:
        words = [c] if c.isalnum() else [w for w in WORDS.findall(c) if w]
        found = [levels[w] for w in words if levels.get(w)]
        bits = ARTICLE if len(c) <= LONGEST_ARTICLE and c.lower() in ARTICLES else 0
        if found:
            foreignish[c] = len(found)
            bits |= (WEAK if 1 in found else 0) | (ACCENTED if 2 in found else 0)
        if bits:
            context[c] = bits
    assert t._foreignish == foreignish and t._context_chunks == context
    assert context and any(v & ARTICLE for v in context.values())


@pytest.mark.parametrize("phonetic", [False, True])
def test_a_batch_decides_its_context_lines_without_deciding_words_one_by_one(
    phonetic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words of the lines decided again in context have their levels from one foreign_levels call
    (from _foreign._BATCH_MIN words: they are more here); decide() (per word, in Python: ~15x slower) is
    not called, kept words included ("réunion")."""
    from aimm_nlp.text.translit._foreign import _BATCH_MIN

    # (a line holding "\n" would send the whole batch line by line: see Transliterator._run)
    lines = _codeswitch_lines() + [line for line in HOSTILE if "\n" not in line]
    assert len({w for line in lines for w in line.split()}) > 4 * _BATCH_MIN
    expected = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic).batch(lines)
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    t.model.foreign.decide.cache_clear()  # type: ignore[union-attr]
    calls: list[str] = []
    decide = t.model.foreign.decide  # type: ignore[union-attr]

    def spy(word: str):  # type: ignore[no-untyped-def]
        calls.append(word)
        return decide(word)

    monkeypatch.setattr(t.model.foreign, "decide", spy)
    assert t.batch(lines) == expected
    assert calls == []
    assert "la réunion" in " ".join(expected)  # lines were decided in context: the article kept


@pytest.mark.parametrize("phonetic", [False, True])
@pytest.mark.parametrize(
    "first",
    [
        lambda t: t.explain("bghit documentation"),
        lambda t: t.explain("envoyer"),
        lambda t: t.candidates("documentation", k=2),
        lambda t: t("bghit documentation"),
        lambda t: t.batch(["gmel documentation", "envoyer"]),
    ],
)
def test_what_ran_before_does_not_change_a_batch(phonetic: bool, first) -> None:  # type: ignore[no-untyped-def]
    """Used to: explain() put a word in the word cache without its keep-foreign level, and a later batch
    took it for Darija in context ("envoyer la documentation" lost both French words)."""
    lines = ["envoyer la documentation ghda", "gmel documentation daba envoyer", "bghit documentation", ""]
    expected = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic).batch(lines)
    assert expected[0].startswith("envoyer la documentation ")
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    first(t)
    assert t.batch(lines) == expected
    assert [t(line) for line in lines] == expected


def test_a_long_stream_keeps_bounded_memory_and_the_same_outputs() -> None:
    """The word cache starts again empty past its limit, and the keep-foreign levels kept beside it too
    (they used to grow without bound); outputs stay those of an unbounded instance."""
    lines = _codeswitch_lines()
    words = sorted({w for line in lines for w in line.split()})
    expected = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True).batch(lines)
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True)
    t._cache.limit = 25
    seen = 0
    for i in range(0, len(lines), 7):
        assert t.batch(lines[i : i + 7]) == expected[i : i + 7]
        assert len(t._cache) <= 25 + 7 * 20 and len(t._levels) <= 25 + 7 * 20  # a batch's words at most
        seen = max(seen, len(t._levels))
    assert seen > 0 and len(words) > 4 * 25


@pytest.mark.parametrize("phonetic", [False, True])
def test_lines_holding_a_newline_do_not_send_the_whole_batch_line_by_line(
    phonetic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text with its own "\\n" (a tweet) is done alone; the other texts of the batch still go together
    (they used to be done one by one too, ~10x slower). The outputs are each line's alone."""
    lines = _codeswitch_lines() + HOSTILE + ["salam\nlabas 3lik", "envoyer la\ndocumentation"]
    assert sum("\n" in line for line in lines) >= 4
    expected = [Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)(line) for line in lines]
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    sizes: list[int] = []
    run = Transliterator._run

    def spy(self: Transliterator, texts: list[str]) -> list[str]:
        sizes.append(len(texts))
        return run(self, texts)

    monkeypatch.setattr(Transliterator, "_run", spy)
    assert t.batch(lines) == expected
    together = len(lines) - sum("\n" in line for line in lines)
    assert sorted(sizes, reverse=True)[:2] == [len(lines), together] and set(sizes[2:]) == {1}
