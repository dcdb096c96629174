"""Read a task's local data files into plain ``dict`` docs (no hub, no network).

Formats follow lm-eval's ``dataset_path`` builder names for local files: ``csv`` (with
``dataset_kwargs.delimiter``, e.g. ``"\\t"`` for TSV), ``json`` (JSON lines or a JSON list)
and ``text`` (one ``{"text": line}`` doc per line). Columns whose every value is an integer
become ints, as the ``datasets`` CSV loader does, so ``doc_to_target: label`` keeps working.

Two aimm extensions select docs: ``doc_filter`` (a Jinja expression, e.g.
``tweet | dominant_script == 'Arab'`` or ``zgh_Tfng != ''``) keeps the docs where it is true,
and ``hash_split: {column: id, test_percent: 40}`` splits a file with no train/test split
deterministically: a doc is in the test split when ``sha256(column) % 100 < test_percent``,
else in the training split, so baselines and fine-tuned models score the same test items.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from aimm_nlp.errors import DataError, InputFileError

__all__ = ["compile_template", "jinja_env", "read_columns", "read_docs"]

_INT = re.compile(r"-?\d+")


@functools.lru_cache(maxsize=1)
def jinja_env() -> Any:
    """lm-eval's template environment: StrictUndefined, trailing newlines kept, ``regex_replace``."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.BaseLoader(), undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["regex_replace"] = lambda s, pattern, repl, count=0: re.sub(pattern, repl, s, count=count)
    from aimm_nlp.text import dominant_script

    env.filters["dominant_script"] = lambda s: dominant_script(str(s))
    return env


@functools.lru_cache(maxsize=256)
def compile_template(template: str) -> Any:
    """Compiled once per template string (lm-eval recompiles it for every doc)."""
    return jinja_env().from_string(template)


def _format(path: Path, cfg: dict[str, Any]) -> str:
    fmt = str(cfg.get("dataset_path") or "")
    if fmt in ("csv", "json", "text", "tsv"):
        return fmt
    return {".tsv": "tsv", ".csv": "csv", ".json": "json", ".jsonl": "json"}.get(path.suffix, "text")


def _csv_kwargs(path: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    kw = cfg.get("dataset_kwargs") or {}
    delimiter = kw.get("delimiter", kw.get("sep", "\t" if _format(path, cfg) == "tsv" else ","))
    quoting = kw.get("quoting", csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
    return {"delimiter": delimiter, "quoting": quoting}


def read_columns(path: Path, cfg: dict[str, Any]) -> list[str]:
    """Column names of a data file (header row, first JSON object, or ``["text"]``)."""
    fmt = _format(path, cfg)
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt in ("csv", "tsv"):
            return next(csv.reader(fh, **_csv_kwargs(path, cfg)), [])
        if fmt == "json":
            first = fh.readline().strip()
            if first.startswith("["):
                docs = json.loads(first + fh.read())
                return list(docs[0]) if docs else []
            return list(json.loads(first)) if first else []
    return ["text"]


def _read_rows(path: Path, cfg: dict[str, Any]) -> list[dict[str, Any]]:
    fmt = _format(path, cfg)
    try:
        fh = open(path, encoding="utf-8", newline="")
    except FileNotFoundError:
        raise InputFileError(
            f"{path}: data file does not exist (set $AIMM_SHARED or fix dataset_kwargs.data_files)",
            path=str(path),
        ) from None
    with fh:
        if fmt in ("csv", "tsv"):
            reader = csv.reader(fh, **_csv_kwargs(path, cfg))
            header = next(reader, [])
            rows = []
            for lineno, row in enumerate(reader, 2):
                if len(row) != len(header):
                    raise DataError(f"{path}:{lineno}: {len(row)} fields, header has {len(header)}")
                rows.append(dict(zip(header, row, strict=True)))
            for col in header:
                if rows and all(_INT.fullmatch(r[col]) for r in rows):
                    for r in rows:
                        r[col] = int(r[col])
            return rows
        if fmt == "json":
            text = fh.read()
            if text.lstrip().startswith("["):
                return list(json.loads(text))
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return [{"text": line.rstrip("\n")} for line in fh]


def hash_bucket(value: Any) -> int:
    """The 0-99 bucket of ``hash_split`` (stable across runs, machines and Python versions).

    Examples:
        >>> hash_bucket("sent-0001")
        36
    """
    return int.from_bytes(hashlib.sha256(str(value).encode()).digest()[:8], "big") % 100


def _select(rows: list[dict[str, Any]], cfg: dict[str, Any], split: str | None) -> list[dict[str, Any]]:
    expr = cfg.get("doc_filter")
    if expr:
        keep = jinja_env().compile_expression(expr)
        rows = [r for r in rows if keep(**r)]
    spec = cfg.get("hash_split")
    if spec and split is not None:
        test = split == (cfg.get("test_split") or "test")
        col, pct = spec.get("column", "id"), int(spec.get("test_percent", 30))
        rows = [r for r in rows if (hash_bucket(r[col]) < pct) == test]
    return rows


def read_docs(
    path: Path, cfg: dict[str, Any], *, limit: int | None = None, split: str | None = None
) -> list[dict[str, Any]]:
    """Docs of one split; ``group_rows_by`` merges token-per-row files into one doc per group.

    ``doc_filter`` and ``hash_split`` (see the module docstring) select the docs of ``split``;
    ``split=None`` keeps every row of the file (``hash_split`` not applied).
    """
    rows = _select(_read_rows(path, cfg), cfg, split)
    group = cfg.get("group_rows_by")
    if group:
        grouped: dict[Any, dict[str, list[Any]]] = {}
        for row in rows:
            doc = grouped.setdefault(row[group], {})
            for key, value in row.items():
                doc.setdefault(key, []).append(value)
        rows = [{**doc, group: key} for key, doc in grouped.items()]
    return rows[:limit] if limit is not None else rows
