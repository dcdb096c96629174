"""Fixtures of the fine-tuning tests (helpers live in ft_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the test modules import ft_helpers by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))
from ft_helpers import PARALLEL, TAGGED, TWEETS, build_tokenizer, corpus_lines, write_jsonl, write_tsv


@pytest.fixture(scope="session")
def tok_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tokenizer(tmp_path_factory.mktemp("tok"))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("data")
    write_tsv(
        d / "tweets.tsv", ["ID", "tweet", "label"], [(f"t{i}", t, lab) for i, (t, lab) in enumerate(TWEETS)]
    )
    (d / "text.txt").write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    write_jsonl(d / "tags.jsonl", [{"words": w, "tags": t} for w, t in TAGGED])
    write_jsonl(d / "pairs.jsonl", [{"source": e, "target": a} for e, a, _ in PARALLEL])
    write_jsonl(d / "sft.jsonl", [{"prompt": f"translate: {e}", "response": a} for e, a, _ in PARALLEL])
    return d
