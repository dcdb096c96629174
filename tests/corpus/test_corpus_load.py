"""load_corpus: every format, named loaders on the shared layouts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_samples import DOCS

from aimm_nlp.corpus import corpus_info, corpus_names, load_corpus
from aimm_nlp.errors import DataError, InputFileError, UnknownNameError

TEXTS = [t for t, _ in DOCS]


@pytest.mark.parametrize("fmt", ["txt", "jsonl", "csv", "tsv", "parquet", "conllu"])
def test_every_format_gives_text_lang_source(files: dict[str, Path], fmt: str) -> None:
    ds = load_corpus(files[fmt])
    assert ds.column_names == ["text", "lang", "source"]
    texts = list(ds["text"])
    # conllu keeps `# text =` lines, so the empty document becomes "" there as well
    assert texts == TEXTS
    assert set(ds["source"]) == {str(files[fmt])}
    if fmt in ("jsonl", "csv", "parquet"):  # a lang column is picked up automatically
        assert list(ds["lang"]) == [lang for _, lang in DOCS]
    else:
        assert set(ds["lang"]) == {None}


@pytest.mark.parametrize("fmt", ["txt", "jsonl", "csv", "tsv", "parquet", "conllu"])
def test_streaming_gives_the_same_rows(files: dict[str, Path], fmt: str) -> None:
    eager = load_corpus(files[fmt], lang="ary_Arab")
    lazy = load_corpus(files[fmt], lang="ary_Arab", streaming=True)
    assert list(lazy) == list(eager)


def test_glob_list_and_lang_label(files: dict[str, Path]) -> None:
    ds = load_corpus([str(files["txt"].parent / "*.txt"), files["tsv"]], lang="ary_Latn")
    assert ds.num_rows == 2 * len(DOCS)
    assert set(ds["lang"]) == {"ary_Latn"}


def test_save_to_disk_folder(tmp_path: Path) -> None:
    from datasets import Dataset

    Dataset.from_dict({"sentence": TEXTS, "label": list(range(len(TEXTS)))}).save_to_disk(tmp_path / "saved")
    ds = load_corpus(tmp_path / "saved", lang="ary_Arab")
    assert list(ds["text"]) == TEXTS and set(ds["lang"]) == {"ary_Arab"}
    assert list(load_corpus(tmp_path / "saved", streaming=True)) == list(load_corpus(tmp_path / "saved"))


def test_missing_text_column_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1, "body2": "salam"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"x\.jsonl:1: no text column; columns found: id, body2"):
        load_corpus(path)
    tsv = tmp_path / "x.tsv"
    tsv.write_text("id\tmessage\n1\tsalam\n", encoding="utf-8")
    with pytest.raises(DataError, match="text column 'tweet' not found; columns found: id, message"):
        load_corpus(tsv, text_column="tweet")


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.jsonl", '{"text": "salam"}\n{"text": "labas"\n{"text": "واش"}\n', 2),
        ("bad.jsonl", '{"text": "salam"}\n["not", "an", "object"]\n', 2),
        ("bad.jsonl", '{"text": "salam"}\n{"id": 3}\n', 2),
        ("bad.csv", 'text,lang\n"salam",ary_Latn\n"labas,ary_Latn\n', 3),
        ("bad.csv", "text,lang\nsalam,ary_Latn\nlabas,ary_Latn,extra\n", 3),
        ("bad.tsv", "text\tlang\nsalam\tary_Latn\nlabas\n", 3),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, name: str, content: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=rf"{name}:{line}: .*on_error='skip'"):
        load_corpus(path)
    skipped = load_corpus(path, on_error="skip")
    errors = [e for e in skipped["error"] if e is not None]
    assert len(errors) == 1 and f"{name}:{line}:" in errors[0]
    assert skipped.num_rows == sum(1 for t in skipped["text"] if t is not None) + 1


def test_invalid_utf8_names_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"salam\n" + "réunion\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1\.txt:2: invalid UTF-8 at byte offset 7"):
        load_corpus(path)
    assert list(load_corpus(path, on_error="skip")["text"]) == ["salam", None]


def test_unreadable_inputs(tmp_path: Path) -> None:
    binary = tmp_path / "model.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputFileError, match="NUL byte"):
        load_corpus(binary)
    with pytest.raises(InputFileError, match="no such file"):
        load_corpus(tmp_path / "missing.txt")
    with pytest.raises(InputFileError, match="no file matches"):
        load_corpus(str(tmp_path / "*.jsonl"))
    (tmp_path / "x.docx").write_text("x")
    with pytest.raises(DataError, match=r"unsupported file type '\.docx'"):
        load_corpus(tmp_path / "x.docx")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputFileError, match="cannot read as parquet"):
        load_corpus(tmp_path / "broken.parquet")


def test_changed_file_is_reloaded_not_served_from_cache(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("salam\n", encoding="utf-8")
    assert list(load_corpus(path)["text"]) == ["salam"]
    path.write_text("salam\nlabas\n", encoding="utf-8")
    assert list(load_corpus(path)["text"]) == ["salam", "labas"]


def test_catalog_has_license_and_citation_for_every_corpus() -> None:
    for name in corpus_names():
        info = corpus_info(name)
        assert info.license and info.citation and info.languages, name
    assert corpus_info("doda").non_commercial and corpus_info("flores200").evaluation_only
    with pytest.raises(UnknownNameError, match="did you mean 'afrisenti_ma'"):
        corpus_info("afrisenti")


EXPECTED = {  # name -> (split, languages that must appear, minimum rows)
    "afrisenti_ma": ("dev", {"ary_Arab", "ary_Latn"}, 400),
    "nllb_seed_moroccan": (None, {"ary_Arab", "zgh_Tfng", "eng_Latn", "taq_Latn", "taq_Tfng"}, 5000 * 5),
    "doda": (None, {"ary_Latn", "ary_Arab", "eng_Latn"}, 80_000),
    "ud_french_gsd": ("test", {"fra_Latn"}, 350),
    "ud_arabic_pud": (None, {"arb_Arab"}, 850),
    "tatoeba_kabyle": (None, {"kab_Latn"}, 20_000),
    "langid_moroccan": (
        None,
        {"ary_Arab", "ary_Latn", "arb_Arab", "fra_Latn", "eng_Latn", "zgh_Tfng", "ber_Latn"},
        17_000,
    ),
    "flores200": ("devtest", {"ary_Arab", "tzm_Tfng", "kab_Latn"}, 8 * 1012),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_loader_on_shared_layout(shared: Path, name: str) -> None:
    split, langs, rows = EXPECTED[name]
    root = shared / "corpora" if name == "flores200" else shared / "data"
    ds = load_corpus(name, split=split, data_dir=root)
    assert ds.num_rows >= rows
    assert langs <= set(ds["lang"])
    assert "" not in set(ds["text"])
    assert all(s.startswith(f"{name}:") for s in set(ds["source"]))


def test_named_loader_selects_languages_and_uses_aimm_data(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMM_DATA", str(shared / "data"))
    ds = load_corpus("nllb_seed_moroccan", lang="ary_Arab", streaming=True)
    first = next(iter(ds))
    assert first["lang"] == "ary_Arab" and first["text"]
    with pytest.raises(UnknownNameError, match="splits: train, dev, test"):
        load_corpus("afrisenti_ma", split="validation")


def test_named_corpus_missing_folder_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"folder 'doda' not found \(looked in .*doda\)"):
        load_corpus("doda", data_dir=tmp_path)


def test_saved_corpus_folder_loads_back(tmp_path: Path, files: dict[str, Path]) -> None:
    from aimm_nlp.corpus import save_corpus

    ds = load_corpus(files["jsonl"])
    save_corpus(ds, tmp_path / "corpus", progress=False)
    back = load_corpus(tmp_path / "corpus")
    assert back.to_list() == ds.to_list()
    manifest = json.loads((tmp_path / "corpus" / "manifest.json").read_text())
    assert manifest["counts"]["rows"] == len(DOCS)
