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
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import regex

from aimm_nlp.langs import UND, ZGH_TFNG
from aimm_nlp.text.langid._evaluate import LangidScores, score_guesses
from aimm_nlp.text.langid._guess import LangGuess, new_guess
from aimm_nlp.text.langid._mixed import _mixed_one, _mixed_rows
from aimm_nlp.text.langid._mixed import is_mixed as is_mixed  # public here since the first version
from aimm_nlp.text.langid._scores import Scores as _Scores
from aimm_nlp.text.langid._table import read_table
from aimm_nlp.text.langid._train import check_options as check_train_options
from aimm_nlp.text.langid._train import train_langid
from aimm_nlp.text.langid._words import Span, WordTag, merge_spans, tag_batch

__all__ = [
    "LangGuess",
    "LangidScores",
    "Span",
    "WordTag",
    "check_train_options",
    "dialectness",
    "dialectness_batch",
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


def load_langid_model(model: str | Path | None = None) -> Any:
    """Load and cache a model folder (``None``: the shipped model); raise ``ModelError`` if bad."""
    from aimm_nlp.text.langid._model import load_model

    return load_model(model)


def identify(
    text: str, *, model: str | Path | None = None, priors: Mapping[str, float] | None = None
) -> LangGuess:
    """Identify the language of one text.

    Args:
        text: any string; ``""``, digits or emoji alone give ``und``. A text over
            :data:`MAX_CHARS` (200,000) characters is identified on a sample of that size: eight
            windows spread evenly over it, cut at whole words (memory stays bounded).
        model: a folder written by ``aimm langid train`` (default: the shipped model).
        priors: base rates of your domain, ``{label: rate in (0, 1)}``; the other labels of the same
            script share the rest (``{"arb_Arab": 0.7}``: 70 % of Arabic-script texts are MSA, so
            ``ary_Arab`` 0.3). Each class's log-probability moves by ``log(prior / the model's base
            rate)`` (the rates in the model's ``config.json`` ``calibration.base_rates``, else equal
            rates per script). Default: the model's own rates.

    Returns:
        A :class:`LangGuess`; ``score`` is calibrated (see the model card), short texts with little
        evidence score near chance. Many calls switch to a compiled path (``AIMM_LANGID_JIT``: README).

    Raises:
        ModelError: ``model`` is not a readable langid model folder.
        ConfigError: bad ``priors`` (unknown label, a rate outside (0, 1), rates of a script summing
            to 1 or more while another label of that script is unnamed); every problem is listed.

    Examples:
        >>> g = identify("Je pense que c'est une bonne idée.")
        >>> g.lang, g.score > 0.5, g.mixed
        ('fra_Latn', True, False)
        >>> text = "الله يرحمه"  # two words, no Darija or MSA marker
        >>> identify(text, priors={"arb_Arab": 0.9}).scores["arb_Arab"] > identify(text).scores["arb_Arab"]
        True
    """
    # one text: a lean path (``_fast``, equal to the batch path to 1e-6); no import or path work per call
    m, predict, prior_shift = _SHIPPED if model is None and _SHIPPED else _one_text_model(model)
    shift = None if priors is None else prior_shift(m, priors)
    if type(text) is not str or len(text) > MAX_CHARS:
        text = "" if text is None else _sample(str(text))
    probs, script, letters = predict(m, text, shift)
    return _guess(m, probs, script, letters, text)


_SHIPPED: list[Any] = []  # what _one_text_model gives for the shipped model, once loaded


def _one_text_model(model: str | Path | None) -> tuple[Any, Callable[..., Any], Callable[..., Any]]:
    """(model, ``_fast_jit.predict_one``, ``prior_shift``) for ``model``; kept in _SHIPPED for the shipped one."""
    from aimm_nlp.text.langid._fast_jit import predict_one
    from aimm_nlp.text.langid._priors import prior_shift

    m = load_langid_model(model)
    if model is None:
        _SHIPPED[:] = [m, predict_one, prior_shift]
    return m, predict_one, prior_shift


def identify_batch(
    texts: Sequence[str] | Mapping[str, Any],
    *,
    model: str | Path | None = None,
    column: str = "text",
    priors: Mapping[str, float] | None = None,
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
        priors: base rates of your domain, as :func:`identify` (e.g. ``{"arb_Arab": 0.7}``).

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
        guesses = _identify(list(texts[column]), model, eager_mixed=True, priors=priors)
        return {
            "lang": [g.lang for g in guesses],
            "lang_score": [g.score for g in guesses],
            "lang_mixed": [g.mixed for g in guesses],
        }
    return _identify(texts, model, eager_mixed=False, priors=priors)


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


def dialectness(
    text: str, *, model: str | Path | None = None, priors: Mapping[str, float] | None = None
) -> float:
    """How Darija an Arabic-script text is: the calibrated probability that it is Darija (``ary_Arab``)
    rather than MSA (``arb_Arab``), in [0, 1] (after the ALDi idea of a level of dialectness, Keleg et
    al. 2023; here a probability, calibrated on Moroccan social text: see the model card).

    It is computed from the whole text's features, also when Arabic is not its dominant script; a text
    with no Arabic-script letter gives ``nan``. For a text whose dominant script is Arabic,
    ``identify(text).lang == "ary_Arab"`` exactly when ``dialectness(text) > 0.5`` (same priors).

    Args:
        text: any string (long texts are sampled as in :func:`identify`).
        model: model folder with the labels ``ary_Arab`` and ``arb_Arab`` (default: the shipped model).
        priors: base rates, as :func:`identify` (e.g. ``{"ary_Arab": 0.3}``).

    Raises:
        ModelError: the model lacks ``ary_Arab`` or ``arb_Arab``, or is not a langid model folder.
        ConfigError: bad ``priors``.

    Examples:
        >>> dialectness("واش كاين شي حد فالدار؟") > 0.5
        True
        >>> dialectness("أعلنت الحكومة عن خطة جديدة لدعم التعليم العمومي") < 0.5
        True
        >>> import math; math.isnan(dialectness("salam 3likom"))
        True
    """
    return dialectness_batch([text], model=model, priors=priors)[0]


def dialectness_batch(
    texts: Sequence[str] | Mapping[str, Any],
    *,
    model: str | Path | None = None,
    column: str = "text",
    priors: Mapping[str, float] | None = None,
) -> Any:
    """:func:`dialectness` of many texts (vectorised): a list of floats (``nan`` for a text without an
    Arabic-script letter), or for a ``datasets`` batch dict ``{"dialectness": [...]}`` (read from
    ``column``), so ``ds.map(dialectness_batch, batched=True)`` adds a column.

    Examples:
        >>> [d > 0.5 for d in dialectness_batch(["شنو كتدير دابا؟", "ما هو رأيكم في هذا القرار؟"])]
        [True, False]
    """
    from aimm_nlp.text.langid._scoring import dialectness_of

    if isinstance(texts, str):
        raise TypeError("dialectness_batch() takes a list of texts, not one str; use dialectness() for one")
    is_batch = isinstance(texts, Mapping)
    if is_batch:
        if column not in texts:
            from aimm_nlp.errors import DataError

            raise DataError(f"batch has no column {column!r}; columns are {list(texts)}; pass column=...")
        texts = texts[column]
    m = load_langid_model(model)
    scores = dialectness_of(
        [_sample(t) if isinstance(t, str) else "" if t is None else _sample(str(t)) for t in texts], m, priors
    )
    return {"dialectness": scores} if is_batch else scores


def _identify(
    texts: Sequence[str], model: str | Path | None, *, eager_mixed: bool, priors: Any = None
) -> list[LangGuess]:
    """``identify_batch`` of a list; ``mixed`` worked out for all texts at once (a column was asked
    for) or per text on first access. Texts over :data:`MAX_CHARS` characters count by a sample."""
    from aimm_nlp.text.langid._priors import prior_shift

    m = load_langid_model(model)
    shift = prior_shift(m, priors)  # bad priors fail before any work, even for no texts
    texts = [_sample(t) if isinstance(t, str) else "" if t is None else _sample(str(t)) for t in texts]
    if not texts:
        return []
    import numpy as np

    probs, script, counts = m.predict_proba(texts, shift)
    labels = m.labels
    letters = counts.sum(axis=1)
    best = probs.argmax(axis=1)
    top = probs[np.arange(len(texts)), best]
    if eager_mixed:
        rows = _mixed_rows(texts, counts, m)
        mixed: list[bool | Callable[[], bool]] = [i in rows for i in range(len(texts))]
    else:
        mixed = [partial(_mixed_one, text, m) for text in texts]
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


def _guess(m: Any, probs: list[float], script: int, letters: int, text: str) -> LangGuess:
    """The :class:`LangGuess` of one text, with the rules of :func:`_identify`."""
    scores = _Scores(m.labels, probs)
    if letters == 0:
        return new_guess(UND, 1.0, scores, False)
    if script == 2 and ZGH_TFNG in m.labels:
        return new_guess(ZGH_TFNG, 1.0, scores, partial(_mixed_one, text, m))
    top = max(probs)  # the first label of the highest probability, as ``argmax``
    return new_guess(m.labels[probs.index(top)], top, scores, partial(_mixed_one, text, m))


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
