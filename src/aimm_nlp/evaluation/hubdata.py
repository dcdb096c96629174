"""Hub datasets of lm-eval task files (``dataset_path: MBZUAI-Paris/DarijaMMLU``) read from local copies.

aimm never downloads. A task whose ``dataset_path`` is a Hub id (not a local builder such as ``csv``
or ``json``) and that names no ``dataset_kwargs.data_files`` is read from a local copy of the
dataset, given by ``dataset_dirs``:

- ``{"MBZUAI-Paris/DarijaMMLU": "/data/DarijaMMLU"}`` (``aimm eval --dataset-dir
  MBZUAI-Paris/DarijaMMLU=/data/DarijaMMLU``): the folder of that dataset;
- ``{"*": "/data/hub"}`` (``aimm eval --datasets-root /data/hub``): a folder holding
  ``<owner>/<name>/`` copies, e.g. ``/data/hub/MBZUAI-Paris/DarijaMMLU``;
- a ``dataset_path`` that is itself a local folder (lm-eval's ``load_dataset(path=folder)``).

In the dataset's folder, the split ``S`` of config ``dataset_name`` (``N``) is, in order: a
``datasets.save_to_disk`` split folder ``N/S/`` (one ``.arrow`` shard), or one file ``N/S.EXT`` or
``N/S-*.EXT`` with EXT parquet, jsonl, json, csv or tsv. ``N/`` is also looked up under ``data/``;
with no ``dataset_name``, the folder itself, ``data/`` and ``default/`` are searched. This matches
``huggingface-cli download --repo-type dataset --local-dir DIR`` snapshots
(``accounting/test-00000-of-00001.parquet``), ``DatasetDict.save_to_disk(DIR/N)`` and hand-written
``DIR/N/test.jsonl`` files. The split found becomes the task's ``dataset_kwargs.data_files``, so
the data's sha256 is in the results' provenance as for any aimm task.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["BUILDERS", "DatasetDirs", "hub_id", "is_hub_path", "localize", "normalize_dataset_dirs"]

# lm-eval dataset_path values that are local file builders, not Hub ids
BUILDERS = frozenset({"csv", "json", "text", "tsv", "parquet", "arrow"})
_EXTS = (".parquet", ".jsonl", ".json", ".csv", ".tsv")
DatasetDirs = dict[str, Path]


def normalize_dataset_dirs(dirs: Any) -> DatasetDirs:
    """``{hub id or "*": folder}`` from a mapping, one folder (a root, as ``"*"``), or ``None``."""
    if dirs is None:
        return {}
    if isinstance(dirs, (str, os.PathLike)):
        return {"*": Path(dirs).expanduser()}
    return {str(k): Path(v).expanduser() for k, v in dict(dirs).items()}


def hub_id(cfg: dict[str, Any]) -> str | None:
    """The Hub dataset a task reads (its ``dataset_path``), or None for a task with local data files.

    Examples:
        >>> hub_id({"dataset_path": "MBZUAI-Paris/DarijaMMLU", "dataset_name": "accounting"})
        'MBZUAI-Paris/DarijaMMLU'
        >>> hub_id({"dataset_path": "csv", "dataset_kwargs": {"data_files": {"test": "ary.tsv"}}}) is None
        True
    """
    path = cfg.get("dataset_path")
    kwargs = cfg.get("dataset_kwargs") if isinstance(cfg.get("dataset_kwargs"), dict) else {}
    if not isinstance(path, str) or path in BUILDERS or kwargs.get("data_files"):
        return None
    return path


def is_hub_path(cfg: dict[str, Any]) -> bool:
    """``dataset_path`` names a Hub dataset (or a local dataset folder), not a file builder."""
    return isinstance(cfg.get("dataset_path"), str) and cfg["dataset_path"] not in BUILDERS


def _splits(cfg: dict[str, Any]) -> list[str]:
    keys = ("test_split", "validation_split", "training_split", "fewshot_split")
    return list(dict.fromkeys(str(cfg[k]) for k in keys if isinstance(cfg.get(k), str)))


def _folders(base: Path, name: str | None) -> list[Path]:
    if name:
        return [base / name, base / "data" / name]
    return [base, base / "data", base / "default"]


def _split_file(folders: list[Path], split: str) -> tuple[Path | None, str | None]:
    """``(file, None)`` for the split's one file, ``(None, why)`` when it is ambiguous, ``(None, None)`` if absent."""
    for folder in folders:
        state = folder / split / "state.json"
        if state.is_file():  # a save_to_disk split: its arrow shard(s)
            try:
                shards = [
                    folder / split / f["filename"] for f in json.loads(state.read_text())["_data_files"]
                ]
            except (OSError, ValueError, KeyError, TypeError):
                return None, f"{state}: not a datasets save_to_disk state file"
            if len(shards) != 1:
                return None, f"{folder / split}: {len(shards)} arrow shards; save it with num_shards=1"
            return shards[0], None
        found = sorted(
            p for ext in _EXTS for p in (*folder.glob(f"{split}{ext}"), *folder.glob(f"{split}-*{ext}"))
        )
        if len(found) > 1:
            return None, (
                f"{folder}: {len(found)} files for split {split!r} ({', '.join(p.name for p in found)}); "
                "aimm reads one file per split: merge them"
            )
        if found:
            return found[0], None
    return None, None


