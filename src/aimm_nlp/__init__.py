"""aimm_nlp: the open NLP toolkit for Moroccan languages.

``import aimm_nlp`` is light: subpackages load on first attribute access
(PEP 562), and torch / transformers / datasets are imported only by the
functions that need them.

Examples:
    >>> import aimm_nlp
    >>> aimm_nlp.text.normalize("واااش نتا مزيااااان؟")
    'واش نتا مزيان؟'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "corpus",
    "demo",
    "errors",
    "evaluation",
    "finetune",
    "langs",
    "report",
    "resources",
    "testing",
    "text",
    "tokenization",
]

_SUBMODULES = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"aimm_nlp.{name}")
    raise AttributeError(f"module 'aimm_nlp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
