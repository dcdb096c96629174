"""A rule ranker's two data files: its keep-foreign detector loads from its own file, alone, and is the
ranker's; a folder that keeps everything in one file (built before the split) still loads.

About internals: the private ``aimm_nlp.text.translit._folder`` (the files) and ``_model`` (the loaders)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.errors import ModelError
from aimm_nlp.text.translit import Transliterator
from aimm_nlp.text.translit._folder import FOREIGN, SIDECAR, read_sidecar
from aimm_nlp.text.translit._model import default_foreign, default_model, foreign_detector, load_model

SHIPPED = Path(default_model.__code__.co_filename).parent.parent / "models" / "translit_ary"

# Arabizi, French and English words, code-switched pieces, one letter, emoji, elongation, Tifinagh, "".
WORDS = [
    "3lach", "7na", "bzaf", "ghadi", "réunion", "document", "weekend", "demain", "3afak", "sift",
    "khouuuuya", "a", "😂", "salaaam", "lmghrib", "ⴰⵣⵓⵍ", "tkhSiS", "", "merci", "chokran",
]  # fmt: skip


def _decisions(detector: object) -> list[tuple[bool, int]]:
    return [(e.foreign, e.level) for e in map(detector.decide, WORDS)]  # type: ignore[attr-defined]


def test_the_shipped_folder_lists_both_files() -> None:
    sidecar = read_sidecar(SHIPPED)
    # the JSON data files, and the same data as blobs (tests/text/translit/test_translit_store.py)
    assert sorted(sidecar["files"]) == [
        "foreign.blob.gz",
        "foreign.json.gz",
        "ranker.blob.gz",
        "ranker.json.gz",
    ]
    for name, digest in sidecar["files"].items():
        assert hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest() == digest
    parts = {
        name: sorted(json.loads(gzip.decompress((SHIPPED / name).read_bytes())))
        for name in sidecar["files"]
        if name.endswith(".json.gz")
    }
    assert parts == {"foreign.json.gz": ["arabizi_lm", "foreign_lm"], "ranker.json.gz": ["char_lm", "vocab"]}


def test_the_ranker_and_the_phonetic_reading_share_one_detector() -> None:
    assert default_model().foreign is default_foreign() is foreign_detector(SHIPPED)
    assert Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True).model.foreign is default_foreign()


def test_keep_foreign_alone_reads_only_its_file(tmp_path: Path) -> None:
    # A fresh interpreter, an empty store: the phonetic reading with keep-foreign reads foreign.json.gz
    # and never the character model and word list of ranker.json.gz.
    code = (
        "import json\n"
        "from aimm_nlp.text.translit import _folder, _model\n"
        "read = []\n"
        "def spy(path, sidecar, name, _real=_folder.read_data):\n"
        "    read.append(name)\n"
        "    return _real(path, sidecar, name)\n"
        "_model.read_data = spy\n"
        "from aimm_nlp.text.translit import Transliterator\n"
        "t = Transliterator(src='ary_Latn', dst='ary_Arab', phonetic=True)\n"
        "out = t('ana ghadi l réunion demain, 3afak 😂')\n"
        "print(json.dumps({'read': read, 'out': out}))\n"
    )
    env = {**os.environ, "AIMM_CACHE_DIR": str(tmp_path / "store"), "NUMBA_CACHE_DIR": str(tmp_path / "nb")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    got = json.loads(run.stdout)
    assert got == {"read": ["foreign.json.gz"], "out": "انا غادي ل réunion demain, عافاك 😂"}


def _old_layout(folder: Path) -> Path:
    """The shipped ranker as a folder built before the split: all four parts in ranker.json.gz."""
    folder.mkdir()
    merged: dict = {}
    for name in ("ranker.json.gz", FOREIGN):
        merged.update(json.loads(gzip.decompress((SHIPPED / name).read_bytes())))
    raw = gzip.compress(json.dumps(merged, ensure_ascii=False, sort_keys=True).encode(), mtime=0)
    (folder / "ranker.json.gz").write_bytes(raw)
    sidecar = {**read_sidecar(SHIPPED), "files": {"ranker.json.gz": hashlib.sha256(raw).hexdigest()}}
    (folder / SIDECAR).write_text(json.dumps(sidecar), "utf-8")
    return folder


def test_a_folder_built_before_the_split_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "store"))
    folder = _old_layout(tmp_path / "old")
    model = load_model(folder)
    assert foreign_detector(folder) is model.foreign is not default_foreign()
    assert _decisions(model.foreign) == _decisions(default_foreign())
    assert [model.rank(w, k=1) for w in ("3lach", "sift", "")] == [
        default_model().rank(w, k=1) for w in ("3lach", "sift", "")
    ]


def _split_copy(folder: Path, *, blobs: bool = False) -> Path:
    """A copy of the shipped folder: its JSON data files, and (``blobs``) the blobs that spare decoding them."""
    folder.mkdir()
    sidecar = json.loads((SHIPPED / SIDECAR).read_text("utf-8"))
    for name in list(sidecar["files"]):
        if blobs or name.endswith(".json.gz"):
            (folder / name).write_bytes((SHIPPED / name).read_bytes())
        else:
            del sidecar["files"][name]
    (folder / SIDECAR).write_text(json.dumps(sidecar), "utf-8")
    return folder


def _rewrite_foreign(folder: Path, payload: bytes) -> None:
    (folder / FOREIGN).write_bytes(payload)
    sidecar = json.loads((folder / SIDECAR).read_text("utf-8"))
    sidecar["files"][FOREIGN] = hashlib.sha256(payload).hexdigest()
    (folder / SIDECAR).write_text(json.dumps(sidecar), "utf-8")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / FOREIGN).unlink(), r"foreign\.json\.gz: missing; the model folder is incomplete"),
        (lambda f: (f / FOREIGN).write_bytes(b"\x1f\x8b edited"), r"foreign\.json\.gz: SHA-256 does not match"),
        (lambda f: _rewrite_foreign(f, b"not gzip"), r"foreign\.json\.gz: cannot decode"),
        (lambda f: _rewrite_foreign(f, gzip.compress(b'{"foreign_lm": {}}')), r"foreign\.json\.gz: model data is malformed"),
        (lambda f: _rewrite_foreign(f, gzip.compress(b"[]")), r"foreign\.json\.gz: model data is malformed"),
        (lambda f: (f / SIDECAR).write_text('{"format_version": 1, "kind": "rule_ranker", "files": []}'), "'files' must map"),
    ],
)  # fmt: skip
def test_a_damaged_foreign_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage, message: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "store"))
    folder = _split_copy(tmp_path / "model")
    damage(folder)
    for load in (foreign_detector, load_model):
        with pytest.raises(ModelError, match=message):
            load(folder)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "foreign.blob.gz").unlink(), r"foreign\.blob\.gz: missing; the model folder is incomplete"),
        (lambda f: (f / "foreign.blob.gz").write_bytes(b"\x1f\x8b edited"), r"foreign\.blob\.gz: SHA-256 does not match"),
    ],
)  # fmt: skip
def test_a_damaged_foreign_blob_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage, message: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "store"))
    whole = _split_copy(tmp_path / "whole", blobs=True)
    assert _decisions(foreign_detector(whole)) == _decisions(default_foreign())
    folder = _split_copy(tmp_path / "model", blobs=True)
    damage(folder)
    for load in (foreign_detector, load_model):
        with pytest.raises(ModelError, match=message):
            load(folder)


def test_a_trained_model_uses_the_shipped_detector(tmp_path: Path) -> None:
    folder = tmp_path / "joint"
    folder.mkdir()
    (folder / SIDECAR).write_text(
        json.dumps({"format_version": 1, "kind": "joint_ngram", "files": {}}), "utf-8"
    )
    assert foreign_detector(folder) is default_foreign()
