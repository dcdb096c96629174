"""Files shipped inside :mod:`aimm_nlp.text` (``maps/*.json``, ``models/*``), read by the package's loader.

``importlib.resources`` costs ~18 ms of imports (``pathlib``, ``tempfile``, ``zipfile``) before the
first ``normalize()`` call can read its presets; the loader that imported this module reads the
file itself, as ``pkgutil.get_data`` does (from a zip archive too), with nothing more imported.
"""

from __future__ import annotations

import os

__all__ = ["path", "read_text"]

_BASE = os.path.dirname(__file__)


def path(relpath: str) -> str:
    """The file system path of a file or folder under ``aimm_nlp/text`` (``relpath`` with ``/``)."""
    return os.path.join(_BASE, *relpath.split("/"))


def read_text(relpath: str) -> str:
    """The UTF-8 text of a file under ``aimm_nlp/text``."""
    return __loader__.get_data(path(relpath)).decode("utf-8")  # type: ignore[name-defined]
