"""Format readers behind :func:`aimm_nlp.corpus.load_corpus`.

Each file is described by a plain, picklable *spec* dict, and :func:`generate_tables`
turns a list of specs into Arrow batches of ``{"text", "lang", "source"}`` rows. The same
generator feeds the memory-mapped ``Dataset`` and the streaming ``IterableDataset``, so
both give identical rows, and an ``IterableDataset`` has one shard per spec (what
``split_dataset_by_node`` and DataLoader workers split on).

Files are read as bytes and decoded line by line, so every malformed line (invalid UTF-8 or
JSON, a missing or non-string text field, a ``\\ud800``-style JSON escape that decodes to a lone
surrogate in the text, language or source field) is reported with its file and line number. Under ``on_error="skip"`` such a line
becomes a row with ``text=None`` and an ``error`` message, which
:func:`aimm_nlp.corpus.clean` drops and counts (step ``malformed``): never silently.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aimm_nlp._io import open_binary
from aimm_nlp._surrogates import surrogate_problem
from aimm_nlp.errors import DataError, InputFileError

TEXT_CANDIDATES = ("text", "sentence", "content", "tweet", "body", "document")
LANG_CANDIDATES = ("lang", "language")
FORMATS = {".txt": "txt", ".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}
FORMATS.update({".conllu": "conllu", ".parquet": "parquet"})


class _Bad:
    """A malformed line: kept apart from records so ``on_error`` decides."""

    __slots__ = ("line", "reason")

    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


def _utf16(head: bytes) -> str | None:
    """``"UTF-16LE"``/``"UTF-16BE"`` when ``head`` (the first bytes of a file) looks like UTF-16 text."""
    if head.startswith(b"\xff\xfe") or (len(head) >= 4 and head[1] == head[3] == 0 and head[0] and head[2]):
        return "UTF-16LE"
    if head.startswith(b"\xfe\xff") or (len(head) >= 4 and head[0] == head[2] == 0 and head[1] and head[3]):
        return "UTF-16BE"
    return None


def _lines(path: str) -> Iterator[tuple[int, str | _Bad]]:
    offset = 0
    with open_binary(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            encoding = _utf16(raw[:4]) if lineno == 1 else None
            if encoding:  # Excel's "Unicode text" and Windows tools: not binary, just another encoding
                raise InputFileError(
                    f"{path}:1: the file is {encoding} text, not UTF-8; convert it, e.g. "
                    f"iconv -f {encoding} -t UTF-8 {path} > converted{Path(path).suffix}",
                    path=path,
                    line=1,
                )
            nul = raw.find(b"\x00")
            if nul >= 0:
                raise InputFileError(
                    f"{path}:{lineno}: NUL byte at byte offset {offset + nul}: this looks "
                    "like a binary file; pass UTF-8 text",
                    path=path,
                    line=lineno,
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield (
                    lineno,
                    _Bad(
                        lineno,
                        f"invalid UTF-8 at byte offset {offset + exc.start} (byte 0x{raw[exc.start]:02x}); "
                        "convert the file to UTF-8",
                    ),
                )
            else:
                yield lineno, text.rstrip("\r\n") if lineno > 1 else text.lstrip("\ufeff").rstrip("\r\n")
            offset += len(raw)


def _records(spec: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any] | _Bad]]:
    fmt, path = spec["format"], spec["path"]
    if fmt == "txt":
        for n, line in _lines(path):
            yield n, line if isinstance(line, _Bad) else {"text": line}
    elif fmt == "conllu":
        for n, line in _lines(path):
            if isinstance(line, _Bad):
                yield n, line
            elif line.startswith("# text ="):
                yield n, {"text": line[len("# text =") :].strip()}
    elif fmt == "jsonl":
        yield from _jsonl(path)
    elif fmt == "tsv":
        yield from _tsv(path)
    elif fmt == "csv":
        yield from _csv(path)
    elif fmt == "parquet":
        yield from _parquet(path, spec)
    else:  # pragma: no cover - specs are built by load.py
        raise ValueError(fmt)


def _jsonl(path: str) -> Iterator[tuple[int, dict[str, Any] | _Bad]]:
    for n, line in _lines(path):
        if isinstance(line, _Bad) or not line.strip():
            if isinstance(line, _Bad):
                yield n, line
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, _Bad(n, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield (
            n,
            obj if isinstance(obj, dict) else _Bad(n, f"expected a JSON object, got {type(obj).__name__}"),
        )


def _tsv(path: str) -> Iterator[tuple[int, dict[str, Any] | _Bad]]:
    header: list[str] | None = None
    for n, line in _lines(path):
        if isinstance(line, _Bad):
            if header is None:
                raise InputFileError(f"{path}:{n}: header {line.reason}", path=path, line=n)
            yield n, line
        elif header is None:
            header = line.split("\t")
            yield 0, {"__header__": header}
        elif line:
            fields = line.split("\t")
            if len(fields) != len(header):
                yield n, _Bad(n, f"expected {len(header)} tab-separated fields, found {len(fields)}")
            else:
                yield n, dict(zip(header, fields, strict=True))


def _csv(path: str) -> Iterator[tuple[int, dict[str, Any] | _Bad]]:
    bad: dict[int, _Bad] = {}

    def text_lines() -> Iterator[str]:
        for n, line in _lines(path):
            if isinstance(line, _Bad):
                bad[n] = line
                yield "\n"
            else:
                yield line + "\n"

    reader = csv.reader(text_lines(), strict=True)
    header: list[str] | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, _Bad(reader.line_num, f"malformed CSV ({exc})")
            continue
        if bad:
            yield from sorted(bad.items())
            bad.clear()
            continue
        if header is None:
            header = row
            yield 0, {"__header__": header}
        elif row:
            if len(row) != len(header):
                yield (
                    reader.line_num,
                    _Bad(reader.line_num, f"expected {len(header)} comma-separated fields, found {len(row)}"),
                )
            else:
                yield reader.line_num, dict(zip(header, row, strict=True))


def _parquet(path: str, spec: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any] | _Bad]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputFileError(f"{path}: cannot read as parquet ({exc})", path=path) from None
    yield 0, {"__header__": pf.schema_arrow.names}
    n = 0
    for batch in pf.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            n += 1
            yield n, row


def _pick_column(spec: dict[str, Any], columns: list[str], line: int) -> None:
    if spec["text_column"] is None:
        found = [c for c in TEXT_CANDIDATES if c in columns]
        if not found:
            raise DataError(
                f"{spec['path']}:{line}: no text column; columns found: {', '.join(columns) or '(none)'}; "
                f"pass text_column=<one of them> (looked for {', '.join(TEXT_CANDIDATES)})"
            )
        spec["text_column"] = found[0]
    elif spec["text_column"] not in columns:
        raise DataError(
            f"{spec['path']}:{line}: text column {spec['text_column']!r} not found; "
            f"columns found: {', '.join(columns) or '(none)'}"
        )
    if spec["lang_kind"] == "auto":
        found = [c for c in LANG_CANDIDATES if c in columns]
        spec["lang_kind"], spec["lang_value"] = ("column", found[0]) if found else ("const", None)


def _lang_of(spec: dict[str, Any], rec: dict[str, Any], text: str) -> str | None:
    kind, value = spec["lang_kind"], spec["lang_value"]
    if kind == "column":
        return rec.get(value) or None
    if kind == "script":
        from aimm_nlp.text.scripts import dominant_script

        return spec["by_script"].get(dominant_script(text))
    if kind == "filename":
        return Path(spec["path"]).stem
    return value


def _rows_of(spec: dict[str, Any], with_error: bool) -> Iterator[dict[str, Any]]:
    spec = dict(spec)
    path, select = spec["path"], spec.get("select_langs")
    tabular = spec["format"] in ("jsonl", "tsv", "csv", "parquet")
    if not tabular:
        spec["text_column"], spec["lang_kind"] = "text", spec["lang_kind"].replace("auto", "const")
    picked = not tabular
    for n, rec in _records(spec):
        if not isinstance(rec, _Bad) and "__header__" in rec:
            _pick_column(spec, rec["__header__"], 1)
            picked = True
            continue
        if not isinstance(rec, _Bad):
            if not picked:  # JSONL: the first object decides the columns
                _pick_column(spec, list(rec), n)
                picked = True
            text = rec.get(spec["text_column"], _MISSING)
            if text is _MISSING:
                rec = _Bad(n, f"no {spec['text_column']!r} field; fields: {', '.join(rec) or '(none)'}")
            elif not isinstance(text, str):
                rec = _Bad(n, f"field {spec['text_column']!r} is {type(text).__name__}, expected a string")
            elif spec["format"] == "jsonl":  # a JSON escape can decode to a lone surrogate (see _surrogates)
                used = (spec["text_column"], spec["lang_value"] if spec["lang_kind"] == "column" else None)
                problem = surrogate_problem(
                    {k: rec[k] for k in (*used, spec.get("source_column")) if k in rec}
                )
                if problem:
                    rec = _Bad(n, problem)
        if isinstance(rec, _Bad):
            if spec["on_error"] != "skip":
                raise DataError(
                    f"{path}:{rec.line}: {rec.reason}; fix the line, or drop and count malformed lines with "
                    "on_error='skip' (load_corpus), on_error=skip (corpus build config) or --on-error skip "
                    "(aimm corpus describe)"
                )
            yield {
                "text": None,
                "lang": None,
                "source": spec["source"],
                "error": f"{path}:{rec.line}: {rec.reason}",
            }
            continue
        if not text and spec.get("skip_empty"):
            continue  # an empty cell of a parallel corpus is not a document
        lang = _lang_of(spec, rec, text)
        if select is not None and lang not in select:
            continue
        source = (rec.get(spec["source_column"]) if spec.get("source_column") else None) or spec["source"]
        row = {"text": text, "lang": lang, "source": source}
        if with_error:
            row["error"] = None
        yield row


_MISSING = object()


def generate_tables(
    specs: list[dict[str, Any]], with_error: bool = False, batch_rows: int = 10_000
) -> Iterator[tuple[str, Any]]:
    """Yield ``(key, pyarrow.Table)`` batches of the rows of ``specs`` (fast path for ``datasets``).

    Building Arrow tables here, rather than handing ``datasets`` one dict per row, avoids its
    per-example encoding: streaming and loading run several times faster on large files.
    """
    import pyarrow as pa

    names = ["text", "lang", "source", *(["error"] if with_error else [])]
    schema = pa.schema([(n, pa.string()) for n in names])
    for s, spec in enumerate(specs):
        cols: dict[str, list[Any]] = {n: [] for n in names}
        b = 0
        for row in _rows_of(spec, with_error):
            for n in names:
                cols[n].append(row[n])
            if len(cols["text"]) >= batch_rows:
                yield f"{s}_{b}", pa.table(cols, schema=schema)
                cols, b = {n: [] for n in names}, b + 1
        if cols["text"]:
            yield f"{s}_{b}", pa.table(cols, schema=schema)
