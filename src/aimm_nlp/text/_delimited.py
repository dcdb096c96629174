"""The field delimiter of a delimited (TSV/CSV) file: shared by the pair reader of transliteration and the
table reader of language ID."""

from __future__ import annotations

from pathlib import Path

from aimm_nlp.errors import ConfigError

__all__ = ["delimiter_for", "delimiter_guess"]


def delimiter_for(path: Path, delimiter: str | None) -> str:
    """The field delimiter: ``delimiter`` (``tab`` or ``\\t`` name a tab), else ',' for .csv and a tab.

    Raises:
        ConfigError: ``delimiter`` is not one character, or is a quote or a line break.
    """
    if delimiter is None:
        return "," if path.suffix.lower() == ".csv" else "\t"
    delim = "\t" if delimiter in ("\\t", "tab") else delimiter
    if len(delim) != 1 or delim in '"\r\n':
        raise ConfigError(
            f"delimiter {delimiter!r}: must be one character such as ',' or ';', or tab "
            "(and not a quote or a line break)"
        )
    return delim


def delimiter_guess(header_line: str, fields: int, delim: str) -> str | None:
    """The delimiter a header split into one field seems to use instead of ``delim`` (tab, ',' or ';')."""
    if fields != 1:
        return None
    return next((d for d in (";", ",", "\t") if d != delim and d in header_line), None)
