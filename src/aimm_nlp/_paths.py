"""Where the data lives: one answer for every module.

``shared_root()`` is ``$AIMM_SHARED``, else the ``shared/`` folder beside the repository checkout
(``../shared`` from the repo root), whatever the current directory is. ``mini_root()`` is the
hand-written ``morocco_mini`` data: package data in an installed wheel, else the repo's ``data/``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["mini_root", "shared_root"]

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parents[1]  # src/aimm_nlp -> repo root (meaningful for a checkout / editable install)


def shared_root() -> Path:
    """``$AIMM_SHARED``, else ``shared/`` beside the repository checkout."""
    env = os.environ.get("AIMM_SHARED")
    return Path(env) if env else _REPO.parent / "shared"


def mini_root() -> Path:
    """The ``morocco_mini`` sets: package data of an installed wheel, else the repo's ``data/``."""
    packaged = _PACKAGE / "data" / "morocco_mini"
    return packaged if packaged.is_dir() else _REPO / "data" / "morocco_mini"
