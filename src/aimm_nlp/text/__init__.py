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
from aimm_nlp.text.scripts import ScriptRun, dominant_script, script_of, script_runs
from aimm_nlp.text.translit import candidates, train_transliterator, transliterate, transliterate_batch

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

# Language ID loads numpy and its model on first use: names resolve lazily (PEP 562).
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
__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(_LANGID, "langid"), __all__)
