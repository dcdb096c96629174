"""Test helpers for the CI rule: a check that cannot run FAILS under ``CI=true`` and skips only locally.

Import from any test folder with ``from ci_support import require`` (``tests/`` is on ``sys.path``;
the name ``conftest`` is not usable for this: each test folder has its own).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def under_ci() -> bool:
    """True when ``CI`` is set to 1/true/yes (as ``.ci/run`` runs)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(module: str, why: str) -> ModuleType:
    """Import an optional extra for a test: skip locally when it is missing, FAIL under ``CI=true``
    (CI installs the extras, so a skip there would hide a check). Core dependencies are imported plainly."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"{module} is not installed ({why}): {exc}"
        if under_ci():
            pytest.fail(msg)
        pytest.skip(msg)
