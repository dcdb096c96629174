"""Pure ``str -> str`` text functions for Moroccan languages (stdlib + ``regex`` only).

Never imports torch, transformers or datasets.
"""

from aimm_nlp.text.normalize import (
    SWITCHES,
    Normalizer,
    describe_preset,
    normalize,
    normalize_batch,
    preset_names,
)
from aimm_nlp.text.scripts import ScriptRun, dominant_script, script_of, script_runs
from aimm_nlp.text.translit import candidates, transliterate, transliterate_batch

# Language ID loads numpy and its model on first use: names resolve lazily (PEP 562).
_LANGID = {"LangGuess", "Span", "WordTag", "identify", "identify_batch", "spans", "tag_words"}


def __getattr__(name: str):
    if name in _LANGID:
        from aimm_nlp.text import langid

        return getattr(langid, name)
    raise AttributeError(f"module 'aimm_nlp.text' has no attribute {name!r}")


__all__ = [
    "SWITCHES",
    "LangGuess",
    "Normalizer",
    "ScriptRun",
    "Span",
    "WordTag",
    "candidates",
    "describe_preset",
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
    "transliterate",
    "transliterate_batch",
]