def _base(path: str, dirs: DatasetDirs) -> tuple[Path | None, list[str]]:
    """The local folder of Hub dataset ``path`` and the places tried."""
    tried = []
    for base in ([dirs[path]] if path in dirs else []) + ([dirs["*"] / path] if "*" in dirs else []):
        tried.append(str(base))
        if base.is_dir():
            return base, tried
    if Path(path).expanduser().is_dir():  # lm-eval: dataset_path may be a local dataset folder
        return Path(path).expanduser(), tried
    return None, tried


def localize(cfg: dict[str, Any], yaml_file: Path, dirs: DatasetDirs) -> list[str]:
    """Point a Hub task's splits at their local files (in ``cfg``'s ``dataset_kwargs.data_files``).

    Returns the errors (no local copy, no file for the test split); splits other than the test
    split may be missing (they matter only for few-shot examples and baselines).
    """
    path = hub_id(cfg)
    if path is None:
        return []
    name = cfg.get("dataset_name") if isinstance(cfg.get("dataset_name"), str) else None
    test = str(cfg.get("test_split") or "test")
    what = f"{yaml_file}: dataset_path: {path}" + (f" (dataset_name {name})" if name else "")
    base, tried = _base(path, dirs)
    if base is None:
        looked = f" (looked in: {', '.join(tried)})" if tried else ""
        return [
            f"{what} is a Hugging Face Hub dataset and aimm never downloads; point at a local copy with "
            f"--dataset-dir {path}=DIR or --datasets-root ROOT (ROOT/{path}/), Python: "
            f"dataset_dirs={{{path!r}: DIR}}{looked}"
        ]
    files, errors = {}, []
    folders = _folders(base, name)
    for split in _splits(cfg) or [test]:
        found, why = _split_file(folders, split)
        if found is not None:
            files[split] = str(found)
        elif why is not None:
            errors.append(f"{what}: {why}")
        elif split == test:
            errors.append(
                f"{what}: no file for split {split!r} in the local copy {base} (looked for "
                f"{split}{{.parquet,.jsonl,.json,.csv,.tsv}}, {split}-*.parquet and a save_to_disk folder "
                f"{split}/ in {', '.join(map(str, folders))})"
            )
    if not errors:
        kwargs = cfg.get("dataset_kwargs") if isinstance(cfg.get("dataset_kwargs"), dict) else {}
        cfg["dataset_kwargs"] = {**kwargs, "data_files": files}
    return errors
