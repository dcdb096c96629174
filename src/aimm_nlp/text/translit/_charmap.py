"""Deterministic transliterations compiled from ``maps/*.json``: Buckwalter family, IRCAM, Arabic -> Arabizi.

Each builder returns a ``str -> str`` function. Character maps use
``str.translate`` (one C-level pass); characters outside a map pass through
unchanged, so mixed-script text keeps its other scripts, digits and emoji.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, lru_cache

from aimm_nlp.text._pkgdata import read_text

__all__ = ["arabic_to_arabizi", "buckwalter", "ircam"]

_ARAB_WORD = re.compile("[\u0621-\u0655\u0670-\u06d3]+")
_DOT_BELOW = re.compile("([dhrstzDHRSTZ])\u0323")
_COMPOSED = {"d": "ḍ", "h": "ḥ", "r": "ṛ", "s": "ṣ", "t": "ṭ", "z": "ẓ"}


@cache
def _map(name: str) -> dict:
    return json.loads(read_text(f"maps/{name}.json"))


@cache
def buckwalter(scheme: str, *, reverse: bool) -> Callable[[str], str]:
    """``ar -> scheme`` (or ``scheme -> ar`` when ``reverse``) for ``bw``, ``safebw`` or ``hsb``."""
    table = _map("buckwalter")["schemes"][scheme]
    pairs = {v: k for k, v in table.items()} if reverse else table
    trans = str.maketrans(pairs)
    return lambda text: text.translate(trans)


@cache
def ircam(direction: str) -> Callable[[str], str]:
    """``tfng_latn``, ``latn_tfng`` or ``tfng_arab`` per the IRCAM tables."""
    data = _map("tifinagh")
    if direction == "tfng_latn":
        trans = str.maketrans(data["tfng_to_latn"])
        return lambda text: text.translate(trans)
    if direction == "tfng_arab":
        trans = str.maketrans(data["tfng_to_arab"])
        return lambda text: text.translate(trans)
    inverse = {latn: tfng for tfng, latn in data["tfng_to_latn"].items()}
    for latn, tfng in list(inverse.items()):
        if latn.upper() != latn and len(latn.upper()) == 1:
            inverse[latn.upper()] = tfng
    for alias, latn in data["latn_aliases"].items():
        inverse[alias] = inverse[latn]
    trans = str.maketrans(inverse)

    def latn_to_tfng(text: str) -> str:
        # Compose only "letter + combining dot below" so other characters pass through untouched.
        if "\u0323" in text:
            text = _DOT_BELOW.sub(lambda m: _COMPOSED[m[1].lower()], text)
        return text.translate(trans)

    return latn_to_tfng


@lru_cache(maxsize=1)
def _arabizi_tables() -> tuple[dict[str, str], dict, dict, str, str]:
    data = _map("arabizi")["arab_to_latn"]
    return data["base"], data["waw"], data["yeh"], data["vowel_letters"], data["shadda"]


@lru_cache(maxsize=1)
def _reverse_lexicon() -> dict[str, str]:
    # The first Arabizi spelling listed for an Arabic word is the preferred one.
    out: dict[str, str] = {}
    for latn, arab in _map("arabizi")["lexicon"].items():
        out.setdefault(arab, latn)
    return out


@lru_cache(maxsize=1 << 16)
def _word_to_arabizi(word: str) -> str:
    hit = _reverse_lexicon().get(word)
    if hit is not None:
        return hit
    base, waw, yeh, vowels, shadda = _arabizi_tables()
    letters = [c for c in word if c != shadda]
    out: list[str] = []
    i = 0
    if word.startswith("ال") and len(letters) > 3:
        out.append("l")
        i = 2
    pos = 0
    prev_letter = ""
    for ch in word[i:]:
        if ch == shadda:
            if out and prev_letter and prev_letter in "وي":  # a doubled glide is a consonant: عيّط -> 3yyt
                out[-1] = 2 * ("w" if prev_letter == "و" else "y")
            elif out and out[-1] and out[-1][-1].isalpha():
                out.append(out[-1])
            continue
        idx = i + pos
        pos += 1
        prev_letter = ch
        if ch in "وي":
            rules = waw if ch == "و" else yeh
            prev = letters[idx - 1] if idx > 0 else ""
            nxt = letters[idx + 1] if idx + 1 < len(letters) else ""
            if idx == 0:
                out.append(rules["initial"])
            elif (prev and prev in vowels) or (nxt and nxt in vowels):
                out.append(rules["near_vowel"])
            elif not nxt:
                out.append(rules["final"])
            else:
                out.append(rules["medial"])
        else:
            out.append(base.get(ch, ch))
    return "".join(out)


def arabic_to_arabizi(text: str) -> str:
    """Deterministic Arabic-script Darija -> Moroccan Arabizi (ch, ou, kh, gh, 3, 7, 9)."""
    base = _arabizi_tables()[0]
    text = _ARAB_WORD.sub(lambda m: _word_to_arabizi(m[0]), text)
    return text.translate(_punct_table(tuple(sorted(base.items()))))


@lru_cache(maxsize=1)
def _punct_table(items: tuple[tuple[str, str], ...]) -> dict[int, str]:
    return str.maketrans({k: v for k, v in items if not _ARAB_WORD.fullmatch(k)})
