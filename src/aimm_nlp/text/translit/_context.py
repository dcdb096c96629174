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

from collections.abc import Callable
from itertools import pairwise

from aimm_nlp.text.translit._foreign import WordEvidence, load_foreign_data
from aimm_nlp.text.translit._scan import TOKEN
from aimm_nlp.text.translit._types import TokenDecision

__all__ = ["ARTICLES", "LONGEST_ARTICLE", "WINDOW", "decide_line", "line_verdicts"]

ARTICLES = frozenset(load_foreign_data()["context_articles"])
LONGEST_ARTICLE = max(map(len, ARTICLES))
WINDOW = 2


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
    out: list[tuple[bool, WordEvidence]] = []
    for n, ev in enumerate(evidence):
        lo, hi = max(0, n - WINDOW), n + WINDOW + 1
        near = tuple(words[j] for j in range(lo, min(hi, len(words))) if j != n and levels[j] >= 1)
        level = levels[n]
        if level in (0, 3):
            ctx = WordEvidence(ev.foreign, ev.reason, ev.score, ev.reason, near) if near else ev
            out.append((level == 3, ctx))
        elif len(words) > 1 and (level == 2 or near):
            why = ev.reason if level == 2 else "foreign_neighbours"
            out.append((True, WordEvidence(True, why, ev.score, ev.reason, near)))
        else:
            out.append((False, WordEvidence(False, "darija_context", ev.score, ev.reason, near)))
    for n in range(len(words) - 2, -1, -1):  # right to left: "de la réunion" keeps both articles
        kept, ev = out[n]
        if not kept and adjacent[n] and out[n + 1][0] and words[n].lower() in ARTICLES:
            out[n] = (
                True,
                WordEvidence(True, "foreign_context", ev.score, ev.word_reason or ev.reason, ev.neighbours),
            )
    return out


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
    matches = list(TOKEN.finditer(text))
    kinds = [classify(m[0]) for m in matches]
    words = [i for i, (kind, _) in enumerate(kinds) if kind == "word"]
    verdicts: dict[int, tuple[bool, WordEvidence | None]] = {}
    if keep_foreign:
        adjacent = [
            b == a + 1 and not text[matches[a].end() : matches[b].start()].strip() for a, b in pairwise(words)
        ]
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
