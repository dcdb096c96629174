"""The Arabizi rule table compiled for the *phonetic* reading (``transliterate(..., phonetic=True)``).

The phonetic reading writes each Arabizi word along its cheapest path through
the grapheme rules (``maps/arabizi.json``) with no character model: every
written vowel becomes a letter (``sift`` -> سيفت, ``lmghrib`` -> لمغريب), the
convention of DODa's Arabic side, where the ranked default writes Darija as its
writers do (صيفط, المغرب). A cheapest path needs no search, so the table is
compiled once:

* a doubled consonant becomes the letter + shadda (one template substitution);
* every multi-letter grapheme, word-initial / word-final variant and vowel before
  a doubled consonant is one alternative of a regular expression, branched on
  its first letter and tried longest first (the search's leftmost-longest
  segmentation); its replacement is the cheapest reading;
* single letters and the coded replacements become Arabic in one charmap decode
  (a C loop over bytes).

All of it runs in C over a whole batch of words joined by newlines: about a
microsecond per new word instead of a Python search. A multi-letter grapheme
that splitting reads more cheaply (``th``: ت at 0.4, t + h = ته at 0) is left
out of the expression, and an edge variant takes the search's reading of it
in place, so the compiled form agrees with the exact search
(:func:`~aimm_nlp.text.translit._rules.rank_rules` with no LM) on 99.3 % of the
10.7k distinct words of the DODa benchmark's test split (``tests/text/translit/test_translit_fast.py``
checks a sample); it differs where the search segments across graphemes more
cheaply (``ayy``: أيّ there, ايي here).
"""

from __future__ import annotations

import codecs
import re

from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._rules import _CONSONANTS, SHADDA, RuleTable, _case_fold, rank_rules

__all__ = ["NO_LM", "CompiledRules", "rank_phonetic"]

_PAD = "\x01"  # an edge no grapheme contains: options() keeps it as itself at cost 0
_START = r"(?<![^\n].)"  # after the first letter: it began a word (of a newline-joined batch)
_END = r"(?![^\n])"
_SHADDA_CODE = "\x80"  # output letters are coded 0x80-0xBF until the last step (see convert)
_MIXED_SHADDA_CODE = "\xbf"  # shadda of a mixed-case double (sS)


def _cheapest(options: list[tuple[str, float]]) -> tuple[str, float]:
    return min(options, key=lambda o: o[1])


