"""Where the data lives: one answer for every module.

``shared_root()`` is ``$AIMM_SHARED``, else the ``shared/`` folder beside the repository checkout
(``../shared`` from the repo root), whatever the current directory is. ``data_root()`` holds the shipped
data (``morocco_mini/``, ``samples/``): package data in an installed wheel, else the repo's ``data/``;
``mini_root()`` is its ``morocco_mini``. The public face of these is :mod:`aimm_nlp.resources`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root", "mini_root", "shared_root"]

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parents[1]  # src/aimm_nlp -> repo root (meaningful for a checkout / editable install)


def shared_root() -> Path:
    """``$AIMM_SHARED``, else ``shared/`` beside the repository checkout."""
    env = os.environ.get("AIMM_SHARED")
    return Path(env) if env else _REPO.parent / "shared"


def data_root() -> Path:
    """The shipped data: ``aimm_nlp/data`` in an installed wheel, else the repository's ``data/``."""
    packaged = _PACKAGE / "data"
    return packaged if (packaged / "morocco_mini").is_dir() else _REPO / "data"


def mini_root() -> Path:
    """The ``morocco_mini`` sets: package data of an installed wheel, else the repo's ``data/``."""
    return data_root() / "morocco_mini"
