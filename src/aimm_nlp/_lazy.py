"""PEP 562 lazy exports for package ``__init__`` modules (lm-eval / datasets style).

A package maps each public name to the module that defines it; the module is imported on
first attribute access, so ``import aimm_nlp.corpus`` stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str], names: Iterable[str], *, submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``.

    Args:
        package: the package's ``__name__``.
        where: public name -> defining module, absolute (``aimm_nlp.x.y``) or relative to
            ``package`` (``"cleaning"``); ``"module:attr"`` exports ``attr`` under another name
            (an alias such as ``train`` for ``train_transliterator``).
        names: the package's ``__all__``.
        submodules: names that are the package's own submodules (``aimm_nlp.text.translit``
            reachable as an attribute before anything imported it).

    Examples:
        >>> getattr_, dir_ = lazy_exports("aimm_nlp", {"normalize": "aimm_nlp.text.normalize"}, ["normalize"])
        >>> getattr_("normalize").__name__, dir_()
        ('normalize', ['normalize'])
        >>> getattr_, _ = lazy_exports("aimm_nlp", {"norm": "text.normalize:normalize"}, [], submodules=["text"])
        >>> getattr_("norm").__name__, getattr_("text").__name__
        ('normalize', 'aimm_nlp.text')
    """
    public = sorted(names)
    subs = frozenset(submodules)

    def module_of(name: str) -> Any:
        return importlib.import_module(name if name.startswith("aimm_nlp.") else f"{package}.{name}")

    def __getattr__(name: str) -> Any:
        if name in where:
            module, _, attr = where[name].partition(":")
            return getattr(module_of(module), attr or name)
        if name in subs:
            return module_of(name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return public

    return __getattr__, __dir__
