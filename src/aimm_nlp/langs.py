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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Lang:
    """One language variety in one script."""

    code: str
    name: str
    script: str
    iso639_3: str


def _lang(code: str, name: str) -> Lang:
    iso, script = code.split("_")
    return Lang(code=code, name=name, script=script, iso639_3=iso)


LANGS: dict[str, Lang] = {
    lang.code: lang
    for lang in (
        _lang(ARY_ARAB, "Moroccan Arabic (Darija), Arabic script"),
        _lang(ARY_LATN, "Moroccan Arabic (Darija), Latin script (Arabizi)"),
        _lang(ARB_ARAB, "Modern Standard Arabic"),
        _lang(FRA_LATN, "French"),
        _lang(ENG_LATN, "English"),
        _lang(ZGH_TFNG, "Standard Moroccan Amazigh, Tifinagh"),
        _lang(BER_LATN, "Amazigh (Berber languages), Latin script"),
        _lang(ZGH_LATN, "Standard Moroccan Amazigh, Latin script (IRCAM transcription)"),
        _lang(ZGH_ARAB, "Standard Moroccan Amazigh, Arabic script"),
        _lang("tzm_Tfng", "Central Atlas Tamazight, Tifinagh"),
        _lang("kab_Latn", "Kabyle, Latin script"),
        _lang("taq_Tfng", "Tamasheq, Tifinagh"),
        _lang("taq_Latn", "Tamasheq, Latin script"),
        _lang("arb_Latn", "Modern Standard Arabic, Latin transliteration"),
    )
}

#: The seven classes every aimm_nlp component is built around.
CORE_LANGS: tuple[str, ...] = (ARY_ARAB, ARY_LATN, ARB_ARAB, FRA_LATN, ENG_LATN, ZGH_TFNG, BER_LATN)


def check_lang(code: str) -> str:
    """Return ``code`` if it is a known language code, else raise with suggestions.

    Raises:
        UnknownNameError: the code is not in :data:`LANGS`.
    """
    from aimm_nlp._registry import did_you_mean
    from aimm_nlp.errors import UnknownNameError

    if code in LANGS:
        return code
    raise UnknownNameError(
        f"unknown language code {code!r}{did_you_mean(code, LANGS)}; valid codes: {', '.join(LANGS)}",
        name=code,
        choices=list(LANGS),
    )


def script_of_lang(code: str) -> str:
    """Return the ISO 15924 script part of a language code (``ary_Latn`` -> ``Latn``)."""
    return check_lang(code).split("_")[1]
