"""Keep-foreign in context: which words of one Arabizi line stay verbatim, from the whole line.

The evidence of each word alone (:class:`~aimm_nlp.text.translit._foreign.WordEvidence`, its
``level``) is weighed against its neighbours':

* a listed French/English word (level 3) is kept, also alone on its line;
* an accented word (level 2) is kept in a line of several words;
* a word with weak evidence (level 1: a foreign suffix, the character model) is kept only when a word
  within two words of it looks foreign too (``foreign_neighbours``), else transliterated
  (``darija_context``): a Darija word that merely looks French is not kept on its own;
* a French article (``la``, ``le``, ``des``…) right before a kept word is kept (``foreign_context``).

The rule (window of two, nothing kept on weak evidence alone) was chosen on the odd rows of
``tests/data/codeswitch_translit.tsv`` and checked on the even rows and on DODa's word list (see the
README): keep-foreign costs 0.0035 CER on Darija words, and 96 % of marked French/English tokens stay.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from aimm_nlp.text.translit._foreign import WordEvidence, load_foreign_data
from aimm_nlp.text.translit._scan import TOKEN, WORDS, token_kind

if TYPE_CHECKING:  # built by decide_line alone (explain()); a batch never loads it
    from aimm_nlp.text.translit._types import TokenDecision

__all__ = [
    "ACCENTED",
    "ARTICLE",
    "ARTICLES",
    "ARTICLE_FORMS",
    "LONGEST_ARTICLE",
    "WEAK",
    "WINDOW",
    "decide_line",
    "line_kept",
    "line_output",
    "line_verdicts",
    "lines_in_context",
    "note_chunks",
    "redo_lines",
]

ARTICLES = frozenset(load_foreign_data()["context_articles"])
LONGEST_ARTICLE = max(map(len, ARTICLES))
# every ASCII spelling of an article (LA, La...): a chunk of ASCII letters is one when it is in this set
ARTICLE_FORMS = frozenset(
    "".join(p) for a in ARTICLES for p in itertools.product(*[dict.fromkeys((c, c.upper())) for c in a])
)
WINDOW = 2
WEAK, ACCENTED, ARTICLE = 1, 2, 4  # why a chunk may need its line decided in context (bits)


def _kept_alone(levels: list[int]) -> list[bool]:
    """Each word's verdict from its own level and its neighbours' (before the article rule)."""
    kept = []
    for n, level in enumerate(levels):
        if level in (0, 3):
            kept.append(level == 3)
        else:
            near = any(
                levels[j] >= 1 for j in range(max(0, n - WINDOW), min(n + WINDOW + 1, len(levels))) if j != n
            )
            kept.append(len(levels) > 1 and (level == 2 or near))
    return kept


def _with_articles(words: list[str], kept: list[bool], adjacent: list[bool]) -> list[bool]:
    """``kept`` with every French article right before a kept word kept too (right to left: "de la réunion")."""
    kept = list(kept)
    for n in range(len(words) - 2, -1, -1):
        if not kept[n] and adjacent[n] and kept[n + 1] and words[n].lower() in ARTICLES:
            kept[n] = True
    return kept


def line_kept(words: list[str], levels: list[int], adjacent: list[bool]) -> list[bool]:
    """Which words of a line stay verbatim: the verdicts of :func:`line_verdicts` without the evidence.

    Args:
        words: the line's words, in order.
        levels: each word's :attr:`~aimm_nlp.text.translit._foreign.WordEvidence.level` alone.
        adjacent: as for :func:`line_verdicts`.
    """
    return _with_articles(words, _kept_alone(levels), adjacent)


def line_verdicts(
    words: list[str], evidence: list[WordEvidence], adjacent: list[bool]
) -> list[tuple[bool, WordEvidence]]:
    """``(kept, evidence in context)`` for every word of a line.

    Args:
        words: the line's words, in order (URLs, numbers, emoji left out).
        evidence: each word's evidence alone (``ForeignDetector.decide``).
        adjacent: ``adjacent[n]``: word ``n + 1`` follows word ``n`` with only spaces between.
    """
    levels = [e.level for e in evidence]
    alone = _kept_alone(levels)
    kept = _with_articles(words, alone, adjacent)
    out: list[tuple[bool, WordEvidence]] = []
    for n, ev in enumerate(evidence):
        lo, hi = max(0, n - WINDOW), n + WINDOW + 1
        near = tuple(words[j] for j in range(lo, min(hi, len(words))) if j != n and levels[j] >= 1)
        if levels[n] in (0, 3):
            ctx = WordEvidence(ev.foreign, ev.reason, ev.score, ev.reason, near) if near else ev
        elif alone[n]:
            why = ev.reason if levels[n] == 2 else "foreign_neighbours"
            ctx = WordEvidence(True, why, ev.score, ev.reason, near)
        else:
            ctx = WordEvidence(False, "darija_context", ev.score, ev.reason, near)
        if kept[n] and not alone[n]:  # an article before a kept word
            ctx = WordEvidence(
                True, "foreign_context", ctx.score, ctx.word_reason or ctx.reason, ctx.neighbours
            )
        out.append((kept[n], ctx))
    return out


def _adjacent(text: str, matches: list[re.Match[str]], words: list[int]) -> list[bool]:
    """Per pair of consecutive words (indices into ``matches``): only spaces between them."""
    return [
        b == a + 1 and not text[matches[a].end() : matches[b].start()].strip() for a, b in pairwise(words)
    ]


def decide_line(
    text: str,
    classify: Callable[[str], tuple[str, WordEvidence | None]],
    spelled: Callable[[str], str],
    *,
    keep_foreign: bool,
) -> list[TokenDecision]:
    """Every token of one line with its decision (:meth:`Transliterator.explain`).

    A listed French/English word is kept; an accented one is kept in a line of several words; a
    word with weak foreign evidence (suffix, character model) is kept only when a word within two
    words of it looks foreign too; a French article before a kept word is kept. Everything else is
    transliterated (a line of one word: unless it is listed).

    Args:
        text: the line.
        classify: token -> (kind, the word's own evidence), as the transliterator classifies it.
        spelled: word -> its transliteration, whatever its keep-foreign verdict alone.
        keep_foreign: whether foreign words may be kept at all.
    """
    from aimm_nlp.text.translit._types import TokenDecision

    matches = list(TOKEN.finditer(text))
    kinds = [classify(m[0]) for m in matches]
    words = [i for i, (kind, _) in enumerate(kinds) if kind == "word"]
    verdicts: dict[int, tuple[bool, WordEvidence | None]] = {}
    if keep_foreign:
        adjacent = _adjacent(text, matches, words)
        found = line_verdicts([matches[i][0] for i in words], [kinds[i][1] for i in words], adjacent)  # type: ignore[misc]
        verdicts = dict(zip(words, found, strict=True))
    decisions = []
    for i, m in enumerate(matches):
        kind, evidence = kinds[i]
        output = m[0]
        if kind == "word":
            keep, evidence = verdicts.get(i, (False, evidence))
            output = m[0] if keep else spelled(m[0])
        decisions.append(TokenDecision(m[0], m.start(), m.end(), kind, output, output == m[0], evidence))
    return decisions


def line_output(text: str, level: Callable[[str], int], spelled: Callable[[str], str]) -> str:
    """The line :func:`decide_line` writes with keep-foreign on (its outputs between the untouched
    spans), without building the decisions and their evidence (a batch's lines decided in context).

    Args:
        text: the line.
        level: word -> its level alone (``ForeignDetector.decide(word).level``).
        spelled: as for :func:`decide_line`.
    """
    matches = list(TOKEN.finditer(text))
    words = [i for i, m in enumerate(matches) if token_kind(m[0]) == "word"]
    tokens = [matches[i][0] for i in words]
    kept = line_kept(tokens, list(map(level, tokens)), _adjacent(text, matches, words))
    out, last = [], 0
    for i, token, keep in zip(words, tokens, kept, strict=True):
        out += (text[last : matches[i].start()], token if keep else spelled(token))
        last = matches[i].end()
    out.append(text[last:])
    return "".join(out)


def note_chunks(
    plain: list[str],
    mixed: list[str],
    levels: dict[str, int],
    foreignish: dict[str, int],
    context: dict[str, int],
    level_of: Callable[[list[str]], list[int]],
) -> None:
    """Record for a batch's new whitespace chunks what :func:`lines_in_context` needs.

    Args:
        plain: the new chunks that are one word of ASCII letters and digits (most of them).
        mixed: the other new chunks.
        levels: word -> its level alone (0-3), for the words spelled since the word cache last started
            again; the words missing from it get theirs from ``level_of`` (and are added).
        foreignish: filled: chunk -> how many of its words have a level above 0.
        context: filled: chunk -> why its line may need deciding in context (:data:`WEAK`: a level-1
            word, :data:`ACCENTED`: a level-2 word, :data:`ARTICLE`: a French article).
        level_of: words -> their levels alone (``ForeignDetector.foreign_levels``).
    """
    mixed_words = [[c] if c.isalnum() else [w for w in WORDS.findall(c) if w] for c in mixed]
    words = itertools.chain(plain, itertools.chain.from_iterable(mixed_words))
    missing = list(dict.fromkeys(itertools.filterfalse(levels.__contains__, words)))
    if missing:  # let go with the word cache since they were spelled
        levels.update(zip(missing, level_of(missing), strict=True))
    for c in filter(levels.get, plain):  # a level above 0, found in C: a plain chunk is its one word
        foreignish[c] = 1
        level = levels[c]
        if level < 3:
            context[c] = WEAK if level == 1 else ACCENTED
    for c in filter(ARTICLE_FORMS.__contains__, plain):
        context[c] = context.get(c, 0) | ARTICLE
    for c, in_chunk in zip(mixed, mixed_words, strict=True):
        found = [levels[w] for w in in_chunk if levels[w]]
        bits = ARTICLE if len(c) <= LONGEST_ARTICLE and c.lower() in ARTICLES else 0
        if found:
            foreignish[c] = len(found)
            bits |= (WEAK if 1 in found else 0) | (ACCENTED if 2 in found else 0)
        if bits:
            context[c] = bits


def lines_in_context(
    texts: list[str], chunks: list[str], context: dict[str, int], foreignish: dict[str, int]
) -> list[int]:
    """The indices of the lines of a batch that a neighbour can change a verdict in.

    Args:
        texts: the batch's lines.
        chunks: their whitespace chunks, line after line with ``"\\n"`` between two lines (one line: its
            chunks alone, where a ``"\\n"`` chunk is its own).
        context, foreignish: as filled by :func:`note_chunks`.
    """
    hits = {0}
    if len(texts) > 1:
        index, hits = 0, set()
        for chunk in chunks:
            if chunk == "\n":
                index += 1
            elif chunk in context:
                hits.add(index)
    redo = []
    for i in sorted(hits):
        parts = texts[i].split(" ")
        near = sum(foreignish.get(p, 0) for p in parts)
        bits = functools.reduce(operator.or_, [context.get(p, 0) for p in parts])
        weak, accented, article = bits & WEAK, bits & ACCENTED, bits & ARTICLE
        if (weak and near >= 2) or (article and near) or (accented and near == 1):
            redo.append(i)
    return redo


def redo_lines(
    texts: list[str],
    chunks: list[str],
    out: list[str],
    notes: tuple[dict[str, int], dict[str, int], dict[str, int]],
    decide: Callable[[str], WordEvidence],
    spelled: Callable[..., str],
) -> None:
    """Write again in ``out`` the lines of a batch where a neighbour can change a verdict (the word cache
    holds each word's verdict alone): a weak (level 1) or accented word, or a French article before a
    kept word ("la réunion").

    Args:
        texts, chunks: as for :func:`lines_in_context`.
        out: the batch's outputs, each word with its verdict alone.
        notes: ``(context, foreignish, levels)`` as :func:`note_chunks` filled them.
        decide: ``ForeignDetector.decide``, for a word ``levels`` has let go of since.
        spelled: ``spelled(word, level=...)`` spells a word whatever its verdict alone.
    """
    context, foreignish, levels = notes

    def level(word: str) -> int:
        found = levels.get(word)
        return decide(word).level if found is None else found

    spell = functools.partial(spelled, level=level)
    for i in lines_in_context(texts, chunks, context, foreignish):
        out[i] = line_output(texts[i], level, spell)
