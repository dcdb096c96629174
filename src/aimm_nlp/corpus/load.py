"""Load local text into a Hugging Face dataset with ``text``, ``lang`` and ``source`` columns.

Examples:
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "tweets.txt").write_text("salam labas 3lik\\nواش نتا مزيان؟\\n", encoding="utf-8")
    >>> ds = load_corpus(tmp / "tweets.txt", lang="ary_Latn")
    >>> ds.column_names, ds[0]["text"], ds.num_rows
    (['text', 'lang', 'source'], 'salam labas 3lik', 2)
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimm_nlp.corpus._readers import FORMATS, generate_tables
from aimm_nlp.corpus.catalog import corpus_info, corpus_names, find_corpus_dir
from aimm_nlp.errors import ConfigError, DataError, InputFileError, UnknownNameError

if TYPE_CHECKING:
    from datasets import Dataset, IterableDataset

__all__ = ["corpus_files", "load_corpus"]

Source = str | os.PathLike[str]


def _features(with_error: bool) -> Any:
    from datasets import Features, Value

    cols = {"text": Value("string"), "lang": Value("string"), "source": Value("string")}
    if with_error:
        cols["error"] = Value("string")
    return Features(cols)


def _spec(path: Path, *, fmt: str | None = None, **kw: Any) -> dict[str, Any]:
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"{path}: unsupported file type {path.suffix!r}; supported: {', '.join(sorted(FORMATS))} "
            "and save_to_disk folders"
        )
    spec = {"path": str(path), "format": fmt, "text_column": None, "lang_kind": "auto", "lang_value": None}
    spec.update({"by_script": {}, "select_langs": None, "source": str(path), "source_column": None})
    spec.update(kw)
    return spec


def _named_specs(name: str, split: str | None, lang: Any, data_dir: Any) -> list[dict[str, Any]]:
    info = corpus_info(name)
    folder = find_corpus_dir(name, data_dir)
    if split is not None and split not in info.files:
        raise UnknownNameError(
            f"corpus {name!r} has no split {split!r}; splits: {', '.join(info.splits)}",
            name=split,
            choices=list(info.splits),
        )
    select = None
    if lang is not None:
        select = [lang] if isinstance(lang, str) else list(lang)
        unknown = [x for x in select if x not in info.languages]
        if unknown:
            raise ConfigError(
                f"corpus {name!r} has no language {', '.join(unknown)}; languages: {', '.join(info.languages)}"
            )
    specs = []
    for split_name in [split] if split else info.splits:
        for pattern in info.files[split_name]:
            files = sorted(folder.glob(pattern.format(split=split_name)))
            if not files:
                raise InputFileError(f"corpus {name!r}: no file {pattern!r} in {folder}", path=str(folder))
            for path in files:
                for column, how in info.columns.items():
                    kind, value = "const", how
                    if how.startswith("@"):
                        kind, value = {"@script": ("script", None), "@filename": ("filename", None)}.get(
                            how, ("column", how[1:])
                        )
                    if kind == "const" and select is not None and how not in select:
                        continue
                    specs.append(
                        _spec(
                            path,
                            fmt=info.format,
                            text_column=column,
                            lang_kind=kind,
                            lang_value=value,
                            by_script=info.by_script,
                            select_langs=select,
                            skip_empty=True,
                            source=f"{name}:{split_name}:{path.name}"
                            + ("" if column == "text" else f":{column}"),
                        )
                    )
    return specs


def corpus_files(
    source: Source | Sequence[Source], *, split: str | None = None, data_dir: Source | None = None
) -> list[Path]:
    """The input files ``load_corpus(source)`` reads (for manifests and checksums)."""
    specs, disks = _resolve(
        source, text_column=None, lang=None, split=split, data_dir=data_dir, on_error="raise"
    )
    files = [Path(s["path"]) for s in specs]
    for disk in disks:
        files += sorted(p for p in disk.rglob("*") if p.is_file())
    return list(dict.fromkeys(files))


def _resolve(
    source: Any, *, text_column: Any, lang: Any, split: Any, data_dir: Any, on_error: str
) -> tuple[list[dict[str, Any]], list[Path]]:
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not items:
        raise ConfigError("load_corpus: no source given; pass a path, a glob or a corpus name")
    if lang is not None and not isinstance(lang, str) and any(not _is_name(x) for x in items):
        raise ConfigError("lang= for files must be one language code (it labels every row), e.g. 'ary_Latn'")
    specs: list[dict[str, Any]] = []
    disks: list[Path] = []
    kw = {"text_column": text_column, "on_error": on_error}
    if lang is not None and isinstance(lang, str):
        kw.update(lang_kind="const", lang_value=lang)
    for item in items:
        path = Path(item)
        if _is_name(item):
            specs += _named_specs(str(item), split, lang, data_dir)
        elif path.is_dir():
            if (path / "manifest.json").is_file() or any(path.glob("*.parquet")):
                kw_dir = {**kw, "text_column": "text", "source_column": "source"}
                specs += [_spec(p, **kw_dir) for p in sorted(path.glob("*.parquet"))]
            elif (path / "dataset_info.json").is_file() or (path / "dataset_dict.json").is_file():
                disks.append(path)
            else:
                raise DataError(
                    f"{path}: folder is neither a save_to_disk dataset nor a corpus written by save_corpus; "
                    f"pass its files or a glob such as '{path}/*.txt'"
                )
        elif any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(item), recursive=True) if Path(p).is_file())
            if not matches:
                raise InputFileError(f"{item}: no file matches this glob", path=str(item))
            specs += [_spec(p, **kw) for p in matches]
        elif path.is_file():
            specs.append(_spec(path, **kw))
        else:
            hint = f"; or a corpus name: {', '.join(corpus_names())}" if "/" not in str(item) else ""
            raise InputFileError(f"{item}: no such file or folder{hint}", path=str(item))
        for spec in specs:
            if spec["format"] == "txt" and spec["text_column"] not in (None, "text"):
                raise ConfigError(
                    f"{spec['path']}: text_column= does not apply to .txt files (one doc per line)"
                )
            if not os.access(spec["path"], os.R_OK):
                raise InputFileError(f"{spec['path']}: permission denied; cannot read", path=spec["path"])
    if split is not None and not disks and not any(_is_name(x) for x in items):
        raise ConfigError(  # it would be ignored: files have no splits
            f"split={split!r} applies to catalogued corpus names and save_to_disk folders only, and "
            f"{', '.join(map(str, items))} has none; drop the split (--split) or pass the file of that split"
        )
    return specs, disks


def _is_name(item: Any) -> bool:
    return isinstance(item, str) and item in corpus_names() and not Path(item).exists()


def _fingerprint(specs: list[dict[str, Any]], with_error: bool) -> str:
    from aimm_nlp import __version__

    h = hashlib.sha256(json.dumps([specs, with_error, __version__], sort_keys=True).encode())
    for spec in specs:
        st = os.stat(spec["path"])
        h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def _disk_dataset(path: Path, *, split: Any, text_column: Any, lang: Any, streaming: bool) -> Any:
    from datasets import DatasetDict, concatenate_datasets, load_from_disk

    try:
        ds = load_from_disk(str(path))
    except Exception as exc:  # datasets raises several types for a damaged folder
        raise InputFileError(f"{path}: cannot load saved dataset ({exc})", path=str(path)) from None
    if isinstance(ds, DatasetDict):
        if split is not None and split not in ds:
            raise UnknownNameError(f"{path}: no split {split!r}; splits: {', '.join(ds)}", name=split)
        ds = ds[split] if split else concatenate_datasets(list(ds.values()))
    column = text_column or next(
        (c for c in ("text", "sentence", "content", "tweet") if c in ds.column_names), None
    )
    if column not in ds.column_names:
        raise DataError(
            f"{path}: no text column{'' if column is None else f' {column!r}'}; columns found: "
            f"{', '.join(ds.column_names)}; pass text_column=<one of them>"
        )
    if streaming:
        ds = ds.to_iterable_dataset()
    kwargs = {"column": column, "lang": lang, "source": str(path)}
    return ds.map(
        _to_schema, batched=True, fn_kwargs=kwargs, remove_columns=ds.column_names, features=_features(False)
    )


def _to_schema(
    batch: dict[str, list[Any]], column: str, lang: str | None, source: str
) -> dict[str, list[Any]]:
    n = len(batch[column])
    langs = batch.get("lang") if lang is None else None
    return {"text": batch[column], "lang": langs or [lang] * n, "source": batch.get("source") or [source] * n}


def _streamed(specs: list[dict[str, Any]], with_error: bool) -> IterableDataset:
    """An IterableDataset over Arrow batches, one shard per spec (file, or file and column)."""
    from datasets import DatasetInfo, IterableDataset
    from datasets.iterable_dataset import ArrowExamplesIterable

    source = ArrowExamplesIterable(generate_tables, {"specs": specs, "with_error": with_error})
    return IterableDataset(source, info=DatasetInfo(features=_features(with_error)))


def _materialized(specs: list[dict[str, Any]], with_error: bool) -> Dataset:
    """A memory-mapped Dataset, written once to the HF cache and reused while the inputs are unchanged."""
    import datasets.config
    import pyarrow as pa
    from datasets import Dataset, DatasetInfo

    cache = Path(os.environ.get("HF_DATASETS_CACHE") or datasets.config.HF_DATASETS_CACHE) / "aimm_corpus"
    path = cache / f"{_fingerprint(specs, with_error)}.arrow"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        schema = pa.schema([(n, pa.string()) for n in _features(with_error)])
        try:
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
                for _, table in generate_tables(specs, with_error):
                    writer.write_table(table)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
    return Dataset.from_file(str(path), info=DatasetInfo(features=_features(with_error)))


def load_corpus(
    source: Source | Sequence[Source],
    *,
    text_column: str | None = None,
    lang: str | Sequence[str] | None = None,
    split: str | None = None,
    streaming: bool = False,
    data_dir: Source | None = None,
    on_error: str = "raise",
) -> Dataset | IterableDataset:
    """Load local files, folders or catalogued corpora as one dataset.

    Args:
        source: a path or glob of ``.txt`` (one document per line), ``.jsonl``, ``.csv``, ``.tsv``
            (header, no quoting), ``.parquet`` or ``.conllu`` (``# text =`` lines); a ``save_to_disk``
            folder; a folder written by :func:`save_corpus`; a catalogued name such as
            ``"afrisenti_ma"`` (see ``aimm ls corpora``); or a list of these.
        text_column: column holding the text (default: the first of ``text``, ``sentence``,
            ``content``, ``tweet``, ``body``, ``document``).
        lang: for files, the language code of every row (default: a ``lang``/``language`` column,
            else None); for a named corpus, the language(s) to keep.
        split: split of a named corpus or ``DatasetDict`` (default: all, concatenated); a ConfigError
            when no source has splits (plain files).
        streaming: return an ``IterableDataset`` that reads lazily (flat memory on any size).
        data_dir: folder holding named corpora (default ``$AIMM_DATA``, then ``$AIMM_SHARED/data``).
        on_error: ``"raise"`` (default) stops at the first malformed line with its file and line;
            ``"skip"`` keeps going and marks each such line as a row with ``text=None`` and an
            ``error`` column, which :func:`clean` removes and counts (step ``malformed``).

    Returns:
        A ``datasets.Dataset`` (or ``IterableDataset``) with columns ``text``, ``lang``, ``source``
        (plus ``error`` under ``on_error="skip"``). Never downloads anything.

    Raises:
        InputFileError: missing/unreadable file, binary file, invalid UTF-8 in a header.
        DataError: malformed line (file:line), missing text column (lists the columns found).
        UnknownNameError: unknown split. ConfigError: invalid option.
    """
    if on_error not in ("raise", "skip"):
        raise ConfigError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    specs, disks = _resolve(
        source, text_column=text_column, lang=lang, split=split, data_dir=data_dir, on_error=on_error
    )
    with_error = on_error == "skip"
    parts = []
    if specs:
        parts.append(_streamed(specs, with_error) if streaming else _materialized(specs, with_error))
    for disk in disks:
        part = _disk_dataset(
            disk,
            split=split,
            text_column=text_column,
            lang=lang if isinstance(lang, str) else None,
            streaming=streaming,
        )
        if with_error:
            part = part.map(
                lambda b: {"error": [None] * len(b["text"])}, batched=True, features=_features(True)
            )
        parts.append(part)
    if len(parts) == 1:
        return parts[0]
    from datasets import concatenate_datasets

    return concatenate_datasets(parts)
