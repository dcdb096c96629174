"""The :class:`Transliterator`: one ``(src, dst)`` pair, its word cache and the Arabizi token scan.

Arabizi input is split into protected spans (URLs, e-mails, @mentions, #hashtags, emoticons, HTML entities,
numbers) and words;
each new word is decided (kept as French/English, or transliterated by the ranker) once and cached.
"""

from __future__ import annotations

import copy
import math
import operator
import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from aimm_nlp.errors import ConfigError
from aimm_nlp.text.translit._scan import EMOTICON_WORD as _EMOTICON_WORD
from aimm_nlp.text.translit._scan import NUMBER as _NUMBER
from aimm_nlp.text.translit._scan import TOKEN as _TOKEN
from aimm_nlp.text.translit._scan import WORDS as _WORDS
from aimm_nlp.text.translit._scan import token_kind
from aimm_nlp.text.translit._schemes import ARABIZI, check_pair, simple_converter
from aimm_nlp.text.translit._wordcache import WordCache

# The Arabizi engine loads where it is used: a Buckwalter or Tifinagh transliterator needs none of it.
if TYPE_CHECKING:
    from aimm_nlp.text.translit._fast import CompiledRules
    from aimm_nlp.text.translit._foreign import WordEvidence
    from aimm_nlp.text.translit._model import Ranker
    from aimm_nlp.text.translit._types import Candidate, TokenDecision
__all__ = ["Transliterator"]

_ELONGATION = re.compile(r"(.)\1{2,}")
_ONE = operator.itemgetter(1)  # a match's letter: as a template (r"\1"), each sub() costs ~1 us more
_JOIN = " \n "
# Longer words (after squeezing elongation; no Darija word is this long: a laugh, a keyboard mash) are
# searched in pieces of this many characters: the ranked search keeps every prefix of every hypothesis,
# so its time and memory grow with the square of the length (8,000 characters took 1 GB).
_MAX_WORD = 40


def _n_words(text: str) -> int:
    return sum(1 for w in _WORDS.findall(text) if w)


