"""Fixtures of the fine-tuning tests (helpers live in ft_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the test modules import ft_helpers by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))
from ft_helpers import build_tokenizer, write_data_dir


@pytest.fixture(scope="session")
def tok_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tokenizer(tmp_path_factory.mktemp("tok"))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))
