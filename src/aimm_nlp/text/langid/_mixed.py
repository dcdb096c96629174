"""The ``mixed`` flag of :class:`aimm_nlp.text.langid.LangGuess`: ``is_mixed(tag_words(text))``, batched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import regex

from aimm_nlp.langs import UND
from aimm_nlp.text.langid._words import WordTag, tag_batch
from aimm_nlp.text.scripts import ARAB_CLASS, LATN_CLASS

__all__ = ["is_mixed"]

OTHER = "other"
_MIX_SHARE = 0.15
_TFNG_LETTER = regex.compile("[\u2d30-\u2d6f]")
# A character that can give a word a script other than Tifinagh: any Arabic- or Latin-class
# character, a Tifinagh-block non-letter, or anything that is not a Tifinagh letter, ASCII digit,
# space, punctuation, symbol, mark or joiner (none of those is a letter to the model).
_NOT_TFNG_ONLY = regex.compile(
    f"[{ARAB_CLASS}{LATN_CLASS}\u2d70-\u2d7f]|[^\u2d30-\u2d6f0-9\\s\\p{{P}}\\p{{S}}\\p{{M}}\u200c\u200d]"
)


def _mixed_one(text: str, m: Any) -> bool:
    """The ``mixed`` flag of one text, worked out on first access of ``LangGuess.mixed``."""
    from aimm_nlp.text.langid._encode import prepare
    from aimm_nlp.text.langid._model import _script_counts

    return bool(_mixed_rows([text], _script_counts(*prepare([text])), m))


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
