"""Tokenizers for Moroccan languages: train (from Python or a :class:`TokenizerConfig` YAML), evaluate
fairness across scripts, extend.

Light on import: every public name is loaded on first use (PEP 562), so
``import aimm_nlp.tokenization`` pulls in neither ``tokenizers`` nor torch.

Examples:
    >>> from aimm_nlp.tokenization import pretokenize
    >>> pretokenize("3lach ma jitich f 2024?")
    ['3lach', ' ma', ' jitich', ' f', ' 2024', '?']
"""

from __future__ import annotations

from aimm_nlp._lazy import lazy_exports

__all__ = [
    "ExtendedTokenizer",
    "LangMetrics",
    "TokenizerConfig",
    "TokenizerReport",
    "TrainedTokenizer",
    "evaluate_tokenizers",
    "extend_tokenizer",
    "load_tokenizer",
    "pretokenize",
    "read_flores",
    "resize_embeddings",
    "train_tokenizer",
]

_WHERE = {
    "ExtendedTokenizer": "extend",
    "extend_tokenizer": "extend",
    "resize_embeddings": "extend",
    "LangMetrics": "metrics",
    "TokenizerConfig": "config",
    "TokenizerReport": "evaluate",
    "evaluate_tokenizers": "evaluate",
    "load_tokenizer": "_load",
    "read_flores": "evaluate",
    "pretokenize": "_pretok",
    "TrainedTokenizer": "train",
    "train_tokenizer": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
