"""describe(): stats per language and script, JSON + Markdown + PNG."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import Dataset

from aimm_nlp.corpus import describe, load_corpus


def test_describe_counts_per_language_and_script(docs: list[tuple[str, str | None]]) -> None:
    texts = [t for t, _ in docs] + ["salam labas 3lik a khoya, ach khbarek?"]
    langs = [lang for _, lang in docs] + ["ary_Latn"]
    stats = describe(Dataset.from_dict({"text": texts, "lang": langs}), top_k=3)
    assert stats.n_docs == 11
    ary_latn = stats.by_lang["ary_Latn"]
    assert ary_latn["docs"] == 3 and ary_latn["duplicate_rate"] == round(1 / 3, 6)
    assert ary_latn["words"] == 7 + 10 + 7
    assert stats.by_lang["und"]["docs"] == 2  # "" and the emoji wall have no label
    assert stats.by_script["Tfng"]["docs"] == 1 and stats.by_script["Other"]["docs"] == 2
    assert sum(g["docs"] for g in stats.by_script.values()) == 11
    assert stats.overall["chars"] == sum(len(t) for t in texts)
    assert stats.by_lang["ary_Arab"]["top_words"][0][1] >= 1
    q = stats.by_lang["ary_Arab"]["chars_per_doc_quantiles"]
    assert q["p5"] <= q["p50"] <= q["p95"]


def test_describe_saves_json_markdown_and_plots(tmp_path: Path, files: dict[str, Path]) -> None:
    stats = describe(load_corpus(files["jsonl"], streaming=True))
    written = stats.save(tmp_path / "stats")
    assert {p.name for p in written} == {"stats.json", "stats.md", "length_hist.png", "shares.png"}
    assert json.loads((tmp_path / "stats" / "stats.json").read_text())["n_docs"] == 10
    assert "| ary_Arab | 3 |" in (tmp_path / "stats" / "stats.md").read_text()
    for png in ("length_hist.png", "shares.png"):
        assert (tmp_path / "stats" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((tmp_path / "stats").glob(".*tmp"))
