"""Write a corpus as parquet shards plus a ``manifest.json`` (inputs' sha256, config, counts).

The folder is built under a temporary name next to the destination and renamed into
place only when every shard is written, so a failed or interrupted run never leaves a
half-written corpus. With ``overwrite=True`` an existing folder is replaced only when it is empty
or a corpus written here before (recognised by its manifest); any other folder or file is refused,
never deleted (:func:`check_output_dir`).
A saved folder loads back with ``load_corpus(path)`` (or ``datasets.load_dataset("parquet", ...)``).

Examples:
    >>> import tempfile
    >>> from datasets import Dataset
    >>> ds = Dataset.from_dict({"text": ["salam labas 3lik", "ⴰⵣⵓⵍ"], "lang": ["ary_Latn", "zgh_Tfng"],
    ...                         "source": ["demo", "demo"]})
    >>> saved = save_corpus(ds, tempfile.mkdtemp() + "/corpus", progress=False)
    >>> saved.rows, saved.shards, saved.manifest["counts"]["by_lang"]
    (2, ('data-00000-of-00001.parquet',), {'ary_Latn': 1, 'zgh_Tfng': 1})
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError, DataError

__all__ = ["SavedCorpus", "check_output_dir", "file_sha256", "save_corpus"]

MANIFEST_VERSION = 1
MANIFEST = "manifest.json"
STATS_DIR = "stats"  # what ``aimm corpus build`` adds (``describe(...).save``)
_STATS_SUFFIXES = (".json", ".md", ".png")


@dataclass(frozen=True)
class SavedCorpus:
    """Where a corpus was written, how many rows, which shards, and its manifest."""

    path: Path
    rows: int
    shards: tuple[str, ...]
    manifest: dict[str, Any] = field(repr=False)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import datasets
    import pyarrow

    from aimm_nlp import __version__

    return {"aimm_nlp": __version__, "datasets": datasets.__version__, "pyarrow": pyarrow.__version__}


def save_corpus(
    ds: Any,
    out_dir: str | os.PathLike[str],
    *,
    report: Any = None,
    config: dict[str, Any] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    shard_rows: int = 200_000,
    overwrite: bool = False,
    progress: bool = True,
    metadata: dict[str, Any] | None = None,
) -> SavedCorpus:
    """Write ``ds`` to ``out_dir`` as ``data-NNNNN-of-MMMMM.parquet`` shards and ``manifest.json``.

    Args:
        ds: a ``Dataset`` or ``IterableDataset`` (read once, in order, in batches: flat memory).
        out_dir: destination folder; must not exist unless ``overwrite=True`` (then it may be an
            empty folder or a corpus written by ``save_corpus``, see :func:`check_output_dir`).
        report: the :class:`CleanReport` of ``clean`` (completed here for a streaming dataset).
        config: the configuration that produced the corpus (stored verbatim).
        inputs: input files, checksummed (sha256) into the manifest.
        shard_rows: rows per parquet shard.
        overwrite: replace an existing empty folder or earlier corpus at ``out_dir`` (only after
            the new one is complete); other folders and files are never replaced.
        progress: show a progress bar.
        metadata: extra manifest entries (e.g. the licenses and citations of the sources).

    Raises:
        ConfigError: ``out_dir`` exists and ``overwrite`` is False, or it is not an empty folder
            or earlier corpus (checked before anything is read or written). DataError: nothing to write
            (the message names the cleaning step that removed everything).
    """
    import pyarrow.parquet as pq
    from datasets.utils.tqdm import tqdm

    out = Path(out_dir)
    check_output_dir(out, overwrite=overwrite)
    if shard_rows < 1:
        raise ConfigError(f"shard_rows must be >= 1, got {shard_rows}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_dir(out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        writer, shards, rows, in_shard, by_lang = None, [], 0, 0, Counter()
        bar = tqdm(desc=f"write {out.name}", unit=" docs", disable=not progress)
        for table in ds.with_format("arrow").iter(batch_size=10_000):
            if "lang" in table.column_names:
                by_lang.update(str(x) for x in table.column("lang").to_pylist())
            start = 0
            while start < table.num_rows:
                if writer is None:
                    shards.append(f"part-{len(shards):05d}.parquet")
                    writer = pq.ParquetWriter(tmp / shards[-1], table.schema)
                take = min(shard_rows - in_shard, table.num_rows - start)
                writer.write_table(table.slice(start, take))
                start, in_shard, rows = start + take, in_shard + take, rows + take
                if in_shard == shard_rows:
                    writer.close()
                    writer, in_shard = None, 0
            bar.update(table.num_rows)
        bar.close()
        if writer is not None:
            writer.close()
        if report is not None:
            report.tally.finish()
            report.raise_if_empty()
        if rows == 0:
            raise DataError(f"nothing to write to {out}: the corpus has no documents")
        final = [f"data-{i:05d}-of-{len(shards):05d}.parquet" for i in range(len(shards))]
        for old, new in zip(shards, final, strict=True):
            os.replace(tmp / old, tmp / new)
        manifest = {
            "format_version": MANIFEST_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(),
            "inputs": [
                {"path": str(p), "bytes": os.path.getsize(p), "sha256": file_sha256(p)} for p in inputs
            ],
            "config": config or {},
            "counts": {"rows": rows, "by_lang": dict(sorted(by_lang.items()))},
            "clean_report": report.to_dict() if report is not None else None,
            "shards": [{"file": f, "sha256": file_sha256(tmp / f)} for f in final],
            **(metadata or {}),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
        if out.exists() or out.is_symlink():
            check_output_dir(out, overwrite=overwrite)  # again: the folder may have changed meanwhile
            trash = _new_dir(out.parent, prefix=f".{out.name}.", suffix=".old")
            os.replace(out, trash / out.name)
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise
    return SavedCorpus(path=out, rows=rows, shards=tuple(final), manifest=manifest)


def check_output_dir(
    out_dir: str | os.PathLike[str], *, overwrite: bool, option: str = "overwrite=True"
) -> None:
    """Raise :class:`ConfigError` unless ``save_corpus`` may write ``out_dir``; reads only, writes nothing.

    ``out_dir`` may be missing; with ``overwrite`` it may also be an empty folder or a corpus an
    earlier ``save_corpus`` wrote (its ``manifest.json`` names the aimm_nlp version and the shards)
    holding nothing but its shards, manifest and ``stats/``. A file, or a folder holding anything
    else, is refused: ``save_corpus`` never deletes data it did not write.

    Args:
        out_dir: the destination folder.
        overwrite: whether an earlier corpus there may be replaced.
        option: how the caller spells the overwrite switch in the message (e.g. ``output.overwrite=true``).
    """
    from aimm_nlp._io import file_in_the_way

    out = Path(out_dir)
    parent = file_in_the_way(out)
    if parent is not None:
        raise ConfigError(
            f"{out}: cannot be created, {parent} is a file, not a folder; choose another output"
        )
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise ConfigError(
            f"{out}: exists and is a file, not a corpus folder; it is never replaced. Choose another output "
            "(a folder that does not exist yet)"
        )
    if not overwrite:
        raise ConfigError(f"{out}: already exists; choose another output or pass {option}")
    problem = _foreign_content(out)
    if problem:
        raise ConfigError(
            f"{out}: {problem}; {option} only replaces an empty folder or a corpus written by aimm, so it was "
            "left untouched. Choose another output (a new folder), or move those files out first"
        )


def _foreign_content(out: Path) -> str | None:
    """Why ``out`` (an existing folder) is not safe to replace, or None for an empty folder / aimm corpus."""
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return None
    shards = _manifest_shards(out / MANIFEST)
    if shards is None:
        return f"holds files ({_names(entries)}) and is not a corpus written by aimm (no aimm {MANIFEST})"
    extra = [n for n in entries if n not in {MANIFEST, STATS_DIR, *shards}]
    stats = out / STATS_DIR
    if stats.is_symlink() or (stats.exists() and not stats.is_dir()):
        extra.append(STATS_DIR)
    elif stats.is_dir():
        extra += [
            f"{STATS_DIR}/{p.name}"
            for p in sorted(stats.iterdir())
            if p.is_symlink() or not p.is_file() or p.suffix not in _STATS_SUFFIXES
        ]
    extra += [n for n in shards if n in entries and not (out / n).is_file()]
    if extra:
        return f"is a corpus written by aimm but also holds files aimm did not write ({_names(extra)})"
    return None


def _manifest_shards(path: Path) -> list[str] | None:
    """The shard files a ``save_corpus`` manifest lists, or None when ``path`` is not such a manifest."""
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    versions, shards = manifest.get("versions"), manifest.get("shards")
    if not isinstance(versions, dict) or "aimm_nlp" not in versions or not isinstance(shards, list):
        return None
    names = [s.get("file") for s in shards if isinstance(s, dict)]
    if len(names) != len(shards) or not all(isinstance(n, str) and "/" not in n for n in names):
        return None
    return names


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _new_dir(parent: Path, *, prefix: str, suffix: str) -> Path:
    """A new uniquely named folder with the usual permissions (``mkdtemp`` would make it 0700)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
