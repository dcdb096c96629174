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
    # each word once; ties keep first-seen order
    assert stats.by_lang["ary_Arab"]["top_words"] == [["واش", 1], ["نتا", 1], ["مزيان", 1]]
    q = stats.by_lang["ary_Arab"]["chars_per_doc_quantiles"]
    assert q["p5"] <= q["p50"] <= q["p95"]


# (lang, texts, words, top 3 words): words are case-folded and keep Arabizi digits and apostrophes
# (' and ’ stay distinct); punctuation and emoji are dropped; describe() does not fold elongation.
TOP_WORDS = [
    (
        "ary_Latn",
        ["salam labas 3lik a khoya", "Salam! labas, l7amdolilah", "SALAM SALAM 😂 wach labas?"],
        12,
        [["salam", 4], ["labas", 3], ["3lik", 1]],
    ),
    (
        "ary_Arab",
        ["واش نتا مزيان؟", "واش نتا بخير؟ واش؟", "مزيان بزاف", "مزياااان"],
        10,
        [["واش", 3], ["نتا", 2], ["مزيان", 2]],
    ),
    (
        "fra_Latn",
        ["L'équipe a gagné.", "l'équipe a perdu", "Aujourd'hui L’équipe joue"],
        9,
        [["l'équipe", 2], ["a", 2], ["gagné", 1]],
    ),
    ("zgh_Tfng", ["ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "ⴰⵣⵓⵍ, ⴰⵣⵓⵍ ⵎⴰⵏⵣⴰⴽⵉⵏ!"], 5, [["ⴰⵣⵓⵍ", 3], ["ⴼⵍⵍⴰⵡⵏ", 1], ["ⵎⴰⵏⵣⴰⴽⵉⵏ", 1]]),
]


def test_describe_counts_words_exactly() -> None:
    rows = [(text, lang) for lang, texts, _, _ in TOP_WORDS for text in texts] + [("😂😂", None), ("", None)]
    stats = describe(
        Dataset.from_dict({"text": [t for t, _ in rows], "lang": [lang for _, lang in rows]}), top_k=3
    )
    for lang, _, words, top in TOP_WORDS:
        assert (stats.by_lang[lang]["words"], stats.by_lang[lang]["top_words"]) == (words, top), lang
    assert stats.by_lang["und"]["words"] == 0 and stats.by_lang["und"]["top_words"] == []
    assert stats.overall["words"] == 12 + 10 + 9 + 5
    assert stats.overall["top_words"] == [["salam", 4], ["labas", 3], ["a", 3]]  # "a": 1 Arabizi + 2 French


def test_describe_saves_json_markdown_and_plots(tmp_path: Path, files: dict[str, Path]) -> None:
    stats = describe(load_corpus(files["jsonl"], streaming=True))
    written = stats.save(tmp_path / "stats")
    assert {p.name for p in written} == {"stats.json", "stats.md", "length_hist.png", "shares.png"}
    assert json.loads((tmp_path / "stats" / "stats.json").read_text())["n_docs"] == 10
    assert "| ary_Arab | 3 |" in (tmp_path / "stats" / "stats.md").read_text()
    for png in ("length_hist.png", "shares.png"):
        assert (tmp_path / "stats" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((tmp_path / "stats").glob(".*tmp"))
