"""Language and variety identification for Moroccan text, with word-level code-switch tags.

Classes: ``ary_Arab`` (Darija), ``ary_Latn`` (Arabizi), ``arb_Arab`` (MSA), ``fra_Latn``,
``eng_Latn``, ``zgh_Tfng`` (Tifinagh), ``ber_Latn`` (Amazigh in Latin script), and ``und``
for text without a letter. Script rules come first (Tifinagh is ``zgh_Tfng``; a model
only chooses among the classes written in the text's dominant script), then a hashed
character n-gram linear model shipped with the package (numpy, loaded on first use).
``tag_words`` labels every word (``other`` for URLs, @users, numbers, emoji and names),
smoothing word evidence with a switch penalty (Viterbi), and ``spans`` merges the runs.

Training: :func:`train` (= :func:`train_langid`) fits a model to texts and labels, e.g. those
:func:`read_table` reads from a TSV/CSV/JSONL file (:func:`check_train_options` lists bad options);
:func:`evaluate` (= :func:`evaluate_langid`) scores a model on such a file. Pass the model folder as
``model=`` to the functions above.

Examples:
    >>> from aimm_nlp.text import identify, spans
    >>> identify("wach nta mzyan? ana ghadi l dar").lang
    'ary_Latn'
    >>> identify("واش كاين شي حد فالدار؟").lang
    'ary_Arab'
    >>> identify("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ").lang
    'zgh_Tfng'
    >>> identify("2024 🙂").lang
    'und'
    >>> [(s.lang, s.text) for s in spans("safi ghadi nmchi, je suis fatigué")]
    [('ary_Latn', 'safi ghadi nmchi'), ('fra_Latn', 'je suis fatigué')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import FrozenInstanceError, replace
from functools import partial
from pathlib import Path
from typing import Any

import regex

from aimm_nlp.langs import UND, ZGH_TFNG
from aimm_nlp.text.langid._evaluate import LangidScores, score_guesses
from aimm_nlp.text.langid._scores import Scores as _Scores
from aimm_nlp.text.langid._table import read_table
from aimm_nlp.text.langid._train import check_options as check_train_options
from aimm_nlp.text.langid._train import train_langid
from aimm_nlp.text.langid._words import Span, WordTag, merge_spans, tag_batch
from aimm_nlp.text.scripts import ARAB_CLASS, LATN_CLASS

__all__ = [
    "LangGuess",
    "LangidScores",
    "Span",
    "WordTag",
    "check_train_options",
    "evaluate",
    "evaluate_langid",
    "identify",
    "identify_batch",
    "load_langid_model",
    "read_table",
    "spans",
    "tag_words",
    "train",
    "train_langid",
]

train = train_langid  # short name inside the subpackage: ``langid.train(...)``

OTHER = "other"
_MIX_SHARE = 0.15
_TFNG_LETTER = regex.compile("[\u2d30-\u2d6f]")
# A character that can give a word a script other than Tifinagh: any Arabic- or Latin-class
# character, a Tifinagh-block non-letter, or anything that is not a Tifinagh letter, ASCII digit,
# space, punctuation, symbol, mark or joiner (none of those is a letter to the model).
_NOT_TFNG_ONLY = regex.compile(
    f"[{ARAB_CLASS}{LATN_CLASS}\u2d70-\u2d7f]|[^\u2d30-\u2d6f0-9\\s\\p{{P}}\\p{{S}}\\p{{M}}\u200c\u200d]"
)


class LangGuess:
    """The language of a text (read-only).

    Attributes:
        lang: best label (``und`` when the text has no letter).
        score: probability of ``lang`` (1.0 for ``und`` and the Tifinagh rule).
        scores: probability of every label of the model.
        mixed: True when at least two languages each cover ``>= 15 %`` of the letters of the
            words :func:`tag_words` labels, i.e. ``is_mixed(tag_words(text))``. Worked out on first
            access (word tagging costs several times the identification itself), then kept.
    """

    __slots__ = ("_mixed", "lang", "score", "scores")

    def __init__(
        self, lang: str, score: float, scores: Mapping[str, float], mixed: bool | Callable[[], bool] = False
    ) -> None:
        for name, value in (("lang", lang), ("score", score), ("scores", scores), ("_mixed", mixed)):
            object.__setattr__(self, name, value)

    @property
    def mixed(self) -> bool:
        if callable(self._mixed):
            object.__setattr__(self, "_mixed", bool(self._mixed()))
        return self._mixed  # type: ignore[return-value]

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LangGuess):
            return NotImplemented
        return (self.lang, self.score, self.mixed) == (other.lang, other.score, other.mixed)

    def __hash__(self) -> int:
        return hash((self.lang, self.score))

    def __repr__(self) -> str:
        return f"LangGuess(lang={self.lang!r}, score={self.score!r}, mixed={self.mixed!r})"


def load_langid_model(model: str | Path | None = None) -> Any:
    """Load and cache a model folder (``None``: the shipped model); raise ``ModelError`` if bad."""
    from aimm_nlp.text.langid._model import load_model

    return load_model(model)


def identify(text: str, *, model: str | Path | None = None) -> LangGuess:
    """Identify the language of one text.

    Args:
        text: any string; ``""``, digits or emoji alone give ``und``. A text over
            :data:`MAX_CHARS` (200,000) characters is identified on a sample of that size: eight
            windows spread evenly over it, cut at whole words (memory stays bounded).
        model: a folder written by ``aimm langid train`` (default: the shipped model).

    Returns:
        A :class:`LangGuess`.

    Raises:
        ModelError: ``model`` is not a readable langid model folder.

    Examples:
        >>> g = identify("Je pense que c'est une bonne idée.")
        >>> g.lang, g.score > 0.5, g.mixed
        ('fra_Latn', True, False)
    """
    return identify_batch([text], model=model)[0]


def identify_batch(
    texts: Sequence[str] | Mapping[str, Any], *, model: str | Path | None = None, column: str = "text"
) -> Any:
    """Identify many texts at once (vectorised; use this for corpora).

    Args:
        texts: a list of strings (each over :data:`MAX_CHARS` characters identified on a sample, as
            :func:`identify`), or a ``datasets`` batch dict (then ``column`` is read and
            a dict ``{"lang": [...], "lang_score": [...], "lang_mixed": [...]}`` is returned,
            so ``ds.map(identify_batch, batched=True)`` adds three columns; ``lang_mixed`` word-tags
            every text, several times the cost of the other two).
        model: model folder (default: the shipped model).
        column: text column of a batch dict.

    Returns:
        ``list[LangGuess]`` for a list input, a dict of columns for a batch dict.

    Examples:
        >>> [g.lang for g in identify_batch(["salam 3likom", "هذا الكتاب مفيد جدا للطلاب", ""])]
        ['ary_Latn', 'arb_Arab', 'und']
        >>> identify_batch({"text": ["ⵜⴰⵎⴰⵣⵉⵖⵜ"]})["lang"]
        ['zgh_Tfng']
    """
    if isinstance(texts, str):
        raise TypeError("identify_batch() takes a list of texts, not one str; use identify() for one text")
    if isinstance(texts, Mapping):
        if column not in texts:
            from aimm_nlp.errors import DataError

            raise DataError(f"batch has no column {column!r}; columns are {list(texts)}; pass column=...")
        guesses = _identify(list(texts[column]), model, eager_mixed=True)
        return {
            "lang": [g.lang for g in guesses],
            "lang_score": [g.score for g in guesses],
            "lang_mixed": [g.mixed for g in guesses],
        }
    return _identify(texts, model, eager_mixed=False)


#: Texts longer than this many characters are identified on a sample of that size (see _sample).
MAX_CHARS = 200_000
_WINDOWS = 8
_SPACE = regex.compile(r"\s")


def _sample(text: str) -> str:
    """``text`` itself up to :data:`MAX_CHARS`; beyond, 8 windows spread evenly over it (the first at the
    start, the last at the end), each cut back to whole words, joined by spaces: memory stays bounded
    on one huge line (a 20 MB line took 1 GB) and every part of a long text still has a say."""
    if len(text) <= MAX_CHARS:
        return text
    size = MAX_CHARS // _WINDOWS
    step = (len(text) - size) / (_WINDOWS - 1)
    parts = []
    for i in range(_WINDOWS):
        a = round(i * step)
        b = a + size
        piece = text[a:b]
        if a > 0 and not text[a - 1].isspace() and (m := _SPACE.search(piece)):
            piece = piece[m.start() :]  # a word cut in two is dropped
        if b < len(text) and not text[b].isspace():
            cut = max(piece.rfind(" "), piece.rfind("\n"), piece.rfind("\t"))
            piece = piece[:cut] if cut > 0 else piece
        parts.append(piece)
    return " ".join(parts)


def _windows(text: str) -> list[tuple[int, str]]:
    """``text`` as consecutive ``(offset, piece)`` pieces of at most about :data:`MAX_CHARS` characters,
    cut at whitespace where there is some (one piece when the text is short)."""
    out, start = [], 0
    while len(text) - start > MAX_CHARS:
        end = start + MAX_CHARS
        cut = max(text.rfind(" ", start, end), text.rfind("\t", start, end), text.rfind("\n", start, end))
        end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    out.append((start, text[start:]))
    return out


def _identify(texts: Sequence[str], model: str | Path | None, *, eager_mixed: bool) -> list[LangGuess]:
    """``identify_batch`` of a list; ``mixed`` worked out for all texts at once (a column was asked
    for) or per text on first access. Texts over :data:`MAX_CHARS` characters count by a sample."""
    texts = [_sample(t) if isinstance(t, str) else "" if t is None else _sample(str(t)) for t in texts]
    if not texts:
        return []
    import numpy as np

    m = load_langid_model(model)
    probs, script, counts = m.predict_proba(texts)
    labels = m.labels
    letters = counts.sum(axis=1)
    best = probs.argmax(axis=1)
    top = probs[np.arange(len(texts)), best]
    if eager_mixed:
        rows = _mixed_rows(texts, counts, m)
        mixed: list[bool | Callable[[], bool]] = [i in rows for i in range(len(texts))]
    else:
        mixed = [partial(_mixed_one, text, counts[i : i + 1], m) for i, text in enumerate(texts)]
    tfng = ZGH_TFNG in labels
    out = []
    for i in range(len(texts)):
        scores = _Scores(labels, probs[i])
        if letters[i] == 0:
            out.append(LangGuess(UND, 1.0, scores, False))
        elif script[i] == 2 and tfng:
            out.append(LangGuess(ZGH_TFNG, 1.0, scores, mixed[i]))
        else:
            out.append(LangGuess(labels[best[i]], float(top[i]), scores, mixed[i]))
    return out


def _mixed_one(text: str, counts: Any, m: Any) -> bool:
    return bool(_mixed_rows([text], counts, m))


def _mixed_rows(texts: list[str], counts: Any, m: Any) -> set[int]:
    """Indices of the texts with letters for which ``is_mixed(tag_words(text))`` holds.

    Every text that could mix is word-tagged (any text of two or more words can: even an
    Arabic-only passage can split into Darija and MSA words). Tifinagh-only text is left out
    when the script masks both models to one class: each word then scores ``log 1`` for that
    class and ``log 1e-9`` for the rest, so the Viterbi path cannot switch.
    """
    import numpy as np

    maybe = counts.sum(axis=1) > 0
    tfng_only = maybe & (counts[:, 0] == 0) & (counts[:, 1] == 0)
    if tfng_only.any() and _one_tfng_class(m):
        for i in np.flatnonzero(tfng_only):
            maybe[i] = bool(_NOT_TFNG_ONLY.search(texts[i]))
    rows = np.flatnonzero(maybe)
    if not len(rows):
        return set()
    tagged = tag_batch([texts[i] for i in rows], m)
    return {int(i) for i, tags in zip(rows, tagged, strict=True) if is_mixed(tags)}


def _one_tfng_class(m: Any) -> bool:
    """True when every Tifinagh word gets the same label from ``m`` whatever its context."""
    import numpy as np

    from aimm_nlp.text.langid._model import _SCRIPTS

    tfng = _SCRIPTS.index("Tfng")
    row = m._mask[tfng]
    if row.sum() != 1 or (m.word_model is not None and not np.array_equal(m.word_model._mask[tfng], row)):
        return False
    label = m.labels[int(row.argmax())]
    lexicon = (m.lexicon or {}).get("words", {})
    return not any(_TFNG_LETTER.search(w) for lab, words in lexicon.items() if lab != label for w in words)


def is_mixed(words: Sequence[WordTag]) -> bool:
    """True when two languages each cover at least 15 % of the tagged letters."""
    per: dict[str, int] = {}
    for w in words:
        if w.lang not in (OTHER, UND):
            per[w.lang] = per.get(w.lang, 0) + len(w.text)
    total = sum(per.values())
    return total > 0 and sum(n >= _MIX_SHARE * total for n in per.values()) >= 2


def tag_words(text: str, *, model: str | Path | None = None) -> list[WordTag]:
    """Label every word of ``text`` (code-switch aware).

    Returns:
        One :class:`WordTag` per word, in order; punctuation is skipped; URLs, @users,
        #tags, numbers, emoji and capitalised names inside a sentence are ``other``. A text over
        :data:`MAX_CHARS` characters is tagged in consecutive windows of about that size, cut at
        whitespace (memory stays bounded; context does not cross a window's edge).

    Examples:
        >>> [(w.text, w.lang) for w in tag_words("3afak send me the file ghda")]
        [('3afak', 'ary_Latn'), ('send', 'eng_Latn'), ('me', 'eng_Latn'), ('the', 'eng_Latn'), ('file', 'eng_Latn'), ('ghda', 'ary_Latn')]
    """
    return [tag for tags in iter_word_tags(text, model=model) for tag in tags]


def iter_word_tags(text: str, *, model: str | Path | None = None) -> Iterator[list[WordTag]]:
    """:func:`tag_words` in pieces: one list for a text up to :data:`MAX_CHARS` characters, else one
    list per window, so a caller that writes them out (``aimm langid --words``) keeps memory bounded."""
    m = load_langid_model(model)
    text = text if isinstance(text, str) else "" if text is None else str(text)  # as identify()
    if len(text) <= MAX_CHARS:
        yield tag_batch([text], m)[0]
        return
    for offset, piece in _windows(text):
        yield [replace(t, start=t.start + offset, end=t.end + offset) for t in tag_batch([piece], m)[0]]


def spans(text: str, *, model: str | Path | None = None) -> list[Span]:
    """Merge consecutive words with the same label into :class:`Span` runs.

    Examples:
        >>> [(s.lang, s.text) for s in spans("شفت le film ديال البارح")]
        [('ary_Arab', 'شفت'), ('fra_Latn', 'le film'), ('ary_Arab', 'ديال البارح')]
    """
    return merge_spans(text, tag_words(text, model=model))


def evaluate_langid(
    path: str | Path, *, text_col: str = "text", label_col: str = "label", model: str | Path | None = None
) -> LangidScores:
    """Identify every text of a labelled table (read by :func:`read_table`) and score the guesses.

    Args:
        path: a TSV/CSV/JSONL table; text_col/label_col: its text and gold-code columns; model: a folder
            written by :func:`train_langid` (``None``: the shipped model).

    Returns:
        :class:`LangidScores` (accuracy, macro-F1 over gold labels, per-label scores, confusion).
    Raises:
        InputFileError, DataError: as :func:`read_table`.

    Examples:
        >>> import pathlib, tempfile
        >>> table = pathlib.Path(tempfile.mkdtemp()) / "gold.tsv"
        >>> _ = table.write_text("text\\tlabel\\nwach nta mzyan?\\tary_Latn\\nⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ\\tzgh_Tfng\\n", "utf-8")
        >>> evaluate_langid(table).accuracy
        1.0
    """
    texts, gold, _ = read_table(path, text_col=text_col, label_col=label_col)
    return score_guesses(gold, [g.lang for g in identify_batch(texts, model=model)])


evaluate = evaluate_langid  # short name inside the subpackage: ``langid.evaluate(...)``
