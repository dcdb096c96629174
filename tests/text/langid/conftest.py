"""numba's cache of the compiled one-text kernel (``langid._fast_jit``) goes to this session's temporary
folder, never beside the sources."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True, scope="session")
def _numba_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    folder = str(tmp_path_factory.getbasetemp() / "numba_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NUMBA_CACHE_DIR", folder)
        if "numba" in sys.modules:  # imported earlier in this session: its config read the variable then
            mp.setattr(sys.modules["numba"].config, "CACHE_DIR", folder)
        yield
