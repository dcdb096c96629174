"""Tiny models shared by the evaluation tests (built once per session, seeded)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the test modules import eval_samples by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models are latency-bound: one thread avoids OpenMP spin contention on a busy 2-core box."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tok():
    from aimm_nlp.testing import DARIJA, tiny_tokenizer

    return tiny_tokenizer(DARIJA * 3, vocab_size=400)


@pytest.fixture(scope="session")
def causal(tok):
    from aimm_nlp.evaluation import wrap_model
    from aimm_nlp.testing import tiny_causal_lm

    return wrap_model(tiny_causal_lm(tok, seed=0), tok)


@pytest.fixture(scope="session")
def nllb_seed_rows(shared):
    """The rows of NLLB-Seed's TSV, read with the stdlib (not the harness): for independent checks."""
    import csv

    path = shared / "data" / "nllb_seed_moroccan" / "seed_parallel.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
