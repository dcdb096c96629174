"""Transliteration across Moroccan scripts: Arabizi <-> Arabic, Tifinagh <-> Latin, Buckwalter family.

Supported ``(src, dst)`` pairs (see :func:`supported_pairs`):

* ``ary_Latn -> ary_Arab``: Arabizi to Arabic-script Darija. Grapheme rules
  (``maps/arabizi.json``) generate spellings that a character n-gram model of
  Arabic-script Darija ranks (``models/translit_ary``, see its ``CARD.md``), or
  a joint-sequence model trained from pairs (``model=DIR``, see
  :func:`train_transliterator`). ``phonetic=True`` writes the rules' cheapest
  reading instead, letter by letter, compiled to C-level string operations
  (:mod:`aimm_nlp.text.translit._fast`): the convention of DODa's Arabic side,
  and tens of times faster on unseen words. URLs, @mentions, #hashtags,
  numbers, emoji, emoticons typed with letters (``:D``, ``xD``) and HTML entities stay verbatim, and with ``keep_foreign`` French/English words, decided from the
  whole line (a listed word always, a word that only looks foreign next to other foreign-looking
  words, a line of one word transliterated unless listed; :mod:`._context`);
  :func:`explain` shows the per-word evidence and its neighbours. Batches (:meth:`Transliterator.batch`,
  :func:`transliterate_batch`, the CLI) convert the new words of a batch together.
  The ranked search and the keep-foreign checks run in C where ``pip install``
  compiled :mod:`aimm_nlp.text.translit._native` (the same results;
  ``AIMM_NO_NATIVE=1`` keeps it out); without it, once a long job has searched
  6,500 words, the search runs compiled with numba
  (:mod:`aimm_nlp.text.translit._jit`, ~25 times faster per new word than in
  Python; ``AIMM_NO_JIT=1`` keeps it in Python).
* ``ary_Arab -> ary_Latn``: deterministic Moroccan Arabizi (ch, ou, kh, gh, 3, 7, 9).
* ``zgh_Tfng <-> zgh_Latn``: IRCAM standard, lossless on the IRCAM letters;
  ``zgh_Tfng -> zgh_Arab`` (one-way, lossy).
* ``arb_Arab`` / ``ary_Arab`` <-> ``bw``, ``safebw``, ``hsb``: Buckwalter, safe
  Buckwalter and Habash-Soudi-Buckwalter as in CAMeL Tools, plus ڭ and ژ.

Characters a scheme does not cover pass through unchanged; no input raises.

Training and scoring: :func:`train` (= :func:`train_transliterator`) fits a joint-sequence model to a
pair file that :func:`read_pairs` reads; :func:`evaluate` (= :func:`evaluate_transliteration`) scores
a model on one.

Examples:
    >>> transliterate("ana ghadi l réunion demain, 3afak sift liya le document", src="ary_Latn", dst="ary_Arab")
    'انا غادي ل réunion demain, عافاك صيفط ليا le document'
    >>> transliterate("واش نتا مزيان؟ شكرا بزاف", src="ary_Arab", dst="ary_Latn")
    'wach nta mzyan? choukran bzaf'
    >>> transliterate("ⴰⵣⵓⵍ ⴼⵍⵍⴰⴽ ⴰⴳⵯⵎⴰⵔ", src="zgh_Tfng", dst="zgh_Latn")
    'azul fllak agʷmar'
    >>> transliterate("ڭال ليا السلام", src="ary_Arab", dst="bw")
    'XAl lyA AlslAm'
    >>> [c.text for c in candidates("sbe7", src="ary_Latn", dst="ary_Arab", k=2)]
    ['صبح', 'صباح']
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from aimm_nlp._lazy import lazy_exports
from aimm_nlp.langs import ARY_ARAB, ARY_LATN
from aimm_nlp.text._delimited import delimiter_for
from aimm_nlp.text.translit._schemes import supported_pairs
from aimm_nlp.text.translit._transliterator import Transliterator

if TYPE_CHECKING:
    from aimm_nlp.text.translit._pairs import Pair, read_pairs
    from aimm_nlp.text.translit._train import (
        EvalReport,
        TrainReport,
        evaluate_transliteration,
        train_transliterator,
    )
    from aimm_nlp.text.translit._types import Candidate, TokenDecision

__all__ = [
    "Candidate",
    "EvalReport",
    "Pair",
    "TokenDecision",
    "TrainReport",
    "Transliterator",
    "candidates",
    "delimiter_for",
    "evaluate",
    "evaluate_transliteration",
    "explain",
    "read_pairs",
    "supported_pairs",
    "train",
    "train_transliterator",
    "transliterate",
    "transliterate_batch",
]

# Training, scoring, the pair reader and the result types (dataclasses) load on first use (PEP 562), so
# that transliterating does not import them. Short names inside the subpackage: ``translit.train(...)``, ``translit.evaluate(...)``.
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EvalReport": "_train",
        "TrainReport": "_train",
        "evaluate": "_train:evaluate_transliteration",
        "evaluate_transliteration": "_train",
        "train": "_train:train_transliterator",
        "train_transliterator": "_train",
        "Pair": "_pairs",
        "read_pairs": "_pairs",
        "Candidate": "_types",
        "TokenDecision": "_types",
    },
    __all__,
)


@lru_cache(maxsize=32)
def _get(
    src: str, dst: str, model: str | None, keep_foreign: bool, phonetic: bool, stamp: float
) -> Transliterator:
    return Transliterator(src=src, dst=dst, model=model, keep_foreign=keep_foreign, phonetic=phonetic)


def _cached(
    src: str, dst: str, model: str | os.PathLike[str] | None, keep_foreign: bool, phonetic: bool = False
) -> Transliterator:
    if model is None:
        return _get(src, dst, None, keep_foreign, phonetic, 0.0)
    side = Path(model) / "model.json"
    stamp = side.stat().st_mtime if side.is_file() else -1.0
    return _get(src, dst, str(Path(model).resolve()), keep_foreign, phonetic, stamp)


def transliterate(
    text: str,
    *,
    src: str,
    dst: str,
    model: str | os.PathLike[str] | None = None,
    keep_foreign: bool = True,
    phonetic: bool = False,
) -> str:
    """Transliterate ``text`` from ``src`` to ``dst`` (see the module docstring for pairs).

    Args:
        text: any Unicode string; characters the scheme does not cover pass through.
        src: source code (``ary_Latn``, ``ary_Arab``, ``arb_Arab``, ``zgh_Tfng``, ``zgh_Latn``, ``bw``…).
        dst: target code.
        model: trained model folder for ``ary_Latn -> ary_Arab`` (default: the shipped ranker).
        keep_foreign: keep French/English words verbatim in Arabizi input.
        phonetic: Arabizi by the rules alone, letter by letter (see :class:`Transliterator`).

    Returns:
        The transliterated string.

    Raises:
        UnknownNameError: unsupported pair; the message lists the supported pairs.
        ModelError: ``model`` is missing or corrupt (never a silent fallback).
        ConfigError: ``model``/``phonetic`` with a pair that does not use them.

    Examples:
        >>> transliterate("7na mchina l dar, 3afak", src="ary_Latn", dst="ary_Arab")
        'حنا مشينا ل دار, عافاك'
        >>> transliterate("3afak sift liya lmghrib", src="ary_Latn", dst="ary_Arab")
        'عافاك صيفط ليا المغرب'
        >>> transliterate("3afak sift liya lmghrib", src="ary_Latn", dst="ary_Arab", phonetic=True)
        'عافاك سيفت ليا لمغريب'
        >>> transliterate("tamazight", src="zgh_Latn", dst="zgh_Tfng")
        'ⵜⴰⵎⴰⵣⵉⴳⵀⵜ'
    """
    return _cached(src, dst, model, keep_foreign, phonetic)(text)


def transliterate_batch(
    texts: Iterable[str],
    *,
    src: str,
    dst: str,
    model: str | os.PathLike[str] | None = None,
    keep_foreign: bool = True,
    phonetic: bool = False,
) -> list[str]:
    """:func:`transliterate` over many strings; new words of the batch are converted together.

    Examples:
        >>> transliterate_batch(["bzaf", "", "😂"], src="ary_Latn", dst="ary_Arab")
        ['بزاف', '', '😂']
    """
    return _cached(src, dst, model, keep_foreign, phonetic).batch(texts)


def candidates(
    word: str,
    *,
    src: str,
    dst: str,
    k: int = 5,
    model: str | os.PathLike[str] | None = None,
    phonetic: bool = False,
) -> list[Candidate]:
    """Ranked spellings of one word with normalised probabilities and costs.

    The first candidate is what :func:`transliterate` writes for the word (with
    ``phonetic=True``, the others are ranked by rule cost alone).

    Raises:
        ConfigError: ``k`` is not a whole number of at least 1. UnknownNameError: unsupported pair.

    Examples:
        >>> [c.text for c in candidates("sbe7", src="ary_Latn", dst="ary_Arab", k=3)]
        ['صبح', 'صباح', 'سبح']
        >>> [c.text for c in candidates("sbe7", src="ary_Latn", dst="ary_Arab", k=3, phonetic=True)]
        ['سبح', 'صبح', 'سبيح']
    """
    return _cached(src, dst, model, False, phonetic).candidates(word, k=k)


def explain(
    text: str,
    *,
    src: str = ARY_LATN,
    dst: str = ARY_ARAB,
    model: str | os.PathLike[str] | None = None,
    keep_foreign: bool = True,
    phonetic: bool = False,
) -> list[TokenDecision]:
    """Per-token decisions with the keep-foreign evidence, for inspection.

    Examples:
        >>> [(d.text, d.kept, d.evidence.reason) for d in explain("merci 3afak") if d.evidence]
        [('merci', True, 'foreign_lexicon'), ('3afak', False, 'arabizi_digit')]
    """
    return _cached(src, dst, model, keep_foreign, phonetic).explain(text)
