"""Cheap checks on output paths, run by commands before any work.

Whether a path can be an output file or folder (:func:`output_problem`), whether writing it would
replace one of the inputs (:func:`same_file_as`, :func:`inputs_replaced`) or a file of the model being
read (:func:`output_in_model`). Each returns why not, as a message, or ``None``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["file_in_the_way", "inputs_replaced", "output_in_model", "output_problem", "same_file_as"]


def inputs_replaced(output: str | None, sources: list[str | None], *, in_place: bool) -> str | None:
    """Why writing ``output`` would destroy an input of a line command, or ``None``.

    ``sources`` are the command's input files (``None`` / ``"-"``: stdin, compared through
    ``/dev/stdin`` so ``-o in.txt < in.txt`` is caught too). ``in_place`` commands (normalize,
    translit: one output line per input line, written atomically) may rewrite their only input.
    """
    inputs = [("/dev/stdin" if s in (None, "-") else s) for s in sources] or ["/dev/stdin"]
    hit = same_file_as(output, inputs)
    if hit is None or (in_place and len(inputs) == 1):
        return None
    shown = "standard input" if str(hit) == "/dev/stdin" else f"the input file {hit}"
    why = (
        f"with {len(inputs)} inputs it would be replaced by the output of all of them"
        if in_place
        else "it would be replaced by the output"
    )
    return f"-o/--output {output} is {shown}: {why}; write to another file"


def output_in_model(output: str | None, model: str | os.PathLike[str] | None) -> str | None:
    """Why ``output`` may not be written: it lies inside the ``--model`` folder (the model is read first,
    then a file of it would be replaced or one added), or ``None``."""
    if output in (None, "-") or model is None or not os.path.isdir(model):
        return None
    out, folder = Path(os.path.realpath(output)), Path(os.path.realpath(model))
    if out == folder or folder in out.parents:
        return f"-o/--output {output} is inside the --model folder {model}: it would change the model; write elsewhere"
    return None


def output_problem(path: str | os.PathLike[str], *, folder: bool = False) -> str | None:
    """Why ``path`` cannot be an output file (``folder=True``: an output folder), or ``None``.

    Only cheap checks, so commands can run them before any work: a folder given as a file (or a
    file given as a folder), or a file standing where one of the parent folders should be.
    """
    p = Path(path)
    st = _stat(p)
    if st is not None and stat.S_ISDIR(st.st_mode) and not folder:
        return f"{p} is a folder; pass a file path such as {p / 'out.txt'}"
    if st is not None and folder and not stat.S_ISDIR(st.st_mode):
        return f"{p} is a file, not a folder; pass a new or an existing folder"
    parent = file_in_the_way(p)
    if parent is not None:
        return f"{p}: {parent} is a file, not a folder; choose another path or move that file"
    return None


def same_file_as(
    output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str] | None]
) -> Path | None:
    """The input that writing ``output`` would replace, or ``None``.

    Compares what the paths lead to (symlinks, ``..``, hard links), so ``-o ./in.txt`` and a link to
    ``in.txt`` are caught too. Standard streams (``None`` / ``"-"``) and outputs that do not exist yet
    never match. Commands that read a whole input before writing their output call this first and
    refuse (exit 2), since the atomic rename would destroy the input they were given.
    """
    if output in (None, "-"):
        return None
    out = _stat(Path(output))  # type: ignore[arg-type]
    if out is None or not stat.S_ISREG(out.st_mode):  # /dev/null, FIFOs: written through, never replaced
        return None
    for src in inputs:
        if src in (None, "-"):
            continue
        st = _stat(Path(src))  # type: ignore[arg-type]
        if st is not None and (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            return Path(src)  # type: ignore[arg-type]
    return None


def file_in_the_way(path: Path) -> Path | None:
    """The file standing where a parent folder of ``path`` should be, if any."""
    for parent in path.absolute().parents:
        st = _stat(parent)
        if st is not None:
            return None if stat.S_ISDIR(st.st_mode) else parent
    return None


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:  # missing, or unreachable: the write itself will say why
        return None
