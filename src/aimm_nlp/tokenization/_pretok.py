"""Moroccan-aware pre-tokenization shared by every aimm_nlp tokenizer.

One regex decides where sub-word merges may never cross. Compared with GPT-2's
pattern it keeps Arabizi digits inside words (``3lach``, ``7na``, ``b9a`` are
one word), keeps pure digit runs as numbers (``2024``), keeps apostrophes
inside words (``l'homme``, ``aujourd'hui``), lets a word carry one trailing
punctuation mark (``،``, ``?``) and attaches the preceding space to the word.
The tokenizer prepends one space to the text and its decoder strips exactly
one, so decoding is exact for every input.

Examples:
    >>> pretokenize("واش نتا مزيان؟ 3lach la")
    ['واش', ' نتا', ' مزيان؟', ' 3lach', ' la']
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["PATTERN", "TIFINAGH_BLOCK", "base_alphabet", "pretokenize"]

_WORD = r" ?\p{N}*[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*[^\s\p{L}\p{M}\p{N}]?"
PATTERN = _WORD + r"| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+"
"""The split regex (``regex``/Oniguruma syntax), used as an isolated ``Split`` pre-tokenizer."""

TIFINAGH_BLOCK = "".join(chr(c) for c in range(0x2D30, 0x2D80))
"""Every code point of the Tifinagh block U+2D30-U+2D7F: always in the initial alphabet."""

# Unicode blocks Moroccan, French and English text draws on: printable ASCII, Latin-1 (incl. the
# no-break space of French typography), Latin Extended-A, combining marks, Arabic, general
# punctuation (thin spaces, quotes, dashes), super/subscripts and currency signs.
_BLOCKS = [(0x20, 0x7F), (0xA0, 0x180), (0x300, 0x370), (0x600, 0x700), (0x2000, 0x20C1)]


def base_alphabet() -> list[str]:
    """Characters every trained tokenizer knows, seen in the corpus or not (sorted): the assigned,
    printable characters of the blocks above plus the whole Tifinagh block."""
    import unicodedata

    chars = {"\t", "\n", *TIFINAGH_BLOCK}
    for lo, hi in _BLOCKS:
        chars.update(ch for ch in map(chr, range(lo, hi)) if unicodedata.category(ch) not in ("Cn", "Cc"))
    return sorted(chars)


@lru_cache(maxsize=1)
def _compiled():
    import regex

    return regex.compile(PATTERN)


def pretokenize(text: str) -> list[str]:
    """Split ``text`` the way aimm_nlp tokenizers do before sub-word merges.

    Args:
        text: any string; pieces join back to ``text`` exactly.

    Returns:
        The pieces, in order.

    Examples:
        >>> pretokenize("ⴰⵣⵓⵍ fellawen, kif dayr?")
        ['ⴰⵣⵓⵍ', ' fellawen,', ' kif', ' dayr?']
    """
    return _compiled().findall(text)
