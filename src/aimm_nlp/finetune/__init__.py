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

from aimm_nlp._lazy import lazy_exports

__all__ = ["FinetuneConfig", "LossNotFiniteError", "RunResult", "finetune"]

_LAZY = {
    "FinetuneConfig": "aimm_nlp.finetune.config",
    "RunResult": "aimm_nlp.finetune.run",
    "finetune": "aimm_nlp.finetune.run",
    "LossNotFiniteError": "aimm_nlp.finetune.loop",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
