"""The compiled one-text kernel (``langid._fast_jit``) for the tests, loaded once per process; numba's
cache is the session's folder (``NUMBA_CACHE_DIR``, set in ``tests/conftest.py``), never beside the sources."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def kernel():
    """The compiled kernel (compiled once per test process, or read from this session's cache)."""
    from aimm_nlp.text.langid import _fast_jit

    got = _fast_jit.load()
    assert got, "numba is a dependency: the compiled one-text kernel must load"
    return got