class CompiledRules:
    """Cheapest-path Arabizi -> Arabic for many words at once.

    Args:
        table: the grapheme rules.

    Examples:
        >>> from aimm_nlp.text.translit._rules import load_rule_table
        >>> CompiledRules(load_rule_table()).convert(["khdmt", "chhal", "bzzaf", "sift", "lmghrib", ""])
        ['خدمت', 'شهال', 'بزّاف', 'سيفت', 'لمغريب', '']
    """

    def __init__(self, table: RuleTable) -> None:
        self.table = table
        zero = NgramTables(1, {}, {}, 0.0)  # no LM: only rule costs decide (lm_weight=0)
        alternatives: list[tuple[int, int, str, str]] = []  # (length, priority, pattern, output)
        for g in table.initial:
            pattern = re.escape(g[0]) + _START + re.escape(g[1:])
            alternatives.append((len(g), 0, pattern, self._read(g + _PAD, zero) or ""))
        for g in table.final:
            alternatives.append((len(g), 1, re.escape(g) + _END, self._read(_PAD + g, zero) or ""))
        single: dict[str, str] = {}
        multi: dict[str, str] = {}
        for g, opts in table.graphemes.items():
            if len(g) == 1:
                single[g] = _cheapest(opts)[0]
            else:
                out, cost = _cheapest(opts)
                if self._read(_PAD + g + _PAD, zero, cost) is None:
                    multi[g] = out  # else: splitting wins (``th`` -> t + h), so the unit is left out
        # A doubled consonant reads as the letter + shadda: done first by one template substitution,
        # except h (part of kh, ch, sh…) and any consonant whose doubled reading is something else.
        pre = sorted(
            c for c in set(_CONSONANTS) - {"h", "H"} if c in single and multi.get(c + c) == single[c] + SHADDA
        )
        for c in pre:
            del multi[c + c]
        self._doubled = re.compile(f"([{''.join(pre)}])\\1")
        # ``sS``/``tT`` read as doubled too (the search falls back to the lower-case ``ss``), but
        # a vowel before them keeps its letter: their shadda has its own code.
        self._mixed = re.compile("|".join(f"{c}{c.upper()}|{c.upper()}{c}" for c in pre if c.islower()))
        kept = (re.escape(c + c) for c in _CONSONANTS if c not in pre)
        after_doubled = "|".join([f"[{''.join(pre)}]{_SHADDA_CODE}", *kept])
        for g, opts in table.before_geminate.items():
            alternatives.append((len(g), 2, re.escape(g) + f"(?={after_doubled})", _cheapest(opts)[0]))
        # Capitals: only the emphatic letters listed in the table (S, T, D, H, Z) are read as such;
        # every other capital is lower-cased first (the search falls back to the lower-case list).
        self.capitals = frozenset(g for g in single if g.isupper())
        alternatives.extend((len(g), 3, re.escape(g), out) for g, out in multi.items())
        alternatives.sort(key=lambda a: (-a[0], a[1]))
        # A trie on the first letter: the engine tests one letter per branch instead of every
        # alternative at every position (each alternative starts with a literal letter).
        branches: dict[str, list[str]] = {}
        for i, (_, _, pattern, _) in enumerate(alternatives):
            head = pattern[:2] if pattern[0] == "\\" else pattern[0]
            branches.setdefault(head, []).append(f"(?P<g{i}>{pattern[len(head) :]})")
        self._pattern = re.compile("|".join(f"{head}(?:{'|'.join(alts)})" for head, alts in branches.items()))
        by_index = [""] * (self._pattern.groups + 1)
        for name, index in self._pattern.groupindex.items():
            if name[0] == "g":
                by_index[index] = alternatives[int(name[1:])][3]
        self._lower = str.maketrans({c: c.lower() for c in map(chr, range(65, 91)) if c not in self.capitals})
        # Output letters travel as one-byte codes (0x80-0xBF: no Arabizi word has them), so the
        # last step is one charmap decode, a C loop over bytes: letters and codes -> Arabic.
        arabic = sorted(set("".join(by_index) + "".join(single.values())) - {SHADDA})
        if len(arabic) > 63 or any(len(out) > 1 for out in single.values()):
            raise ValueError(
                "rule table too large for the compiled decoder (63 output letters, 1 per letter)"
            )
        code = {SHADDA: _SHADDA_CODE, **{ch: chr(0x81 + i) for i, ch in enumerate(arabic)}}
        self._by_index = ["".join(code[c] for c in out) for out in by_index]
        self._geminate = "\\1" + code[SHADDA]
        table = {i: chr(i) for i in range(256)}
        table.update({ord(c): ch for ch, c in code.items()})
        table[ord(_MIXED_SHADDA_CODE)] = SHADDA
        table.update({ord(g): out or "\x00" for g, out in single.items() if ord(g) < 256})
        self._bytes_table = "".join(table[i] for i in range(256))
        self._slow_table = {**table, **{ord(g): out or "\x00" for g, out in single.items()}}

    def _read(self, probe: str, zero: NgramTables, below: float = float("inf")) -> str | None:
        """The exact search's cheapest reading of a grapheme in context (``_PAD`` marks the sides).

        With ``below``, only a reading that costs less than ``below`` is returned (else None).
        """
        best = rank_rules(
            probe, table=self.table, lm=zero, vocab={}, k=1, beam=64, lm_weight=0.0, vocab_bonus=0.0
        )
        if not best or best[0][1] >= below - 1e-9:
            return None
        return best[0][0].replace(_PAD, "")

    def fold(self, word: str) -> str:
        """Lower-case every capital the table does not read as an emphatic (``Salam`` -> ``salam``)."""
        return _case_fold(word).translate(self._lower)

    def convert(self, words: list[str]) -> list[str]:
        """Arabic spellings of Arabizi ``words`` (folded with :meth:`fold`, no newlines).

        Characters the rules do not know pass through unchanged.
        """
        return self.convert_joined("\n".join(words)) if words else []

    def convert_joined(self, words: str) -> list[str]:
        """:meth:`convert` for words already joined by newlines."""
        by_index = self._by_index
        blob = self._doubled.sub(self._geminate, words)
        if not blob.islower():
            blob = self._mixed.sub(lambda m: m[0][0].lower() + _MIXED_SHADDA_CODE, blob)
        blob = self._pattern.sub(lambda m: by_index[m.lastindex], blob)  # type: ignore[index]
        try:
            out = codecs.charmap_decode(blob.encode("latin-1"), "strict", self._bytes_table)[0]
        except UnicodeEncodeError:  # a letter beyond Latin-1 (ā, ’): the same table, per character
            out = blob.translate(self._slow_table)
        return out.replace("\x00", "").split("\n")


# rank_phonetic weighs the character model by 0: any model gives the same costs, this one reads nothing.
NO_LM = NgramTables(1, {}, {}, 0.0)


def rank_phonetic(
    word: str, table: RuleTable, compiled: CompiledRules, *, beam: int, k: int = 5
) -> list[tuple[str, float]]:
    """Spellings of ``word`` by rule cost alone; the first is the compiled (phonetic) output.

    >>> from aimm_nlp.text.translit._rules import load_rule_table
    >>> table = load_rule_table()
    >>> [s for s, _ in rank_phonetic("sift", table, CompiledRules(table), beam=12, k=2)]
    ['سيفت', 'صيفت']
    """
    ranked = rank_rules(word, table=table, lm=NO_LM, vocab={}, k=k, beam=beam, lm_weight=0.0, vocab_bonus=0.0)
    if not ranked:
        return ranked
    key = compiled.fold(word)
    first = table.lexicon.get(key) or compiled.convert([key])[0]
    return ([(first, ranked[0][1])] + [c for c in ranked if c[0] != first])[:k]
