"""Pure ``str -> str`` text functions for Moroccan languages (stdlib + ``regex`` only).

Subpackages: :mod:`aimm_nlp.text.translit` (transliteration, its training and pair reader) and
:mod:`aimm_nlp.text.langid` (language ID, its training and table reader); their main functions are
re-exported here.

Never imports torch, transformers or datasets.
"""

from aimm_nlp._lazy import lazy_exports
from aimm_nlp.text.normalize import (
    SWITCHES,
    Normalizer,
    describe_preset,
    normalize,
    normalize_batch,
    preset_names,
)

__all__ = [
    "SWITCHES",
    "LangGuess",
    "Normalizer",
    "ScriptRun",
    "Span",
    "WordTag",
    "candidates",
    "describe_preset",
    "dialectness",
    "dialectness_batch",
    "dominant_script",
    "identify",
    "identify_batch",
    "normalize",
    "normalize_batch",
    "preset_names",
    "script_of",
    "script_runs",
    "spans",
    "tag_words",
    "train_langid",
    "train_transliterator",
    "transliterate",
    "transliterate_batch",
]

# Only normalize is imported with the package (a first normalize() call loads nothing else). Language
# ID (numpy and its model on first use), transliteration and the script helpers resolve lazily (PEP 562).
_LANGID = (
    "LangGuess",
    "Span",
    "WordTag",
    "dialectness",
    "dialectness_batch",
    "identify",
    "identify_batch",
    "spans",
    "tag_words",
    "train_langid",
)
_TRANSLIT = ("candidates", "train_transliterator", "transliterate", "transliterate_batch")
_SCRIPTS = ("ScriptRun", "dominant_script", "script_of", "script_runs")
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(_LANGID, "langid"),
        **dict.fromkeys(_TRANSLIT, "translit"),
        **dict.fromkeys(_SCRIPTS, "scripts"),
    },
    __all__,
    submodules=("langid", "normalize", "scripts", "translit"),
)
