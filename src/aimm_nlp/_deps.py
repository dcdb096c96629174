"""Detect optional dependencies without importing them (datasets / tokenizers style)."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from aimm_nlp.errors import MissingDependencyError

__all__ = ["is_available", "require"]


def is_available(module: str) -> bool:
    """True when ``module`` can be imported, checked with ``find_spec`` only."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(module: str, *, extra: str | None = None, package: str | None = None) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip command.

    Args:
        module: the import name, e.g. ``"peft"``.
        extra: the aimm-nlp extra that provides it, e.g. ``"peft"``.
        package: the PyPI name when it differs from the import name.
    """
    if not is_available(module):
        how = f'pip install "aimm-nlp[{extra}]"' if extra else f"pip install {package or module}"
        raise MissingDependencyError(
            f"{module!r} is needed for this feature but is not installed; run: {how}"
        )
    return importlib.import_module(module)
