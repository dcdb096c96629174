from __future__ import annotations

import csv
import json

import pytest

from aimm_nlp.errors import DataError, InputFileError
from aimm_nlp.tokenization import evaluate_tokenizers, load_tokenizer, read_flores
from aimm_nlp.tokenization.metrics import word_count


def _wordlevel():
    """Whitespace word-level tokenizer whose counts are easy to compute by hand."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = {"[UNK]": 0, "واش": 1, "نتا": 2, "مزيان": 3, "salam": 4, "labas": 5, "how": 6, "are": 7, "you": 8}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece()
    return tok


@pytest.mark.parametrize(
    ("texts", "words"),
    [([""], 0), (["و"], 1), (["واش  نتا مزيان؟"], 3), (["salam 😀", "3lach\tla\n"], 4), (["مزياااان"], 1)],
)
def test_word_count(texts, words) -> None:
    assert word_count(texts) == words


def test_metrics_on_hand_computed_example() -> None:
    texts = {
        "ary_Arab": ["واش نتا مزيان", "واش 😀"],  # 5 words, 5 tokens, 1 UNK
        "ary_Latn": ["salam labas", "salam 3lik"],  # 4 words, 4 tokens, 1 UNK
        "eng_Latn": ["how are you", "how"],  # 4 words, 4 tokens
    }
    report = evaluate_tokenizers({"wl": _wordlevel()}, texts)
    ary = report.get("wl", "ary_Arab")
    assert (ary.sentences, ary.words, ary.tokens) == (2, 5, 5)
    assert ary.fertility == 1.0
    assert ary.unk_rate == pytest.approx(1 / 5)
    assert ary.parity == pytest.approx(5 / 4)
    assert ary.pcw == 0.0
    assert ary.bytes_per_token == pytest.approx(sum(len(t.encode()) for t in texts["ary_Arab"]) / 5)
    assert ary.chars_per_token == pytest.approx(sum(map(len, texts["ary_Arab"])) / 5)
    assert ary.roundtrip == 0.5  # the emoji comes back as [UNK]
    assert report.get("wl", "eng_Latn").parity == 1.0


def test_pcw_counts_words_split_in_isolation(bpe_dir) -> None:
    tok = load_tokenizer(bpe_dir)
    texts = ["ⵣⵣⵣⵣⵣⵣ salam", "salam"]
    report = evaluate_tokenizers({"t": tok}, {"x": texts}, parallel=False)
    split = {
        w: len(ids) >= 2 for w, ids in zip(["ⵣⵣⵣⵣⵣⵣ", "salam"], tok.encode(["ⵣⵣⵣⵣⵣⵣ", "salam"]), strict=False)
    }
    assert report.get("t", "x").pcw == pytest.approx((split["ⵣⵣⵣⵣⵣⵣ"] + 2 * split["salam"]) / 3)
    assert report.get("t", "x").parity is None


def test_report_outputs(tmp_path) -> None:
    report = evaluate_tokenizers({"wl": _wordlevel()}, {"eng_Latn": ["how are you"], "ary_Latn": ["salam"]})
    out = report.save(tmp_path / "r")
    data = json.loads((out / "metrics.json").read_text())
    assert data["rows"][0]["tokenizer"] == "wl" and data["reference"] == "eng_Latn"
    md = (out / "metrics.md").read_text()
    assert md.startswith("| tokenizer |") and "ary_Latn" in md
    assert (out / "fertility.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_non_parallel_texts_rejected_when_parity_asked() -> None:
    texts = {"eng_Latn": ["how are you", "how"], "ary_Arab": ["واش نتا مزيان"]}
    with pytest.raises(DataError, match="not parallel"):
        evaluate_tokenizers({"wl": _wordlevel()}, texts)
    assert evaluate_tokenizers({"wl": _wordlevel()}, texts, parallel=False).rows


@pytest.mark.parametrize("bad", [{}, {"eng_Latn": []}, {"eng_Latn": "how are you"}])
def test_bad_texts(bad) -> None:
    with pytest.raises(DataError):
        evaluate_tokenizers({"wl": _wordlevel()}, bad, parallel=False)


def test_paths_that_are_not_tokenizers(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("salam 3lik\n")
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "notes.txt", tmp_path / "empty", tmp_path / "missing"):
        with pytest.raises(InputFileError, match="tokenizer"):
            load_tokenizer(path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputFileError, match="cannot load tokenizer"):
        load_tokenizer(tmp_path / "bad.json")
    with pytest.raises(DataError, match="not a tokenizer"):
        load_tokenizer(42)


def _anchor_check(shared, names: list[str], langs: list[str]) -> None:
    anchors = {}
    with open(shared / "anchors/measured_tokenizer_metrics_flores200.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            anchors[row["tokenizer"].split("(")[0], row["lang"]] = row
    texts = read_flores(shared / "corpora/flores200-subset", langs)
    report = evaluate_tokenizers({n: shared / "tokenizers" / n for n in names}, texts)
    for row in report.rows:
        a = anchors[row.tokenizer, row.lang]
        for ours, theirs in [
            (row.fertility, a["fertility"]),
            (row.pcw, a["pcw"]),
            (row.bytes_per_token, a["bytes_per_token"]),
            (row.parity, a["parity_vs_eng"]),
            (row.unk_rate, a["unk_or_bytefallback_rate"]),
        ]:
            # anchors are rounded to 3-4 decimals: 0.5 % relative, or half a unit of the last digit
            assert ours == pytest.approx(float(theirs), rel=0.005, abs=5e-4), (row.tokenizer, row.lang)
        assert row.tokens == int(a["tokens"]) and row.words == int(a["words"])


def test_reproduces_anchor_table_spm_and_wordpiece(shared) -> None:
    langs = ["eng_Latn", "fra_Latn", "ary_Arab", "tzm_Tfng"]
    _anchor_check(shared, ["mistral-7b-v0.1", "araelectra-base"], langs)


@pytest.mark.slow
def test_reproduces_whole_anchor_table(shared) -> None:
    langs = ["eng_Latn", "fra_Latn", "arb_Arab", "ary_Arab", "arb_Latn", "kab_Latn", "tzm_Tfng", "taq_Tfng"]
    names = ["mistral-7b-v0.1", "mistral-7b-v0.3", "llama-2", "llama-3", "arabert-v2", "araelectra-base"]
    _anchor_check(shared, names, langs)
