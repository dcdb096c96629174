"""The options that let ``aimm eval`` and ``aimm tasks validate`` read lm-eval's task files as they are."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_lmeval_options(p: argparse.ArgumentParser) -> None:
    """``--dataset-dir HUB_ID=DIR`` (repeatable), ``--datasets-root DIR`` and ``--trust-task-code``."""
    p.add_argument(
        "--dataset-dir",
        action="append",
        dest="dataset_dir_values",
        metavar="HUB_ID=DIR",
        help="local copy of a Hub dataset an lm-eval task file reads (dataset_path), e.g. "
        "MBZUAI-Paris/DarijaMMLU=/data/DarijaMMLU; DIR holds DATASET_NAME/SPLIT.{parquet,jsonl,json,csv,tsv} "
        "(or SPLIT-*.parquet, as a huggingface-cli download --local-dir snapshot, or a save_to_disk "
        "folder); repeatable. aimm never downloads",
    )
    p.add_argument(
        "--datasets-root",
        help="folder holding local copies of Hub datasets as ROOT/OWNER/NAME/ (e.g. ROOT/MBZUAI-Paris/DarijaMMLU), "
        "laid out as for --dataset-dir",
    )
    p.add_argument(
        "--trust-task-code",
        action="store_true",
        help="run the Python code that task files name with `!function` (lm-eval's utils.py, imported from "
        "the task's folder); without it such tasks are refused. Read that code first",
    )


def dataset_dirs(args: argparse.Namespace) -> list[str]:
    """``--dataset-dir`` / ``--datasets-root`` into ``args.dataset_dirs``; every bad value listed."""
    errors, dirs = [], {}
    for text in args.dataset_dir_values or []:
        hub, sep, folder = text.partition("=")
        if not sep or not hub.strip() or not folder.strip():
            errors.append(
                f"--dataset-dir {text!r}: expected HUB_ID=DIR, e.g. MBZUAI-Paris/DarijaMMLU=/data/DarijaMMLU"
            )
        elif not Path(folder).expanduser().is_dir():
            errors.append(f"--dataset-dir {text!r}: {folder} is not a folder")
        else:
            dirs[hub.strip()] = folder
    root = args.datasets_root
    if root is not None and not root.strip():
        errors.append(f"--datasets-root {root!r}: empty; give a value or leave the option out")
    elif root is not None and not Path(root).expanduser().is_dir():
        errors.append(f"--datasets-root {root!r}: not a folder")
    elif root is not None:
        dirs["*"] = root
    args.dataset_dirs = dirs or None
    return errors
