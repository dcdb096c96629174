"""Issue 20 C: ``train_tokenizer(["data/x.txt"])`` read the file, not the path string as text.

The rule (``aimm_nlp.tokenization._corpus``): ``str`` items are files when every one is an existing
file, texts when none is; a mix is refused; a list of file-like names none of which exists is a
missing-file error; a single ``str`` is a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tok_samples import CORPUS

from aimm_nlp.errors import DataError, InputFileError
from aimm_nlp.tokenization import train_tokenizer
from aimm_nlp.tokenization._corpus import collect


@pytest.fixture
def files(tmp_path, monkeypatch):
    """``data/ary_Arab.txt`` and ``data/zgh_Tfng.txt`` under tmp_path, which is the working directory."""
    (tmp_path / "data").mkdir()
    for lang in ("ary_Arab", "zgh_Tfng"):
        (tmp_path / "data" / f"{lang}.txt").write_text("\n".join(CORPUS[lang]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


GOOD = [  # corpus (relative names are under the working directory), {lang: number of texts}
    (["data/ary_Arab.txt"], {"ary_Arab": 6}),
    (["data/ary_Arab.txt", "data/zgh_Tfng.txt"], {"ary_Arab": 6, "zgh_Tfng": 3}),
    ("data/zgh_Tfng.txt", {"zgh_Tfng": 3}),
    (Path("data/ary_Arab.txt"), {"ary_Arab": 6}),
    ([Path("data/ary_Arab.txt"), "3lach ma jitich lbareh?"], {"ary_Arab": 6, "und_Latn": 1}),
    (["واش نتا مزيان؟", "3lach ma jitich?", "ⴰⵣⵓⵍ"], {"und_Arab": 1, "und_Latn": 1, "und_Tfng": 1}),
    (["و"], {"und_Arab": 1}),
    (["مزياااااان 😍", "salam.txt labas"], {"und_Arab": 1, "und_Latn": 1}),  # a space: not a file name
    (["notes.txt", "wach nta mzyan?"], {"und_Latn": 2}),  # not all look like file names: texts
    ([("data/x.txt", "ary_Latn")], {"ary_Latn": 1}),  # a (text, lang) pair is always text
]


@pytest.mark.parametrize(("corpus", "sizes"), GOOD)
def test_files_and_texts_are_told_apart(files, corpus, sizes):
    got = collect(corpus)
    assert {lang: len(t) for lang, t in got.items()} == sizes
    if "ary_Arab" in sizes:
        assert got["ary_Arab"] == CORPUS["ary_Arab"]


BAD = [  # corpus, error type, words the message must hold
    (["data/ary_Arab.txt", "واش نتا مزيان؟"], DataError, ["mixes file paths and texts", "item 1", "item 2"]),
    (["wach nta mzyan?", "data/zgh_Tfng.txt"], DataError, ["item 2 ('data/zgh_Tfng.txt') is an existing file"]),
    (["data/x.txt"], InputFileError, ["data/x.txt: no such file (corpus item 1)"]),
    (["data/ary_Arab.txt.gz", "data/y.tsv"], InputFileError, ["data/ary_Arab.txt.gz: no such file"]),
    ("data/x.txt", InputFileError, ["data/x.txt: no such file", "pass a list"]),
    ("واش نتا مزيان؟", InputFileError, ["no such file", "a single str or Path corpus is one file path"]),
    ([""], DataError, ["corpus is empty"]),
]  # fmt: skip


@pytest.mark.parametrize(("corpus", "error", "words"), BAD)
def test_ambiguous_or_missing_paths_are_refused(files, corpus, error, words):
    with pytest.raises(error) as info:
        collect(corpus)
    for word in words:
        assert word in str(info.value)


def test_train_tokenizer_reads_a_list_of_path_strings(files, tmp_path):
    tok = train_tokenizer(["data/ary_Arab.txt"], out_dir=tmp_path / "tok", vocab_size=1400)
    langs = tok.card["corpus"]["languages"]
    assert list(langs) == ["ary_Arab"] and langs["ary_Arab"]["texts"] == 6
