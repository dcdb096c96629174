"""Read a language-ID training table (TSV, CSV or JSONL) with file/line-exact errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from aimm_nlp.errors import DataError

__all__ = ["read_table"]


def read_table(
    path: str | Path, *, text_col: str, label_col: str, source_col: str | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Read ``(texts, labels, sources)`` from a TSV/CSV (header row) or JSONL file.

    ``.csv`` files are comma-separated (quoted fields may span lines), ``.jsonl`` files hold one
    JSON object per line, any other file is tab-separated without quoting. Blank lines are skipped.

    Raises:
        InputFileError: the file is missing, a folder, binary, or not UTF-8 (file, line and byte offset).
        DataError: an empty file, a missing column (the message lists the columns found, and names
            the delimiter the header seems to use), a bad row or an empty label (file and line).
    """
    p = Path(path)
    wanted = [c for c in (text_col, label_col, source_col) if c]
    rows = _jsonl_rows(p, wanted) if p.suffix.lower() == ".jsonl" else _delimited_rows(p, wanted)
    texts, labels, sources = [], [], []
    for line, row in rows:
        label = row[label_col].strip()
        if not label:
            raise DataError(f"{p}:{line}: empty label in column {label_col!r}; fill it in or remove the row")
        texts.append(row[text_col])
        labels.append(label)
        sources.append(row[source_col] if source_col else "data")
    if not texts:
        raise DataError(f"{p}: the header is there but no data rows follow; add examples below it")
    return texts, labels, sources


def _delimited_rows(path: Path, wanted: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row of a TSV/CSV file; ``line`` is where the row starts."""
    from aimm_nlp._io import iter_lines
    from aimm_nlp.text._delimited import delimiter_for, delimiter_guess

    delim = delimiter_for(path, None)
    quoting = csv.QUOTE_NONE if delim == "\t" else csv.QUOTE_MINIMAL
    # Lines get their "\n" back so a quoted CSV field spanning lines keeps its line break.
    reader = csv.reader((line + "\n" for line in iter_lines(path)), delimiter=delim, quoting=quoting)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            what = "empty file" if reader.line_num == 0 else "line 1 is blank"
            raise DataError(
                f"{path}:1: {what}; expected a header row naming the columns {', '.join(map(repr, wanted))}"
            )
        guess = delimiter_guess(header[0], len(header), delim)
        _check_columns(path, header, wanted, line=1, hint=_delimiter_hint(path, guess))
        end = reader.line_num
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                raise DataError(
                    f"{path}:{start}: expected {len(header)} fields separated by {delim!r}, got {len(fields)} "
                    "(a stray delimiter inside a field?); fix the row"
                )
            yield start, dict(zip(header, fields, strict=True))
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: {exc}; fix the row") from None


def _delimiter_hint(path: Path, guess: str | None) -> str:
    if guess == ",":
        return f"; wrong delimiter? the header looks comma-separated: rename {path.name} to end in .csv"
    if guess == "\t":
        return f"; wrong delimiter? the header looks tab-separated: rename {path.name} to end in .tsv"
    if guess == ";":
        return "; wrong delimiter? the header looks ';'-separated: use tabs (.tsv) or commas (.csv)"
    return ""


def _jsonl_rows(path: Path, wanted: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    from aimm_nlp._io import iter_lines

    example = json.dumps(dict.fromkeys(wanted, "..."))
    seen = False
    for line, text in enumerate(iter_lines(path), 1):
        if not text.strip():
            continue
        seen = True
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}:{line}: invalid JSON ({exc.msg}, column {exc.colno}); "
                f"each line must be one JSON object such as {example}"
            ) from None
        if not isinstance(row, dict):
            raise DataError(
                f"{path}:{line}: expected a JSON object such as {example}, got {type(row).__name__}"
            )
        _check_columns(path, list(row), wanted, line=line)
        bad = [c for c in wanted if row[c] is None or isinstance(row[c], (dict, list))]
        if bad:
            raise DataError(f"{path}:{line}: {bad[0]!r} must be a string, got {json.dumps(row[bad[0]])}")
        yield line, {c: str(row[c]) for c in wanted}
    if not seen:
        raise DataError(f"{path}: empty file; expected one JSON object per line such as {example}")


def _check_columns(path: Path, found: list[str], wanted: list[str], *, line: int, hint: str = "") -> None:
    from aimm_nlp._registry import did_you_mean

    for col in wanted:
        if col not in found:
            raise DataError(
                f"{path}:{line}: column {col!r} not found{did_you_mean(col, found)}; "
                f"columns are: {', '.join(found)}{hint}"
            )
