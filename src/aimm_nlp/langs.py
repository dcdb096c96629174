"""Language and script codes, FLORES-200 style: ``<iso639-3>_<iso15924>``.

Use these constants instead of free-form names such as "darija".

Examples:
    >>> from aimm_nlp.langs import LANGS, script_of_lang
    >>> LANGS["ary_Latn"].name
    'Moroccan Arabic (Darija), Latin script (Arabizi)'
    >>> script_of_lang("zgh_Tfng")
    'Tfng'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimm_nlp._langtable import Lang

    LANGS: dict[str, Lang]

__all__ = [
    "ARB_ARAB",
    "ARY_ARAB",
    "ARY_LATN",
    "BER_LATN",
    "CORE_LANGS",
    "ENG_LATN",
    "FRA_LATN",
    "LANGS",
    "SCRIPTS",
    "UND",
    "ZGH_ARAB",
    "ZGH_LATN",
    "ZGH_TFNG",
    "Lang",
    "check_lang",
    "script_of_lang",
]

ARY_ARAB = "ary_Arab"
ARY_LATN = "ary_Latn"
ARB_ARAB = "arb_Arab"
FRA_LATN = "fra_Latn"
ENG_LATN = "eng_Latn"
ZGH_TFNG = "zgh_Tfng"
ZGH_LATN = "zgh_Latn"
#: Amazigh in Arabic script: a target of transliteration only (``zgh_Tfng -> zgh_Arab``).
ZGH_ARAB = "zgh_Arab"
BER_LATN = "ber_Latn"
UND = "und"

#: ISO 15924 script codes used by :mod:`aimm_nlp.text.scripts`.
SCRIPTS = ("Arab", "Latn", "Tfng", "Other")


# One name per code, in this order; the Lang records (a frozen dataclass) are built on first use of
# Lang or LANGS (PEP 562): reading a code constant, what `aimm translit` and the transliterator need, does
# not import dataclasses (~10 ms of a short CLI run).
_NAMES = {
    ARY_ARAB: "Moroccan Arabic (Darija), Arabic script",
    ARY_LATN: "Moroccan Arabic (Darija), Latin script (Arabizi)",
    ARB_ARAB: "Modern Standard Arabic",
    FRA_LATN: "French",
    ENG_LATN: "English",
    ZGH_TFNG: "Standard Moroccan Amazigh, Tifinagh",
    BER_LATN: "Amazigh (Berber languages), Latin script",
    ZGH_LATN: "Standard Moroccan Amazigh, Latin script (IRCAM transcription)",
    ZGH_ARAB: "Standard Moroccan Amazigh, Arabic script",
    "tzm_Tfng": "Central Atlas Tamazight, Tifinagh",
    "kab_Latn": "Kabyle, Latin script",
    "taq_Tfng": "Tamasheq, Tifinagh",
    "taq_Latn": "Tamasheq, Latin script",
    "arb_Latn": "Modern Standard Arabic, Latin transliteration",
}


def __getattr__(name: str) -> Any:
    """``Lang`` (one language variety in one script) and ``LANGS`` (code -> Lang), built on first use."""
    if name in ("Lang", "LANGS"):
        from aimm_nlp._langtable import Lang

        table = {
            code: Lang(code=code, name=n, script=code.split("_")[1], iso639_3=code.split("_")[0])
            for code, n in _NAMES.items()
        }
        globals().update(Lang=Lang, LANGS=table)  # plain module attributes from now on
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


#: The seven classes every aimm_nlp component is built around.
CORE_LANGS: tuple[str, ...] = (ARY_ARAB, ARY_LATN, ARB_ARAB, FRA_LATN, ENG_LATN, ZGH_TFNG, BER_LATN)


def check_lang(code: str) -> str:
    """Return ``code`` if it is a known language code, else raise with suggestions.

    Raises:
        UnknownNameError: the code is not in :data:`LANGS`.
    """
    from aimm_nlp._registry import did_you_mean
    from aimm_nlp.errors import UnknownNameError

    if code in _NAMES:  # the keys of LANGS
        return code
    raise UnknownNameError(
        f"unknown language code {code!r}{did_you_mean(code, _NAMES)}; valid codes: {', '.join(_NAMES)}",
        name=code,
        choices=list(_NAMES),
    )


def script_of_lang(code: str) -> str:
    """Return the ISO 15924 script part of a language code (``ary_Latn`` -> ``Latn``)."""
    return check_lang(code).split("_")[1]
