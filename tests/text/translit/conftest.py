"""Fixtures shared by the transliteration tests."""

from __future__ import annotations

import pytest

from aimm_nlp.text.translit._model import RuleRanker, default_model


@pytest.fixture
def without_native(monkeypatch: pytest.MonkeyPatch) -> None:
    """An install without the C kernels (``_native``): the numba, numpy and Python paths and how they are
    chosen, as a user without a C compiler gets them (``AIMM_NO_NATIVE=1`` also reaches subprocesses)."""
    monkeypatch.setenv("AIMM_NO_NATIVE", "1")
    model = default_model()
    assert isinstance(model, RuleRanker)
    monkeypatch.setattr(model, "_native", None)
    monkeypatch.setattr(model.foreign, "_native", None)
