"""Read a task's local data files into plain ``dict`` docs (no hub, no network).

Formats follow lm-eval's ``dataset_path`` builder names for local files: ``csv`` (with
``dataset_kwargs.delimiter``, e.g. ``"\\t"`` for TSV, and ``dataset_kwargs.quoting``: default
``csv.QUOTE_MINIMAL`` for every delimiter, as lm-eval's ``datasets``/pandas reader; ``quoting: 3``
reads quote characters as text), ``json`` (JSON lines or a JSON list), ``parquet`` and ``arrow``
(a ``datasets.save_to_disk`` shard; both read with pyarrow, typed as ``datasets`` gives them)
and ``text`` (one ``{"text": line}`` doc per line). CSV/TSV cells get the values lm-eval sees
(``datasets`` -> ``pandas.read_csv`` defaults): empty and NA-looking cells (``NA``, ``null``,
``nan``...) are None, integer columns ints (floats when a cell is missing), numeric columns
floats, True/False columns bools, so ``doc_to_target: label`` keeps working and a template
renders the same prompt in both harnesses.

Two aimm extensions select docs: ``doc_filter`` (a Jinja expression, e.g.
``tweet | dominant_script == 'Arab'``, or ``zgh_Tfng`` to skip rows whose cell is empty or NA) keeps
the docs where it is true,
and ``hash_split: {column: id, test_percent: 40}`` splits a file with no train/test split
deterministically: a doc is in the test split when ``sha256(column) % 100 < test_percent``,
else in the training split, so baselines and fine-tuned models score the same test items.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from aimm_nlp.errors import DataError, InputFileError
from aimm_nlp.evaluation.sandbox import compile_template, jinja_env  # re-exported: jinja_env was defined here

__all__ = ["compile_template", "inspect_file", "jinja_env", "read_columns", "read_docs"]

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.IGNORECASE)
_BOOL = {"True": True, "TRUE": True, "true": True, "False": False, "FALSE": False, "false": False}
# pandas.read_csv's default na_values (pandas._libs.parsers.STR_NA_VALUES): these cells become None
_NA = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
     "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)  # fmt: skip


def _format(path: Path, cfg: dict[str, Any]) -> str:
    fmt = str(cfg.get("dataset_path") or "")
    if fmt in ("csv", "json", "text", "tsv", "parquet", "arrow"):
        return fmt
    suffixes = {".tsv": "tsv", ".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet",
                ".arrow": "arrow"}  # fmt: skip
    return suffixes.get(path.suffix, "text")


def _csv_kwargs(path: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    kw = cfg.get("dataset_kwargs") or {}
    delimiter = kw.get("delimiter", kw.get("sep", "\t" if _format(path, cfg) == "tsv" else ","))
    # lm-eval reads csv/tsv with datasets -> pandas.read_csv: QUOTE_MINIMAL unless the task says otherwise
    quoting = kw.get("quoting", csv.QUOTE_MINIMAL)
    return {"delimiter": delimiter, "quoting": quoting}


def _lines(path: Path) -> list[str]:
    """The lines of a UTF-8 data file; a missing file, a folder or invalid UTF-8 raise with file and line."""
    from aimm_nlp._io import iter_lines

    if not path.exists():
        raise InputFileError(
            f"{path}: data file does not exist (set $AIMM_SHARED or fix dataset_kwargs.data_files)",
            path=str(path),
        )
    return list(iter_lines(path))


def _json_line(path: Path, lineno: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{lineno}: not a JSON object ({exc.msg}); one JSON object per line") from None


def _json_docs(path: Path, lines: list[str]) -> list[Any]:
    text = "\n".join(lines)
    if text.lstrip().startswith("["):
        try:
            return list(json.loads(text))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    return [_json_line(path, n, line) for n, line in enumerate(lines, 1) if line.strip()]


def read_columns(path: Path, cfg: dict[str, Any]) -> list[str]:
    """Column names of a data file (header row, first JSON object, or ``["text"]``).

    Raises:
        InputFileError: the file is missing, a folder, or not UTF-8 (the message names the line).
        DataError: a JSON file that does not parse.
    """
    return inspect_file(path, cfg)[0]


def inspect_file(path: Path, cfg: dict[str, Any], *, task_file: Path | None = None) -> tuple[list[str], int]:
    """``(columns, rows)``: the column names of a data file (after ``process_docs``) and how many rows it holds."""
    fmt = _format(path, cfg)
    if fmt in ("parquet", "arrow") or cfg.get("process_docs") is not None:
        docs = read_docs(path, cfg, split=None, task_file=task_file)
        return (list(docs[0]) if docs else []), len(docs)
    lines = _lines(path)
    if fmt in ("csv", "tsv"):
        rows = list(csv.reader([line + "\n" for line in lines], **_csv_kwargs(path, cfg)))
        if rows:
            _check_header(path, rows[0])
        return (rows[0] if rows else []), max(0, len(rows) - 1)
    if fmt == "json":
        docs = _json_docs(path, lines)
        return (list(docs[0]) if docs and isinstance(docs[0], dict) else []), len(docs)
    return ["text"], len(lines)


def _check_header(path: Path, header: list[str]) -> None:
    """Refuse a header that names a column twice (the second would silently replace the first)."""
    seen: set[str] = set()
    dup = sorted({c for c in header if c in seen or seen.add(c)})
    if dup:
        raise DataError(
            f"{path}:1: column name(s) {', '.join(map(repr, dup))} appear more than once in the header "
            f"{header}; give every column its own name"
        )


def _pandas_column(rows: list[dict[str, Any]], col: str) -> None:
    """Give a csv/tsv column the values lm-eval sees (``datasets`` -> ``pandas.read_csv`` defaults).

    Empty and NA-looking cells (``NA``, ``null``, ``nan``...) become None; a column of integers
    becomes ``int`` (``float`` when a cell is missing); of numbers ``float``; of True/False ``bool``.
    """
    cells = [r[col] for r in rows]
    present = [c for c in cells if c not in _NA]
    if not present:
        convert: Any = None
    elif all(_INT.fullmatch(c) for c in present):
        convert = int if len(present) == len(cells) else float
    elif all(_FLOAT.fullmatch(c) for c in present):
        convert = float
    elif all(c in _BOOL for c in present):
        convert = _BOOL.__getitem__
    else:
        convert = str
    for r, c in zip(rows, cells, strict=True):
        r[col] = None if c in _NA or convert is None else convert(c)


def _arrow_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The rows of a parquet file or a ``datasets`` arrow shard, typed as ``datasets`` gives them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputFileError(f"{path}: data file does not exist", path=str(path))
    try:
        if fmt == "parquet":
            return pq.read_table(path).to_pylist()
        with pa.memory_map(str(path)) as source:  # save_to_disk shards are arrow IPC streams
            return pa.ipc.open_stream(source).read_all().to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable {fmt} file ({exc})") from None


def _read_rows(path: Path, cfg: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = _format(path, cfg)
    if fmt in ("parquet", "arrow"):
        return _arrow_rows(path, fmt)
    lines = _lines(path)
    if fmt in ("csv", "tsv"):
        # each line gets its newline back, so a quoted field spanning lines keeps it
        reader = csv.reader([line + "\n" for line in lines], **_csv_kwargs(path, cfg))
        header = next(reader, [])
        _check_header(path, header)
        rows = []
        for row in reader:
            if len(row) != len(header):
                raise DataError(f"{path}:{reader.line_num}: {len(row)} fields, header has {len(header)}")
            rows.append(dict(zip(header, row, strict=True)))
        for col in header:
            _pandas_column(rows, col)
        return rows
    if fmt == "json":
        docs = _json_docs(path, lines)
        for i, doc in enumerate(docs):
            if not isinstance(doc, dict):
                raise DataError(f"{path}: doc {i} is {type(doc).__name__}, expected a JSON object")
        return docs
    return [{"text": line} for line in lines]


def hash_bucket(value: Any) -> int:
    """The 0-99 bucket of ``hash_split`` (stable across runs, machines and Python versions).

    Examples:
        >>> hash_bucket("sent-0001")
        36
    """
    return int.from_bytes(hashlib.sha256(str(value).encode()).digest()[:8], "big") % 100


def _select(
    rows: list[dict[str, Any]], cfg: dict[str, Any], split: str | None, path: Path, task_file: Path | None
) -> list[dict[str, Any]]:
    expr = cfg.get("doc_filter")
    if expr:
        from aimm_nlp.evaluation.templates import template_error

        try:
            keep = jinja_env().compile_expression(expr)
        except Exception as exc:  # a syntax error: named with the task file and line
            raise template_error(task_file, "doc_filter", exc, "compile") from None
        kept = []
        for i, row in enumerate(rows):
            try:
                if keep(**row):
                    kept.append(row)
            except Exception as exc:  # sandbox refusals, undefined columns, errors in filters
                raise template_error(task_file, "doc_filter", exc, f"{path}: doc {i}") from None
        rows = kept
    spec = cfg.get("hash_split")
    if spec and split is not None:
        test = split == (cfg.get("test_split") or "test")
        col, pct = spec.get("column", "id"), int(spec.get("test_percent", 30))
        rows = [r for r in rows if (hash_bucket(r[col]) < pct) == test]
    return rows


def read_docs(
    path: Path,
    cfg: dict[str, Any],
    *,
    limit: int | None = None,
    split: str | None = None,
    task_file: Path | None = None,
) -> list[dict[str, Any]]:
    """Docs of one split; ``group_rows_by`` merges token-per-row files into one doc per group.

    ``doc_filter`` and ``hash_split`` (see the module docstring) select the docs of ``split``, then
    ``process_docs`` (:mod:`aimm_nlp.evaluation.process`) reshapes them;
    ``split=None`` keeps every row of the file (``hash_split`` not applied).

    Raises:
        ConfigError: ``doc_filter`` fails on a doc (a sandbox refusal, a missing column); the message
            names ``task_file`` and the line of ``doc_filter`` in it.
        DataError: a malformed data file (duplicate column names, a row with the wrong field count).
    """
    rows = _select(_read_rows(path, cfg), cfg, split, path, task_file)
    if cfg.get("process_docs") is not None:
        from aimm_nlp.evaluation.process import process_docs

        rows = process_docs(rows, cfg, task_file)
    group = cfg.get("group_rows_by")
    if group:
        grouped: dict[Any, dict[str, list[Any]]] = {}
        for row in rows:
            doc = grouped.setdefault(row[group], {})
            for key, value in row.items():
                doc.setdefault(key, []).append(value)
        rows = [{**doc, group: key} for key, doc in grouped.items()]
    return rows[:limit] if limit is not None else rows
