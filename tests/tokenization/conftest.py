"""Fixtures of the tokenizer tests (the corpus and helpers live in tok_samples.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the test modules import tok_samples by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))
from tok_samples import train_bpe


@pytest.fixture(scope="session")
def bpe_dir(tmp_path_factory: pytest.TempPathFactory):
    return train_bpe(tmp_path_factory.mktemp("tok"))
