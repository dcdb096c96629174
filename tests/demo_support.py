"""Helpers of the `aimm demo` safety tests (tests/demo and tests/cli): a stubbed first step, folder snapshots
and a folder shaped like an earlier demo's. Import with ``from demo_support import ...`` (``tests/`` is on
``sys.path``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.demo import DEMO_MARKER


class Started(Exception):
    """Raised by the stubbed first step: validation passed and the demo began its work."""


def no_heavy_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the demo's first step by one that raises :class:`Started` (the demo never runs)."""

    def first_step(*args, **kwargs):
        raise Started

    monkeypatch.setattr("aimm_nlp.demo._stages.step_corpus", first_step)


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def earlier_demo(out: Path) -> Path:
    """A folder shaped like a finished demo's (marker, corpus, tokenizer, runs, report)."""
    from datasets import Dataset

    from aimm_nlp.corpus import save_corpus

    out.mkdir()
    (out / DEMO_MARKER).write_text('{"written_by": "aimm_nlp.demo", "format_version": 1}\n', encoding="utf-8")
    ds = Dataset.from_dict({"text": ["salam labas"], "lang": ["ary_Latn"], "source": ["mini"]})
    save_corpus(ds, out / "corpus", progress=False)
    (out / "tokenizer").mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (out / "tokenizer" / name).write_text("{}", encoding="utf-8")
    card = '{"format_version": 1, "aimm_nlp": "0.1.0", "kind": "bpe"}'
    (out / "tokenizer" / "tokenizer_card.json").write_text(card, encoding="utf-8")
    for name in ("ary_sentiment_tiny", "ary_causal_lm_tiny"):
        run = out / "runs" / name
        (run / "model").mkdir(parents=True)
        (run / ".aimm_run.json").write_text('{"written_by": "aimm_nlp.finetune"}', encoding="utf-8")
        (run / "metrics.jsonl").write_text('{"step": 5, "loss": 1.2}\n', encoding="utf-8")
    (out / "report").mkdir()
    (out / "report" / "index.html").write_text("<html></html>\n", encoding="utf-8")
    return out
