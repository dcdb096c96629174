"""A tiny name -> ``"module:attr"`` registry with did-you-mean errors.

Entries are import strings, so nothing heavy is imported until a name is used
(lm-eval ``Registry``). Names are snake_case, versioned when behaviour can move
a score (``ary_arab.v1``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from aimm_nlp.errors import UnknownNameError

__all__ = ["Registry", "did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    import difflib  # only when a name is wrong: its import is most of this module's

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Registry:
    """Names mapped to lazily imported objects.

    Examples:
        >>> reg = Registry("greeting")
        >>> reg.register("upper", "builtins:str")
        >>> reg.get("upper") is str
        True
        >>> reg.get("uper")
        Traceback (most recent call last):
        ...
        aimm_nlp.errors.UnknownNameError: unknown greeting 'uper' (did you mean 'upper'?); valid names: upper
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, str | Any] = {}

    def register(self, name: str, target: str | Any) -> None:
        """Register ``target`` (an object or a ``"module:attr"`` string) under ``name``."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = target

    def get(self, name: str) -> Any:
        """Return the object registered as ``name``, importing it on first use."""
        try:
            target = self._entries[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}{did_you_mean(name, self._entries)}; "
                f"valid names: {', '.join(sorted(self._entries))}",
                name=name,
                choices=sorted(self._entries),
            ) from None
        if isinstance(target, str) and ":" in target:
            module, _, attr = target.partition(":")
            target = getattr(importlib.import_module(module), attr)
            self._entries[name] = target
        return target

    def names(self) -> list[str]:
        """All registered names, sorted."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
