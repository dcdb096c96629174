"""Execute the tutorial notebooks and save them with their outputs, or check the saved outputs are fresh.

A maintainer script (not part of the installed package); needs nbclient, nbformat and ipykernel (the
``dev`` extra)::

    python tools/run_notebooks.py                  # re-execute all four notebooks and save their outputs
    python tools/run_notebooks.py 03_finetune      # one of them
    python tools/run_notebooks.py --check          # exit 1 if a fresh run's outputs differ from the saved

Run it after changing anything a notebook shows, review ``git diff notebooks/`` and commit the result;
``tests/test_notebooks.py`` runs the same check. Each notebook runs in a fresh ``python3`` kernel of
*this* interpreter (user kernelspecs are ignored), with a temporary working directory, ``AIMM_NB_OUT`` a
temporary folder, ``AIMM_SHARED`` absolute (default: ``shared/`` beside the repository), progress bars
off and ``MPLBACKEND=Agg``. The committed outputs were made with the shared data folder present.

Saved outputs are scrubbed of machine paths (the scratch folder, ``$AIMM_SHARED``, site-packages and
the package's own folder become ``<work>``, ``<shared>``, ``<site-packages>``, ``<aimm_nlp>``). The check
compares, cell by cell, the normalised outputs: stdout and stderr each joined, rich outputs by their
text (Markdown, else HTML, else plain), images by their type only (PNG bytes differ with library
versions), memory addresses, durations and rates (``tokens/s: 2,688``) masked, and decimal numbers equal within 0.02 absolute or 2 %
relative (a float summed in another order on another CPU); every other character, integers included,
must be equal.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NAMES = ["01_text", "02_corpus_and_tokenizer", "03_finetune", "04_evaluate_and_report"]
PROBE = "import sys, aimm_nlp\nprint(aimm_nlp.__file__)\nprint(sys.executable)"
REGENERATE = "python tools/run_notebooks.py {name}  (then review `git diff notebooks/` and commit)"

_FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")
_MASKS = [
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x<addr>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds|min)\b"), "<duration>"),
    (re.compile(r"(/s\b\W{0,3})\d[\d,]*(?:\.\d+)?"), r"\1<rate>"),  # "real tokens/s: 2,688"
    # tqdm's meter in aimm's progress lines: "[00:02<00:00, 11.44step/s" (elapsed, ETA and rate vary by machine)
    # (also "?item/s" and tqdm's slow form "2.50s/step")
    (re.compile(r"\[[\d:]+<[\d:?]+, *[^,\]]*"), "[<elapsed><eta>, <rate>"),
]
_PATHS = [
    (re.compile(r"[^\s'\"(]*/(?:site-packages|src)/aimm_nlp(?=/|\b)"), "<aimm_nlp>"),
    (re.compile(r"[^\s'\"(]*/site-packages(?=/|\b)"), "<site-packages>"),
]


def default_shared() -> Path:
    return Path(os.environ.get("AIMM_SHARED") or REPO.parent / "shared").resolve()


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(name: str, *, out: Path, shared: Path | None = None, timeout: int = 300) -> tuple[Any, str]:
    """Run ``notebooks/NAME.ipynb`` in a fresh kernel, writing into ``out``; return the executed notebook
    (outputs scrubbed of machine paths) and what the kernel said about itself (``aimm_nlp.__file__``
    and ``sys.executable``, one per line). Raises nbclient's CellExecutionError on a failing cell."""
    import nbclient
    import nbformat

    shared = shared or default_shared()
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    with tempfile.TemporaryDirectory(prefix="aimm_nb_cwd_") as cwd, tempfile.TemporaryDirectory() as jup:
        env = {
            "AIMM_NB_OUT": str(out),
            "AIMM_SHARED": str(shared),
            "MPLBACKEND": "Agg",
            "TQDM_DISABLE": "1",
            # aimm's progress lines: the first and the last of each run only, whatever the machine's speed
            # (a periodic line would add an output on a slow machine and make the saved notebook look stale)
            "AIMM_PROGRESS_INTERVAL": "1000000",
            "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
            "HF_HUB_OFFLINE": "1",
            "JUPYTER_PATH": jup,  # only this interpreter's own python3 kernel, no user kernelspec
            "JUPYTER_DATA_DIR": jup,
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "PYTHONWARNINGS": "ignore:IProgress not found",  # tqdm.auto without ipywidgets: not the notebook's
        }
        with _environ(env):
            client = nbclient.NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="python3",
                record_timing=False,
                resources={"metadata": {"path": cwd}},
            )
            client.execute()
        left = sorted(p.name for p in Path(cwd).iterdir())
    if left:
        raise RuntimeError(f"{name} wrote into its working directory: {left}")
    probe = nb.cells.pop()
    said = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    _scrub(nb, {str(out): "<work>", str(shared): "<shared>", tempfile.gettempdir(): "<tmp>"})
    return nb, said


