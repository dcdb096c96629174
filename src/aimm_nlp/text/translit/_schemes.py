"""The transliteration pairs: which ``(src, dst)`` pairs exist, and the converter of each deterministic one.

``ary_Latn -> ary_Arab`` (Arabizi) is ranked by a model (:mod:`aimm_nlp.text.translit._model`); every
other pair is a character map (:mod:`aimm_nlp.text.translit._charmap`), registered in :data:`PAIRS`
under its ``"src->dst"`` name.
"""

from __future__ import annotations

from collections.abc import Callable

from aimm_nlp._registry import Registry, did_you_mean
from aimm_nlp.errors import UnknownNameError
from aimm_nlp.langs import ARB_ARAB, ARY_ARAB, ARY_LATN, ZGH_ARAB, ZGH_LATN, ZGH_TFNG
from aimm_nlp.text.translit._charmap import arabic_to_arabizi, buckwalter, ircam

__all__ = ["ARABIZI", "PAIRS", "SCHEMES", "check_pair", "simple_converter", "supported_pairs"]

#: Buckwalter-family scheme names (aliases included) -> the scheme :func:`buckwalter` reads.
SCHEMES = {"bw": "bw", "buckwalter": "bw", "safebw": "safebw", "safe_buckwalter": "safebw", "hsb": "hsb"}
#: The ranked pair (Arabizi to Arabic-script Darija).
ARABIZI = (ARY_LATN, ARY_ARAB)
_ARABIC = (ARB_ARAB, ARY_ARAB)

#: ``"src->dst"`` -> a factory of the ``str -> str`` converter of a deterministic pair.
PAIRS = Registry("transliteration pair")


def _name(src: str, dst: str) -> str:
    return f"{src}->{dst}"


def _register() -> None:
    PAIRS.register(_name(ARY_ARAB, ARY_LATN), lambda: arabic_to_arabizi)
    PAIRS.register(_name(ZGH_TFNG, ZGH_LATN), lambda: ircam("tfng_latn"))
    PAIRS.register(_name(ZGH_LATN, ZGH_TFNG), lambda: ircam("latn_tfng"))
    PAIRS.register(_name(ZGH_TFNG, ZGH_ARAB), lambda: ircam("tfng_arab"))
    for lang in _ARABIC:
        for name, scheme in SCHEMES.items():
            PAIRS.register(_name(lang, name), lambda s=scheme: buckwalter(s, reverse=False))
            PAIRS.register(_name(name, lang), lambda s=scheme: buckwalter(s, reverse=True))


_register()


def supported_pairs() -> list[tuple[str, str]]:
    """Every supported ``(src, dst)`` pair, sorted."""
    return sorted([*(tuple(name.split("->")) for name in PAIRS), ARABIZI])


def check_pair(src: str, dst: str) -> None:
    """Raise :class:`UnknownNameError` unless ``src -> dst`` is a supported pair.

    The message (unlike :meth:`Registry.get`'s) says "unsupported ... pair" and lists the ranked
    Arabizi pair too, which is not in :data:`PAIRS`.
    """
    name = _name(src, dst)
    if name in PAIRS or (src, dst) == ARABIZI:
        return
    names = [_name(a, b) for a, b in supported_pairs()]
    raise UnknownNameError(
        f"unsupported transliteration pair {name}{did_you_mean(name, names)}; "
        f"supported pairs: {', '.join(names)}",
        name=name,
        choices=names,
    )


def simple_converter(src: str, dst: str) -> Callable[[str], str] | None:
    """The character-map converter of a deterministic pair; None for the ranked Arabizi pair."""
    name = _name(src, dst)
    return PAIRS.get(name)() if name in PAIRS else None
