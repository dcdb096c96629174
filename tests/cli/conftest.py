"""Fixtures of the CLI tests of ``aimm finetune``, ``aimm tokenizer`` and ``aimm corpus``: the same tiny
tokenizers, data files and corpora as tests/finetune, tests/tokenization and tests/corpus."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# ft_helpers and tok_samples are imported by name, as in tests/finetune and tests/tokenization
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "finetune"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tokenization"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "evaluation"))  # eval_samples, by name
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))  # report_samples, by name
from tok_samples import train_bpe


def _load(path: Path, name: str):
    """A conftest of another test folder as a module of its own name (every conftest is 'conftest')."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))  # corpus_samples, by name
_corpus = _load(Path(__file__).resolve().parents[1] / "corpus" / "conftest.py", "corpus_conftest")
files, docs = _corpus.files, _corpus.docs  # the corpus tests' fixtures: one tiny file per format
_finetune = _load(Path(__file__).resolve().parents[1] / "finetune" / "conftest.py", "finetune_conftest")
tok_dir, data_dir = _finetune.tok_dir, _finetune.data_dir  # the fine-tuning tests' tokenizer and data


@pytest.fixture(scope="session")
def bpe_dir(tmp_path_factory: pytest.TempPathFactory):
    return train_bpe(tmp_path_factory.mktemp("bpe"))
