"""Shared fixtures: offline HF caches, aimm_nlp's and numba's cache folders per session, and the path to ../shared.

``shared`` resolves ``AIMM_SHARED`` (default ``../shared`` from the repo root).
When it is missing, tests that need it skip locally but FAIL under ``CI=true``:
CI must never pass by silently skipping real-data checks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# ci_support (and demo_support) are imported by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))
from ci_support import under_ci

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _offline_hf(tmp_path_factory: pytest.TempPathFactory):
    """Session-wide, so module- and session-scoped fixtures (built before any function-scoped one) get it too."""
    cache = tmp_path_factory.getbasetemp() / "hf_cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(cache))
        mp.setenv("HF_DATASETS_CACHE", str(cache / "datasets"))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_DATASETS_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        mp.setenv("TOKENIZERS_PARALLELISM", "false")
        mp.setenv("MPLBACKEND", "Agg")
        # aimm_nlp's own cache (eval results, transliteration arrays): the session's, never the user's home
        mp.setenv("AIMM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "aimm_cache"))
        # numba's compiled kernels (translit search, langid one-text): the session's folder, never beside the
        # sources. The process-wide one-text counter of ``langid._fast_jit`` may load the kernel in any test
        # once the session has made enough calls; it must land here too.
        numba_cache = str(tmp_path_factory.getbasetemp() / "numba_cache")
        mp.setenv("NUMBA_CACHE_DIR", numba_cache)
        if "numba" in sys.modules:  # imported before this fixture: its config read the variable then
            mp.setattr(sys.modules["numba"].config, "CACHE_DIR", numba_cache)
        yield


def shared_dir() -> Path | None:
    """The shared data folder, or None when absent."""
    path = Path(os.environ.get("AIMM_SHARED", REPO.parent / "shared"))
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """Path to ../shared; skips locally, fails under CI when it is missing."""
    path = shared_dir()
    if path is None:
        msg = "../shared (or $AIMM_SHARED) is missing: real-data tests cannot run"
        if under_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path
