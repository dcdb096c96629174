"""Fixtures of the CLI tests of ``aimm finetune`` and ``aimm tokenizer``: the same tiny tokenizers and
data files as tests/finetune and tests/tokenization, from their helper modules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# ft_helpers and tok_samples are imported by name, as in tests/finetune and tests/tokenization
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "finetune"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tokenization"))
from ft_helpers import build_tokenizer, write_data_dir
from tok_samples import train_bpe


@pytest.fixture(scope="session")
def tok_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tokenizer(tmp_path_factory.mktemp("tok"))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def bpe_dir(tmp_path_factory: pytest.TempPathFactory):
    return train_bpe(tmp_path_factory.mktemp("bpe"))
