"""Lone UTF-16 surrogates in decoded JSON: found with the field and position, named with the fix.

``json.loads('{"text": "\\ud800 salam"}')`` succeeds, but the string holds U+D800, half of a
UTF-16 pair that no UTF-8 file, Arrow column or Rust tokenizer can store (scraped tweets cut
inside an emoji often have one). Readers call :func:`find_lone_surrogate` on what they decoded
and report the file, line and field instead of failing later with a bare ``UnicodeEncodeError``.

Examples:
    >>> find_lone_surrogate({"id": 1, "text": "\\ud800 salam"})
    ("'text'", 0, '\\\\ud800')
    >>> find_lone_surrogate({"text": "salam 😀"}) is None  # a valid pair decodes to one character
    True
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SURROGATE_FIX", "find_lone_surrogate", "surrogate_problem"]

_LONE = re.compile("[\ud800-\udfff]")

SURROGATE_FIX = (
    "remove that \\uXXXX escape or replace it with \\ufffd (Python: "
    "s.encode('utf-8', 'replace').decode() on each string); it is half of an emoji cut in two"
)


def find_lone_surrogate(value: Any, where: str = "") -> tuple[str, int, str] | None:
    """The first lone surrogate in ``value`` (a string, or dicts/lists of them, as ``json.loads`` gives).

    Returns:
        ``(field, index, escape)``: the field as ``'text'`` or ``'meta'.'tags'[2]`` (``""`` for a bare
        string), the character index within that string, and the code as ``\\udXXX``; or ``None``.
    """
    if isinstance(value, str):
        m = _LONE.search(value)
        return None if m is None else (where, m.start(), f"\\u{ord(m.group()):04x}")
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_lone_surrogate(key, where) or find_lone_surrogate(
                item, f"{where}.{key!r}" if where else repr(key)
            )
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = find_lone_surrogate(item, f"{where}[{i}]")
            if found:
                return found
    return None


def surrogate_problem(value: Any) -> str | None:
    """A one-line description of the first lone surrogate in ``value`` with the fix, or ``None``."""
    found = find_lone_surrogate(value)
    if found is None:
        return None
    where, index, escape = found
    field = f"field {where} " if where else ""
    return (
        f"{field}holds a lone surrogate {escape} at character {index}, which UTF-8 cannot store; "
        f"{SURROGATE_FIX}"
    )
