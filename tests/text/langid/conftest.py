"""The compiled one-text kernel (``langid._fast_jit``) for the tests: numba's cache goes to this
session's temporary folder, never beside the sources, and the kernel is loaded once per process."""

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


@pytest.fixture(scope="session")
def kernel():
    """The compiled kernel (compiled once per test process, or read from this session's cache)."""
    from aimm_nlp.text.langid import _fast_jit

    got = _fast_jit.load()
    assert got, "numba is a dependency: the compiled one-text kernel must load"
    return got
