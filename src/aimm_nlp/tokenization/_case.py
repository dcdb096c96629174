"""Case augmentation of the training text: a share of a language's lines in Title Case or ALL CAPS.

Permissive Arabizi (AfriSenti tweets) is 99 % lower case, so a tokenizer trained on it learns no
capitalised pieces and real comments (``Salam Khouya``, ``WACH NTA MZYAN``) cost far more tokens a
word than the same text in lower case. Replacing (not adding) a share of the sampled lines with a
case variant keeps the language shares and the corpus size; the tokenizer itself stays lossless.

Examples:
    >>> case_variant("salam khouya, 3lach ma jitich?", "title")
    'Salam Khouya, 3lach Ma Jitich?'
    >>> case_variant("salam khouya", "upper")
    'SALAM KHOUYA'
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

__all__ = ["CASE_FORMS", "augment_case", "case_variant"]

CASE_FORMS = ("title", "upper")
"""The variants a replaced line takes, chosen with equal chance."""
_WORD_START = re.compile(r"(?<![^\W\d_])(?<!['’\d])([^\W\d_])")  # a letter not preceded by a letter/digit/'


def case_variant(text: str, form: str) -> str:
    """``text`` in Title Case (the first letter of each word upper-cased, the rest kept) or upper case.

    Words starting with a digit keep it (``3lach``), letters after an apostrophe stay (``l'homme`` ->
    ``L'homme``); scripts without case (Arabic, Tifinagh) come back unchanged.
    """
    if form == "upper":
        return text.upper()
    return _WORD_START.sub(lambda m: m.group(1).upper(), text)


def augment_case(
    texts: list[str], counts: Mapping[str, int], shares: Mapping[str, float], *, seed: int = 0
) -> list[str]:
    """Replace ``shares[lang]`` of each language's lines by a case variant (in place order kept).

    Args:
        texts: the sampled training lines, grouped by language in ``counts``' sorted order.
        counts: ``{lang: number of lines}`` of ``texts``, in the order the lines come.
        shares: ``{lang: share of its lines to replace, 0..1}``; other languages are left alone.
        seed: the same texts, counts, shares and seed give the same lines.

    Returns:
        A new list of the same length.
    """
    out = list(texts)
    start = 0
    for lang in sorted(counts):
        n = counts[lang]
        share = shares.get(lang, 0)
        if share > 0:
            rng = random.Random(f"{seed}:{lang}")
            for i in range(start, start + n):
                if rng.random() < share:
                    out[i] = case_variant(out[i], CASE_FORMS[rng.random() < 0.5])
        start += n
    return out
