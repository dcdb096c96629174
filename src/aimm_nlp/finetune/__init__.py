"""Fine-tuning and pre-training: one YAML for classification, tagging, causal LM, masked LM, seq2seq.

Light to import: torch and transformers load only when :func:`finetune` runs.

Examples:
    >>> from aimm_nlp.finetune import FinetuneConfig
    >>> cfg = FinetuneConfig.from_dict({"task": "causal_lm", "data": {"train": "darija.txt"},
    ...                                 "model": {"architecture": "llama", "tokenizer": "tok/"}})
    >>> cfg.data.packing
    True
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["FinetuneConfig", "LossNotFiniteError", "RunResult", "finetune"]

_LAZY = {
    "FinetuneConfig": "aimm_nlp.finetune.config",
    "RunResult": "aimm_nlp.finetune.run",
    "finetune": "aimm_nlp.finetune.run",
    "LossNotFiniteError": "aimm_nlp.finetune.loop",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'aimm_nlp.finetune' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
