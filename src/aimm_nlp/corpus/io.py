"""Write a corpus as parquet shards plus a ``manifest.json`` (inputs' sha256, config, counts).

The folder is built in a hidden sibling and swapped into place only when every shard is
written, so a failed or interrupted run never leaves a half-written corpus (:mod:`aimm_nlp._outdir`,
the policy of every command that writes a folder). ``out_dir`` may be new or an empty folder; with
``overwrite=True`` it may also be a corpus written here before (recognised by its manifest) holding
nothing else; any other folder or file is refused, never deleted (:func:`check_output_dir`).
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

import dataclasses
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._io import file_sha256
from aimm_nlp.errors import ConfigError, DataError

__all__ = ["SavedCorpus", "check_output_dir", "file_sha256", "save_corpus", "write_corpus"]

MANIFEST_VERSION = 1
MANIFEST = "manifest.json"
STATS_DIR = "stats"  # what ``aimm corpus build`` adds (``describe(...).save``)


@dataclass(frozen=True)
class SavedCorpus:
    """Where a corpus was written, how many rows, which shards, and its manifest."""

    path: Path
    rows: int
    shards: tuple[str, ...]
    manifest: dict[str, Any] = field(repr=False)


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
        out_dir: destination folder: new or empty, or with ``overwrite=True`` a corpus written by
            ``save_corpus`` (see :func:`check_output_dir`).
        report: the :class:`CleanReport` of ``clean`` (completed here for a streaming dataset).
        config: the configuration that produced the corpus (stored verbatim).
        inputs: input files, checksummed (sha256) into the manifest.
        shard_rows: rows per parquet shard.
        overwrite: replace an existing empty folder or earlier corpus at ``out_dir`` (only after
            the new one is complete); other folders and files are never replaced.
        progress: show a progress bar.
        metadata: extra manifest entries (e.g. the licenses and citations of the sources).

    Raises:
        ConfigError: ``out_dir`` holds an earlier corpus and ``overwrite`` is False, or it is not an
            empty folder or earlier corpus (checked before anything is read or written).
        DataError: nothing to write (the message names the cleaning step that removed everything).
    """
    from aimm_nlp._outdir import KINDS, output_folder

    if shard_rows < 1:
        raise ConfigError(f"shard_rows must be >= 1, got {shard_rows}")
    out = Path(out_dir)
    kind = dataclasses.replace(KINDS["corpus build"], option="overwrite=True")
    with output_folder(out, kind, overwrite=overwrite) as tmp:
        saved = write_corpus(
            ds, tmp, name=str(out), report=report, config=config, inputs=inputs, shard_rows=shard_rows,
            progress=progress, metadata=metadata,
        )  # fmt: skip
    return dataclasses.replace(saved, path=out)


def write_corpus(
    ds: Any,
    folder: Path,
    *,
    name: str,
    report: Any = None,
    config: dict[str, Any] | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    shard_rows: int = 200_000,
    progress: bool = True,
    metadata: dict[str, Any] | None = None,
) -> SavedCorpus:
    """Write the shards and manifest of :func:`save_corpus` into the existing (staging) ``folder``.

    ``name`` is the destination the user gave, for messages (never the staging folder's name).
    """
    import pyarrow.parquet as pq
    from datasets.utils.tqdm import tqdm

    tmp = folder
    writer, shards, rows, in_shard, by_lang = None, [], 0, 0, Counter()
    bar = tqdm(desc=f"write {Path(name).name}", unit=" docs", disable=not progress)
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
        raise DataError(f"nothing to write to {name}: the corpus has no documents")
    final = [f"data-{i:05d}-of-{len(shards):05d}.parquet" for i in range(len(shards))]
    for old, new in zip(shards, final, strict=True):
        os.replace(tmp / old, tmp / new)
    manifest = {
        "format_version": MANIFEST_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": _versions(),
        "inputs": [{"path": str(p), "bytes": os.path.getsize(p), "sha256": file_sha256(p)} for p in inputs],
        "config": config or {},
        "counts": {"rows": rows, "by_lang": dict(sorted(by_lang.items()))},
        "clean_report": report.to_dict() if report is not None else None,
        "shards": [{"file": f, "sha256": file_sha256(tmp / f)} for f in final],
        **(metadata or {}),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return SavedCorpus(path=folder, rows=rows, shards=tuple(final), manifest=manifest)


def check_output_dir(
    out_dir: str | os.PathLike[str], *, overwrite: bool, option: str = "overwrite=True"
) -> None:
    """Raise :class:`ConfigError` unless ``save_corpus`` may write ``out_dir``; reads only, writes nothing.

    ``out_dir`` may be missing or an empty folder; with ``overwrite`` it may also be a corpus an
    earlier ``save_corpus`` wrote (its ``manifest.json`` names the aimm_nlp version and the shards)
    holding nothing but its shards, manifest and ``stats/``. A file, or a folder holding anything
    else, is refused: ``save_corpus`` never deletes data it did not write (the policy of
    :mod:`aimm_nlp._outdir`, shared by every command that writes a folder).

    Args:
        out_dir: the destination folder.
        overwrite: whether an earlier corpus there may be replaced.
        option: how the caller spells the overwrite switch in the message (e.g. ``output.overwrite=true``).
    """
    from aimm_nlp._outdir import KINDS, check_output_folder

    kind = dataclasses.replace(KINDS["corpus build"], option=option)
    check_output_folder(out_dir, kind, overwrite=overwrite)