class Transliterator:
    """A reusable, callable transliterator for one ``(src, dst)`` pair.

    Args:
        src: source code, e.g. ``"ary_Latn"``.
        dst: target code, e.g. ``"ary_Arab"``.
        model: a model folder from :func:`train_transliterator` (``ary_Latn -> ary_Arab``
            only); ``None`` uses the shipped ranker.
        keep_foreign: keep French/English words verbatim in Arabizi input.
        phonetic: ``ary_Latn -> ary_Arab`` with the shipped rules only: every Arabizi letter
            written along the cheapest rule path, no character model (``sift`` -> سيفت, where the
            ranked default writes صيفط). The style of DODa's Arabic side; new words are converted
            in C, tens of times faster than the ranked search (``benchmarks/bench_translit.py``);
            the shipped model's data is read only for keep-foreign (and :meth:`explain`).

    Raises:
        UnknownNameError: unsupported pair (the message lists the supported ones).
        ModelError: ``model`` is missing or corrupt.
        ConfigError: ``model`` or ``phonetic`` with a pair that does not use them, or both at once.

    Examples:
        >>> t = Transliterator(src="ary_Latn", dst="ary_Arab")
        >>> t.batch(["salam, labas 3lik?", "@karim chouf had lvideo 😂 https://t.co/x"])
        ['سلام, لاباس عليك?', '@karim شوف هاد الفيديو 😂 https://t.co/x']
    """

    def __init__(
        self,
        *,
        src: str,
        dst: str,
        model: str | os.PathLike[str] | None = None,
        keep_foreign: bool = True,
        phonetic: bool = False,
    ) -> None:
        check_pair(src, dst)
        if model is not None and (src, dst) != ARABIZI:
            raise ConfigError(f"model= is only used for ary_Latn->ary_Arab, not {src}->{dst}; drop --model")
        if phonetic and (src, dst) != ARABIZI:
            raise ConfigError(
                f"phonetic=True is a reading of the ary_Latn->ary_Arab rules, not of {src}->{dst}; drop it"
            )
        if phonetic and model is not None:
            raise ConfigError(
                "phonetic=True reads the shipped rules, model= names a trained model; drop one of them"
            )
        self.src, self.dst, self.keep_foreign, self.phonetic = src, dst, keep_foreign, phonetic
        self._simple = simple_converter(src, dst)
        self.model: Ranker | None = None
        self._compiled: CompiledRules | None = None
        if self._simple is None:
            if phonetic:  # the rules alone: the model's data loads when keep-foreign needs it
                from aimm_nlp.text.translit._phonetic import phonetic_model

                self.model = phonetic_model()
                self._compiled = phonetic_model().compiled
            else:
                from aimm_nlp.text.translit._model import default_model, load_model

                self.model = load_model(model) if model is not None else default_model()
            self._fresh_caches()
        # a trained model with one back-off rule per kind of line: a transliterator per kind
        self._by_line: dict[str, Transliterator] | None = None
        views = getattr(self.model, "line_views", None)
        if views is not None and views():
            self._by_line = {kind: self._with_ranker(view, route=False) for kind, view in views().items()}

    def _fresh_caches(self) -> None:
        # keep-foreign: each word's level alone (0-3, see WordEvidence), kept beside its spelling and let
        # go with it (see _context.note_chunks)
        self._levels: dict[str, int] = {}
        self._cache = WordCache(self._token, dependents=(self._levels,))  # word -> output
        self._chunks: dict[str, str] = {}  # whitespace chunk -> output
        # keep-foreign in context: the chunks holding a word with a level (how many such words), and the
        # chunks that may need their line decided in context: a weak (level 1) or accented (2) word, or a
        # French article (la, le, des…)
        self._foreignish: dict[str, int] = {}
        self._context_chunks: dict[str, int] = {}  # chunk -> _context.WEAK | ACCENTED | ARTICLE bits

    def _with_ranker(self, ranker: Ranker, *, route: bool = True) -> Transliterator:
        """A copy of this transliterator that spells with ``ranker`` (empty caches)."""
        t = copy.copy(self)
        t.model = ranker
        t._fresh_caches()
        t._by_line = None
        if route and getattr(ranker, "line_views", None) is not None and ranker.line_views():  # type: ignore[attr-defined]
            t._by_line = {kind: t._with_ranker(v, route=False) for kind, v in ranker.line_views().items()}  # type: ignore[attr-defined]
        return t

    def _line(self, text: str) -> Transliterator:
        """The transliterator of this kind of line (:func:`~aimm_nlp.text.translit._backoff.line_class`)."""
        from aimm_nlp.text.translit._backoff import line_class

        assert self._by_line is not None
        return self._by_line[line_class(_n_words(text))]

    def __call__(self, text: str) -> str:
        """Transliterate one string.

        Raises:
            TypeError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"transliterate() takes a str, got {type(text).__name__}: {text!r:.60}")
        if self._simple is not None:
            return self._simple(text)
        if self._by_line is not None:
            return self._line(text)(text)
        parts = text.split(" ")
        try:  # every chunk seen before: all in C
            out = " ".join(map(self._chunks.__getitem__, parts))
        except KeyError:
            return self._run([text])[0]
        if self.keep_foreign and not self._context_chunks.keys().isdisjoint(parts):
            return self._run([text])[0]
        return out

    def _run(self, texts: list[str]) -> list[str]:
        """Arabizi: whitespace chunks through a dict (all in C on a hit), new words converted together.

        All texts are joined with ``" \\n "`` so one ``split(" ")`` chunks the whole batch and no
        chunk spans two texts; a text with its own newline is done alone, the others together."""
        if not texts:
            return []
        blob = _JOIN.join(texts)
        if len(texts) > 1 and blob.count("\n") != len(texts) - 1:  # the rest still go together
            alone = {i for i, t in enumerate(texts) if "\n" in t}
            rest = iter(self._run([t for i, t in enumerate(texts) if i not in alone]))
            return [self._run([t])[0] if i in alone else next(rest) for i, t in enumerate(texts)]
        chunks = blob.split(" ")
        cache = self._chunks
        new = [c for c in dict.fromkeys(chunks) if c not in cache]
        if new:
            self._fill_chunks(new)
        joined = " ".join(map(cache.__getitem__, chunks))
        out = joined.split(_JOIN) if len(texts) > 1 else [joined]
        if self.keep_foreign and not self._context_chunks.keys().isdisjoint(chunks):
            from aimm_nlp.text.translit._context import redo_lines

            notes = self._context_chunks, self._foreignish, self._levels
            redo_lines(texts, chunks, out, notes, self.model.foreign.decide, self._spelled)  # type: ignore[union-attr]
        return out

    def _fill_chunks(self, new: list[str]) -> None:
        chunks = self._chunks
        if len(chunks) + len(new) >= 1 << 18:
            chunks.clear()
            self._foreignish.clear()
            self._context_chunks.clear()
        plain, mixed = [], []  # plain: most chunks, one word of ASCII letters and digits
        to_plain, to_mixed, emoticon = plain.append, mixed.append, _EMOTICON_WORD.fullmatch
        for c in new:  # one pass (3x faster than two comprehensions); an emoticon word starts with x/X
            if c.isascii() and c.isalnum() and not (c[0] in "xX" and emoticon(c)):
                to_plain(c)
            else:
                to_mixed(c)
        self._fill(plain + [w for c in mixed for w in _WORDS.findall(c) if w])
        cache = self._cache
        chunks.update(zip(plain, map(cache.__getitem__, plain), strict=True))
        sub, lookup = _TOKEN.sub, cache.__getitem__
        for chunk in mixed:
            chunks[chunk] = sub(lambda m: lookup(m[0]), chunk)
        if self.keep_foreign:
            from aimm_nlp.text.translit._context import note_chunks

            foreign = self.model.foreign  # type: ignore[union-attr]
            note_chunks(
                plain, mixed, self._levels, self._foreignish, self._context_chunks, foreign.foreign_levels
            )

    def _fill(self, tokens: list[str]) -> None:
        """Put every new word of ``tokens`` in the word cache.

        Phonetic: every word goes through :class:`CompiledRules` in one call, then lexicon words take
        the lexicon's spelling. Ranked: the new words that are not foreign go to the model's ``best_many``
        in one call or, for a trained joint model, one by one. Numbers and (``keep_foreign``) foreign
        words stay as they are."""
        cache = self._cache
        new = [t for t in dict.fromkeys(tokens) if t not in cache]
        if not new:
            return
        if len(cache) + len(new) >= cache.limit:
            cache.clear()
        compiled, expect = self._compiled, getattr(self.model, "expect", None)
        if compiled is None and expect is not None:
            expect(len(new))  # the compiled search, when due, before the keep-foreign scorer (see expect)
        # Kept in the word cache: listed words and accented ones (level 2-3); weak foreign evidence
        # (level 1) is transliterated there, and decided in its line (_decide_all).
        levels = self.model.foreign.foreign_levels(new) if self.keep_foreign else [0] * len(new)  # type: ignore[union-attr]
        flags = [level >= 2 for level in levels]
        if self.keep_foreign:
            self._levels.update(zip(new, levels, strict=True))
        if compiled is not None:
            fold = compiled.fold
            joined = "\n".join([t if t.islower() else fold(t) for t in new])
            squeezed = _ELONGATION.sub(_ONE, joined)
            keys = squeezed.split("\n")
            outs = list(map(compiled.table.lexicon.get, keys, compiled.convert_joined(squeezed)))
            outs = [t if f else o for t, f, o in zip(new, flags, outs, strict=True)]
        else:
            # ranked: foreign words are not searched at all; the rest in one best_many call
            todo = [t for t, f in zip(new, flags, strict=True) if not f] if any(flags) else new
            best_many = getattr(self.model, "best_many", None)
            if not todo:
                spelled = []
            elif best_many is not None and max(map(len, todo)) > _MAX_WORD:
                spelled = self._best_many_long(todo, best_many)
            elif best_many is not None:
                spelled = best_many(_ELONGATION.sub(_ONE, "\n".join(todo)).split("\n"))
            else:
                spelled = [self._rank(t, 1)[0][0] for t in todo]
            if todo is new:
                outs = spelled
            else:
                rest = iter(spelled)
                outs = [t if f else next(rest) for t, f in zip(new, flags, strict=True)]
        for i in [i for i, t in enumerate(new) if t[0].isdigit()]:
            if _NUMBER.fullmatch(new[i]):
                outs[i] = new[i]
        cache.update(zip(new, [o or t for o, t in zip(outs, new, strict=True)], strict=True))

    def _best_many_long(self, todo: list[str], best_many: Callable[[list[str]], list[str]]) -> list[str]:
        """``best_many`` for the words up to :data:`_MAX_WORD` characters (elongation squeezed), and
        :meth:`_rank` (in pieces) for the longer ones."""
        squeezed = _ELONGATION.sub(_ONE, "\n".join(todo)).split("\n")
        short = [i for i, w in enumerate(squeezed) if len(w) <= _MAX_WORD]
        out = [""] * len(todo)
        for i, spelled in zip(short, best_many([squeezed[i] for i in short]), strict=True):
            out[i] = spelled
        for i in set(range(len(todo))).difference(short):
            out[i] = self._rank(todo[i], 1)[0][0]
        return out

    def _pieces(self, text: str) -> list[str]:
        out, last = [], 0
        for d in self._decide_all(text):
            out.append(text[last : d.start])
            out.append(d.output)
            last = d.end
        out.append(text[last:])
        return out

    def _decide_all(self, text: str) -> list[TokenDecision]:
        """Token decisions in the context of the line (:func:`~._context.decide_line`; see :func:`explain`)."""
        from aimm_nlp.text.translit._context import decide_line

        return decide_line(text, self._classify, self._spelled, keep_foreign=self.keep_foreign)

    def _spelled(self, word: str, level: Callable[[str], int] | None = None) -> str:
        """The transliteration of a word, whatever its keep-foreign verdict alone (``level``: word -> its
        level alone, when known; else ``decide``)."""
        out = self._cache[word]
        if out == word and self.keep_foreign:
            kept_alone = (level(word) if level else self.model.foreign.decide(word).level) >= 2  # type: ignore[union-attr]
            if kept_alone:
                out = self._rank(word, 1)[0][0]
        return out

    def batch(self, texts: Iterable[str]) -> list[str]:
        """Transliterate many strings (shares the word cache; new words are converted together).

        A trained model with a rule per kind of line reads a batch that is a word list (lines of 4+ words
        under :data:`~aimm_nlp.text.translit._backoff.WORD_LIST_LONG_SHARE` of its lines) as entries, every
        line with its short-line rule; a line alone is routed by its number of words
        (:func:`~aimm_nlp.text.translit._backoff.line_classes`).

        Raises:
            TypeError: ``texts`` is one string, or holds something that is not a string.
        """
        if isinstance(texts, str):
            raise TypeError("batch() takes a list of texts, not one str; call the transliterator on it")
        texts = list(texts)
        if not all(isinstance(t, str) for t in texts):
            i = next(i for i, t in enumerate(texts) if not isinstance(t, str))
            raise TypeError(f"texts[{i}] is {type(texts[i]).__name__}, not str: {texts[i]!r:.60}")
        if self._simple is not None:
            return [self._simple(t) for t in texts]
        if self._by_line is not None:  # a trained model: each kind of line has its rule
            from aimm_nlp.text.translit._backoff import line_classes

            out = [""] * len(texts)
            kinds = line_classes([_n_words(t) for t in texts])
            for kind in dict.fromkeys(kinds):
                idx = [i for i, k in enumerate(kinds) if k == kind]
                for i, o in zip(idx, self._by_line[kind]._run([texts[i] for i in idx]), strict=True):
                    out[i] = o
            return out
        return self._run(texts)

    def _classify(self, token: str) -> tuple[str, WordEvidence | None]:
        kind = token_kind(token)
        if kind != "word":
            return kind, None
        assert self.model is not None
        return "word", self.model.foreign.decide(token)

    def _token(self, token: str) -> str:
        """One token missing from the word cache (``explain()``, ``candidates()``, a URL in a chunk)."""
        m = _TOKEN.fullmatch(token)
        if m is not None and m.lastgroup != "word":
            return token
        level = 0
        if self.keep_foreign:  # recorded as _fill does: a batch's chunk notes read it (_context.note_chunks)
            level = self._levels[token] = self.model.foreign.decide(token).level  # type: ignore[union-attr]
        if level >= 2 or _NUMBER.fullmatch(token):
            return token
        return self._rank(token, 1)[0][0]

    def _rank(self, word: str, k: int) -> list[tuple[str, float]]:
        assert self.model is not None
        w = _ELONGATION.sub(_ONE, word)
        if len(w) > _MAX_WORD:  # a laugh or a keyboard mash: searched in pieces (see _MAX_WORD)
            pieces = [w[i : i + _MAX_WORD] for i in range(0, len(w), _MAX_WORD)]
            done = {p: self._rank(p, 1)[0] for p in dict.fromkeys(pieces)}  # "hahaha...": one search
            return [("".join(done[p][0] for p in pieces), round(sum(done[p][1] for p in pieces), 4))]
        ranked = self.model.rank_phonetic(w, k=k) if self.phonetic else self.model.rank(w, k=k)  # type: ignore[attr-defined]
        return ranked or [(word, 0.0)]

    def candidates(self, word: str, *, k: int = 5) -> list[Candidate]:
        """Ranked spellings of one word (a deterministic pair gives exactly one).

        Raises:
            ConfigError: ``k`` is not a whole number of at least 1.
        """
        from aimm_nlp.text.translit._types import Candidate

        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ConfigError(f"candidates: k must be at least 1 (a whole number), got {k!r}")
        if self._simple is not None or not _TOKEN.fullmatch(word) or self._classify(word)[0] != "word":
            return [Candidate(self(word), 1.0, 0.0)]
        ranked = self._rank(word, k)
        best = ranked[0][1]
        weights = [math.exp(best - c) for _, c in ranked]
        total = sum(weights)
        return [Candidate(t, round(w / total, 4), c) for (t, c), w in zip(ranked, weights, strict=True)]

    def explain(self, text: str) -> list[TokenDecision]:
        """Per-token decisions for Arabizi input (empty for deterministic pairs)."""
        if self._simple is not None:
            return []
        return self._line(text)._decide_all(text) if self._by_line is not None else self._decide_all(text)
