"""Arrays derived from a transliteration model, kept on disk from one process to the next.

The compiled ranked search and the keep-foreign scorer need the model as hash tables and a state
machine. Building them takes ~0.7 s per process (hashing ~200k n-gram keys in Python, filling the
state machine), which every short job and notebook session paid again. They are a pure function of
the model files and of the code that builds them, so they are stored once per install in
``cache_dir()/translit`` (``$AIMM_CACHE_DIR``, else ``~/.cache/aimm_nlp``) as an uncompressed
``.npz`` and read back in ~20 ms.

- The file name holds a fingerprint of the model (its files' SHA-256, the rule table, the search
  settings) and of the source of the modules that build and read the arrays: editing either makes
  a new entry, never a stale hit. A new entry for a model removes that model's older ones.
- Writes go to a temporary file renamed into place: a killed process or two processes at once
  never leave a half-written entry.
- Reads use ``allow_pickle=False``; zip's CRC-32 catches a damaged file, and the caller's ``check``
  rejects arrays of the wrong shape or range (the compiled kernels do not bounds-check). A
  rejected or unreadable entry is rebuilt and rewritten; an unwritable folder only costs the
  rebuild. The cache never changes a result: the arrays are those a fresh build gives (tested).

Hand-written rather than ``joblib.Memory``: joblib pickles, and the entries are plain arrays.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["fingerprint", "load_or_build", "store_dir"]


def store_dir() -> Path:
    """``cache_dir()/translit``."""
    from aimm_nlp._io import cache_dir

    return cache_dir() / "translit"


def fingerprint(parts: Iterable[str | bytes], modules: Iterable[ModuleType] = ()) -> str:
    """SHA-256 (hex, 24 digits) of ``parts`` and of the source files of ``modules`` (their name and the
    package version where a module has no readable file)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    for module in modules:
        try:
            source = Path(getattr(module, "__file__", None) or "").read_bytes()
        except OSError:  # no source file to read (a frozen or zipped install): the name and version stand in
            from aimm_nlp import __version__

            source = f"{module.__name__} {__version__}".encode()
        h.update(source)
    return h.hexdigest()[:24]


def load_or_build(
    kind: str,
    model_key: str,
    code_key: str,
    build: Callable[[], dict[str, np.ndarray]],
    check: Callable[[dict[str, np.ndarray]], bool],
) -> dict[str, np.ndarray]:
    """The arrays of ``kind`` for a model: read from the store (and checked), else built and stored.

    Args:
        kind: what the arrays are (``"search"``, ``"foreign"``), part of the file name.
        model_key: fingerprint of the model and settings (older entries of it are removed on write).
        code_key: fingerprint of the code that builds and reads the arrays.
        build: makes the arrays (names -> numeric arrays).
        check: ``True`` when read arrays are safe to use (shapes, dtypes, index ranges).
    """
    import zipfile

    import numpy as np

    path = store_dir() / f"{kind}-{model_key}-{code_key}.npz"
    try:
        with (
            open(path, "rb") as fh,
            np.load(fh, allow_pickle=False) as npz,
        ):  # our handle: closed on any error
            arrays = {name: npz[name] for name in npz.files}
        if check(arrays):
            return arrays
    except (OSError, ValueError, KeyError, EOFError, TypeError, AttributeError, zipfile.BadZipFile):
        pass  # absent, unreadable, damaged, or not an .npz (np.load gave an array): rebuilt below
    arrays = build()
    with contextlib.suppress(OSError):
        _write(path, arrays, stale=f"{kind}-{model_key}-*.npz")
    return arrays


def _write(path: Path, arrays: dict[str, np.ndarray], *, stale: str) -> None:
    import numpy as np

    from aimm_nlp._io import atomic_output

    with atomic_output(path, mode="wb") as fh:  # a temporary file renamed into place
        np.savez(fh, **arrays)
    for old in path.parent.glob(stale):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
