"""PEP 562 lazy exports for subpackage ``__init__`` modules (lm-eval / datasets style).

A package maps each public name to the module that defines it; the module is imported on
first attribute access, so ``import aimm_nlp.corpus`` stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``.

    Args:
        package: the package's ``__name__``.
        where: public name -> defining module, absolute (``aimm_nlp.x.y``) or relative to
            ``package`` (``"cleaning"``).
        names: the package's ``__all__``.

    Examples:
        >>> getattr_, dir_ = lazy_exports("aimm_nlp", {"normalize": "aimm_nlp.text.normalize"}, ["normalize"])
        >>> getattr_("normalize").__name__, dir_()
        ('normalize', ['normalize'])
    """
    public = sorted(names)

    def __getattr__(name: str) -> Any:
        if name in where:
            module = where[name]
            module = module if module.startswith("aimm_nlp.") else f"{package}.{module}"
            return getattr(importlib.import_module(module), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return public

    return __getattr__, __dir__