def _scrub(nb: Any, literal: dict[str, str]) -> None:
    def clean(text: str) -> str:
        for old in sorted(literal, key=len, reverse=True):  # the scratch folder before the temp root
            text = text.replace(old, literal[old])
        for pattern, new in _PATHS:
            text = pattern.sub(new, text)
        return text

    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                o.text = clean(o.text)
            for mime, value in o.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    o.data[mime] = clean(value)


def normalise(nb: Any) -> list[str]:
    """One text per code cell: what the freshness check compares (see the module docstring)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        streams: dict[str, str] = {}
        rich = []
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                streams[o.name] = streams.get(o.name, "") + o.text
            elif o.output_type == "error":
                rich.append(f"error: {o.ename}: {o.evalue}")
            else:
                data = o.get("data", {})
                images = sorted(m for m in data if m.startswith("image/"))
                text = data.get("text/markdown") or data.get("text/html") or data.get("text/plain", "")
                rich.append(f"<{' '.join(images)}>" if images else text)
        parts = [f"[{k}]\n{streams[k]}" for k in sorted(streams)] + rich
        text = "\n".join(parts)
        for pattern, new in _MASKS:
            text = pattern.sub(new, text)
        cells.append(text)
    return cells


def _close(a: str, b: str) -> bool:
    if _FLOAT.split(a) != _FLOAT.split(b):
        return False
    for x, y in zip(_FLOAT.findall(a), _FLOAT.findall(b), strict=True):
        fx, fy = float(x), float(y)
        if not (math.isclose(fx, fy, rel_tol=0.02, abs_tol=0.02) or (math.isnan(fx) and math.isnan(fy))):
            return False
    return True


def stale_cells(name: str, saved: Any, fresh: Any) -> list[str]:
    """Why the saved notebook's outputs are not those of a fresh run (empty when they are)."""
    old, new = normalise(saved), normalise(fresh)
    if len(old) != len(new):
        return [f"{name}: {len(old)} code cells saved, {len(new)} in the fresh run"]
    problems = []
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if not _close(a, b):
            diff = "\n".join(
                difflib.unified_diff(a.splitlines(), b.splitlines(), "saved", "fresh run", lineterm="", n=1)
            )
            problems.append(f"{name}, code cell {i + 1}:\n{diff}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"default: all of {', '.join(NAMES)}")
    parser.add_argument("--check", action="store_true", help="compare with the saved outputs; write nothing")
    parser.add_argument(
        "--shared", type=Path, default=None, help="the shared data folder (default: $AIMM_SHARED)"
    )
    parser.add_argument(
        "--expect-package-under",
        type=Path,
        default=None,
        metavar="DIR",
        help="fail unless every kernel imported aimm_nlp from under DIR (a wheel's site-packages)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        parser.error(f"unknown notebook(s) {', '.join(unknown)}; valid: {', '.join(NAMES)}")
    import nbformat

    failures: list[str] = []
    for name in args.names or NAMES:
        with tempfile.TemporaryDirectory(prefix=f"aimm_nb_{name[:2]}_") as out:
            nb, said = execute(name, out=Path(out) / "work", shared=args.shared)
        package = Path(said.splitlines()[0]).resolve()
        print(f"{name}: ran; kernel imported {package}", flush=True)
        if args.expect_package_under and not package.is_relative_to(args.expect_package_under.resolve()):
            failures.append(
                f"{name}: the kernel imported aimm_nlp from {package}, not under {args.expect_package_under}"
            )
        path = NOTEBOOKS / f"{name}.ipynb"
        if args.check:
            stale = stale_cells(name, nbformat.read(path, as_version=4), nb)
            failures += [f"{s}\nregenerate: {REGENERATE.format(name=name)}" for s in stale]
        else:
            nbformat.write(nb, path)
            print(f"{name}: saved {path.relative_to(REPO)}", flush=True)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
