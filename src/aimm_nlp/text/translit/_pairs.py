"""Read transliteration pair files (TSV or CSV with a header) with line-exact errors."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aimm_nlp._io import iter_lines
from aimm_nlp.errors import DataError
from aimm_nlp.text._delimited import delimiter_for, delimiter_guess

__all__ = ["Pair", "read_pairs"]

_SOURCE_COLS = ("source", "source_file")


@dataclass(frozen=True)
class Pair:
    """One row of a pair file."""

    src: str
    dst: str
    source: str
    line: int


def _split(line: str, delim: str) -> list[str]:
    if delim == "\t":
        return line.split("\t")
    return next(csv.reader([line], delimiter=delim))


def read_pairs(
    path: str | os.PathLike[str],
    *,
    src_col: str,
    dst_col: str,
    source_col: str | None = None,
    delimiter: str | None = None,
) -> Iterator[Pair]:
    """Yield the ``(src, dst)`` pairs of a delimited file with a header row.

    The delimiter is a tab unless the file ends in ``.csv`` or ``delimiter`` is given.
    ``source_col`` (default: a ``source`` or ``source_file`` column when present)
    labels each pair for per-source breakdowns.

    Raises:
        ConfigError: ``delimiter`` is not a single character.
        InputFileError: missing/unreadable file, invalid UTF-8 (with line and byte offset).
        DataError: empty file, missing column (the message lists the columns and
            suggests the delimiter when the header looks mis-split), a row with the
            wrong number of fields, rows with an empty ``src_col`` or ``dst_col`` field
            (raised after the last row; the first five are listed), or no data rows; the
            message names file and line. A UTF-8 byte order mark before the header is dropped.
    """
    p = Path(path)
    delim = delimiter_for(p, delimiter)
    lines = iter_lines(p)
    header_line = next(lines, None)
    if header_line is None or not header_line.strip():
        raise DataError(
            f"{p}:1: empty file; expected a header row naming columns {src_col!r} and {dst_col!r}"
        )
    header = [h.strip() for h in _split(header_line, delim)]
    missing = [c for c in (src_col, dst_col) if c not in header]
    if source_col and source_col not in header:
        missing.append(source_col)
    if missing:
        guess = delimiter_guess(header_line, len(header), delim)
        hint = ""
        if guess:
            name = "tab" if guess == "\t" else repr(guess)
            hint = f"; the header has one field: wrong delimiter? pass --delimiter {name}"
        raise DataError(
            f"{p}:1: no column {', '.join(map(repr, missing))}; columns are {header}{hint}",
        )
    if source_col is None:
        source_col = next((c for c in _SOURCE_COLS if c in header), None)
    i_src, i_dst = header.index(src_col), header.index(dst_col)
    i_source = header.index(source_col) if source_col else None
    rows = 0
    empty: list[str] = []  # "line N: 'col' is empty" for rows with an empty src or dst field
    for lineno, line in enumerate(lines, 2):
        if not line.strip():
            continue
        fields = _split(line, delim)
        if len(fields) != len(header):
            raise DataError(
                f"{p}:{lineno}: expected {len(header)} fields separated by {delim!r}, got {len(fields)} "
                "(wrong delimiter, or a stray delimiter inside a field?)"
            )
        rows += 1
        src, dst = fields[i_src].strip(), fields[i_dst].strip()
        if not (src and dst):
            cols = " and ".join(repr(c) for c, v in ((src_col, src), (dst_col, dst)) if not v)
            empty.append(f"{p}:{lineno}: {cols} {'are' if ' and ' in cols else 'is'} empty")
            continue
        yield Pair(src, dst, fields[i_source].strip() if i_source is not None else "", lineno)
    if empty:
        more = f"\n  ... and {len(empty) - 5} more" if len(empty) > 5 else ""
        raise DataError(
            f"{p}: {len(empty)} row(s) with an empty {src_col!r} or {dst_col!r} field; fill them in or "
            "delete those rows:\n" + "\n".join(f"  - {e}" for e in empty[:5]) + more
        )
    if rows == 0:
        raise DataError(f"{p}: the header is there but no data rows follow")
