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

__all__ = [
    "SWITCHES",
    "Normalizer",
    "ScriptRun",
    "describe_preset",
    "dominant_script",
    "normalize",
    "normalize_batch",
    "preset_names",
    "script_of",
    "script_runs",
]
