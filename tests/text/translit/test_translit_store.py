"""The store of arrays derived from a transliteration model: read back exactly, rebuilt when damaged, never in the way.

About internals: the private ``aimm_nlp.text.translit._store`` and the ``_jit`` arrays it keeps."""

from __future__ import annotations

import io
import os
import types
from pathlib import Path

import numpy as np
import pytest

from aimm_nlp.text.translit import _jit, _ngram_np, _store
from aimm_nlp.text.translit._model import RuleRanker, default_model
from aimm_nlp.text.translit._ngram_np import HashedNgrams
from aimm_nlp.text.translit._store import fingerprint, load_or_build, store_dir

# numba is a required dependency: the compiled search is tested (and its absence fails) unless
# AIMM_NO_JIT turns it off on purpose.
needs_jit = pytest.mark.skipif(
    bool(os.environ.get("AIMM_NO_JIT")), reason="AIMM_NO_JIT is set: the compiled search is off on purpose"
)

# Real words for the outputs: Arabizi, French, code-switched pieces, one letter, emoji, elongation, Tifinagh.
WORDS = [
    "3lach", "7na", "bzaf", "ghadi", "réunion", "document", "3afak", "sift", "liya", "khouuuuya",
    "a", "😂", "salaaam", "mzyan", "lmghrib", "weekend", "ⴰⵣⵓⵍ", "tkhSiS", "dyal", "ch7al",
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "translit"


@pytest.fixture(scope="module")
def ranker() -> RuleRanker:
    model = default_model()
    assert isinstance(model, RuleRanker)
    return model


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


class Builder:
    """Counts builds; makes a small array set."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, np.ndarray]:
        self.calls += 1
        return {"a": np.arange(5, dtype=np.int64), "b": np.linspace(0.0, 1.0, 3)}


def _sound(arrays: dict[str, np.ndarray]) -> bool:
    return set(arrays) == {"a", "b"} and arrays["a"].dtype == np.int64


def test_store_dir_follows_aimm_cache_dir(store: Path) -> None:
    assert store_dir() == store


def test_second_load_reads_the_stored_arrays(store: Path) -> None:
    build = Builder()
    first = load_or_build("t", "m1", "c1", build, _sound)
    second = load_or_build("t", "m1", "c1", build, _sound)
    assert build.calls == 1
    assert [p.name for p in store.iterdir()] == ["t-m1-c1.npz"]  # no temporary file left behind
    for name in ("a", "b"):
        assert second[name].dtype == first[name].dtype
        np.testing.assert_array_equal(second[name], first[name])


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # truncated
        lambda p: p.write_bytes(b""),  # empty
        lambda p: p.write_bytes(b"not a zip file at all"),
        lambda p: p.write_bytes(_npy(np.arange(3))),  # np.load would give an array, not an archive
        # one byte of the data flipped: zip's CRC-32 catches it
        lambda p: p.write_bytes(
            (raw := bytearray(p.read_bytes()))[:200] + bytes([raw[200] ^ 0xFF]) + raw[201:]
        ),
    ],
    ids=["truncated", "empty", "garbage", "npy-not-npz", "flipped-byte"],
)
def test_a_damaged_entry_is_rebuilt_and_rewritten(store: Path, damage) -> None:
    build = Builder()
    load_or_build("t", "m1", "c1", build, _sound)
    damage(store / "t-m1-c1.npz")
    again = load_or_build("t", "m1", "c1", build, _sound)
    assert build.calls == 2
    np.testing.assert_array_equal(again["a"], np.arange(5))
    load_or_build("t", "m1", "c1", build, _sound)
    assert build.calls == 2  # the rewritten entry is read


def test_arrays_the_check_rejects_are_rebuilt(store: Path) -> None:
    build = Builder()
    store.mkdir(parents=True)
    np.savez(store / "t-m1-c1.npz", a=np.arange(5, dtype=np.int32), b=np.zeros(3))  # wrong dtype
    assert load_or_build("t", "m1", "c1", build, _sound)["a"].dtype == np.int64
    assert build.calls == 1


def test_a_new_code_version_replaces_the_models_older_entries_only(store: Path) -> None:
    build = Builder()
    load_or_build("t", "m1", "c1", build, _sound)
    load_or_build("t", "m2", "c1", build, _sound)  # another model: kept
    load_or_build("t", "m1", "c2", build, _sound)
    assert sorted(p.name for p in store.iterdir()) == ["t-m1-c2.npz", "t-m2-c1.npz"]


def test_an_unwritable_cache_folder_only_costs_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("AIMM_CACHE_DIR", str(blocker))  # mkdir under a file fails
    build = Builder()
    assert set(load_or_build("t", "m1", "c1", build, _sound)) == {"a", "b"}
    assert set(load_or_build("t", "m1", "c1", build, _sound)) == {"a", "b"}
    assert build.calls == 2


def test_fingerprint_separates_parts_and_follows_the_source_of_modules() -> None:
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint(["x"]) == fingerprint([b"x"])
    assert fingerprint(["x"], [_store]) != fingerprint(["x"], [_ngram_np])
    assert len(fingerprint([])) == 24
    fake = types.ModuleType("aimm_nlp.text._frozen")  # no __file__, as in a frozen install
    assert fingerprint(["x"], [fake]) == fingerprint(["x"], [fake]) != fingerprint(["x"])


@needs_jit
def test_numba_is_available() -> None:
    assert _jit.available(), "numba does not import: it is a required dependency (AIMM_NO_JIT=1 skips this)"


@needs_jit
def test_search_arrays_read_back_give_the_arrays_and_spellings_of_a_fresh_build(
    store: Path, ranker: RuleRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"lm_weight": ranker.lm_weight, "vocab_bonus": ranker.vocab_bonus, "beam": ranker.beam}
    fresh = _jit.JitRanker(ranker.table, ranker.lm, ranker.vocab, **settings)
    stored = _jit.JitRanker(ranker.table, ranker.lm, ranker.vocab, **settings, cache_key="k")
    assert len(list(store.glob("search-*.npz"))) == 1

    def no_build(*args: object) -> None:
        raise AssertionError("the stored arrays should have been read")

    monkeypatch.setattr(_jit, "_build", no_build)
    read = _jit.JitRanker(ranker.table, ranker.lm, ranker.vocab, **settings, cache_key="k")
    for name in ("_ints", "_bits", "_tlp", "_tnext"):
        np.testing.assert_array_equal(getattr(read, name), getattr(fresh, name))
        np.testing.assert_array_equal(getattr(stored, name), getattr(fresh, name))
    words = [w.lower() for w in WORDS]
    assert read.best_many(words) == fresh.best_many(words)
    assert [read.best_many([w]) for w in words] == [fresh.best_many([w]) for w in words]
    # another beam is another entry, never the stored one
    monkeypatch.undo()
    monkeypatch.setenv("AIMM_CACHE_DIR", str(store.parent))
    _jit.JitRanker(ranker.table, ranker.lm, ranker.vocab, **{**settings, "beam": 3}, cache_key="k")
    assert len(list(store.glob("search-*.npz"))) == 2


@needs_jit
def test_search_arrays_out_of_range_are_rejected(store: Path, ranker: RuleRanker) -> None:
    settings = {"lm_weight": ranker.lm_weight, "vocab_bonus": ranker.vocab_bonus, "beam": ranker.beam}
    good = _jit.JitRanker(ranker.table, ranker.lm, ranker.vocab, **settings, cache_key="k")
    from aimm_nlp.text.translit import _jit_kernel as kernel

    arrays = {"ints": good._ints, "bits": good._bits, "tlp": good._tlp, "tnext": good._tnext}
    assert _jit._sound(kernel, arrays)
    bad_next = good._tnext.copy()
    bad_next[3, 4] = len(bad_next)  # a next state past the machine: the kernel would read out of bounds
    bad_offsets = good._ints.copy()
    bad_offsets[kernel.INT_PARTS] += 1  # the last part would run past the array
    for broken in (
        {**arrays, "tnext": bad_next},
        {**arrays, "ints": bad_offsets},
        {**arrays, "tlp": good._tlp[:-1]},
        {**arrays, "bits": good._bits.view(np.int64)},
        {k: v for k, v in arrays.items() if k != "tlp"},
    ):
        assert not _jit._sound(kernel, broken)


def test_foreign_tables_read_back_equal_a_fresh_build(store: Path, ranker: RuleRanker) -> None:
    models = (ranker.foreign.foreign_lm, ranker.foreign.arabizi_lm)
    fresh = HashedNgrams(*models)
    HashedNgrams(*models, cache_key="k")
    read = HashedNgrams(*models, cache_key="k")
    assert len(list(store.glob("foreign-k-*.npz"))) == 1
    assert len(read.tables) == len(fresh.tables) == fresh.order + 1
    for got, want in zip(read.tables, fresh.tables, strict=True):
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    words = [w.lower() for w in WORDS if w.strip()]
    np.testing.assert_array_equal(read.diff_totals(words), fresh.diff_totals(words))
    np.testing.assert_array_equal(read.score_words(words), fresh.score_words(words))


def test_foreign_tables_with_unsorted_hashes_are_rejected(ranker: RuleRanker) -> None:
    fresh = HashedNgrams(ranker.foreign.foreign_lm, ranker.foreign.arabizi_lm)
    arrays = {}
    for o, (h, lp, bw) in enumerate(fresh.tables):
        arrays[f"hashes{o}"], arrays[f"logp{o}"], arrays[f"bow{o}"] = h, lp, bw
    assert fresh._sound(arrays, 2)
    assert not fresh._sound({**arrays, "hashes3": arrays["hashes3"][::-1].copy()}, 2)
    assert not fresh._sound({**arrays, "logp2": arrays["logp2"][:1]}, 2)
    assert not fresh._sound({k: v for k, v in arrays.items() if k != "bow1"}, 2)


def _shipped_folder() -> Path:
    from importlib import resources

    return Path(str(resources.files("aimm_nlp.text").joinpath("models/translit_ary")))


def test_a_fresh_load_of_the_shipped_model_stores_its_keep_foreign_tables(store: Path) -> None:
    from aimm_nlp.text.translit._compact import decode
    from aimm_nlp.text.translit._folder import FOREIGN, read_data, read_folder

    sidecar, raw, data_file = read_folder(_shipped_folder())
    data = {**decode(raw, data_file), **decode(*read_data(_shipped_folder(), sidecar, FOREIGN))}
    model = RuleRanker(data, sidecar)
    model.foreign.prepare()
    assert [p.name.split("-")[:2] for p in store.iterdir()] == [["foreign", model.fingerprint]]
    again = RuleRanker(data, sidecar)  # reads them
    batch = [w.lower() for w in WORDS] * 4  # a batch large enough for the array path
    flags = again.foreign.foreign_flags(batch)
    assert flags == model.foreign.foreign_flags(batch) == [model.foreign.decide(w).foreign for w in batch]
    assert (
        flags[WORDS.index("réunion")] and flags[WORDS.index("document")] and not flags[WORDS.index("3lach")]
    )


def test_readers_never_see_a_half_written_entry(store: Path, tmp_path: Path) -> None:
    # Another process rewrites the entry over and over (two code versions, each write removing the
    # other's entry) while this one reads it: every read gives the whole arrays, or a rebuild.
    import subprocess
    import sys
    import time

    big = {"a": np.arange(400_000, dtype=np.int64), "b": np.linspace(0.0, 1.0, 300_000)}
    writer = (
        "import sys, time, numpy as np\n"
        "from aimm_nlp.text.translit._store import _write, store_dir\n"
        "big = {'a': np.arange(400_000, dtype=np.int64), 'b': np.linspace(0.0, 1.0, 300_000)}\n"
        "end = time.time() + 3\n"
        "while time.time() < end:\n"
        "    for code in ('c1', 'c2'):\n"
        "        _write(store_dir() / f't-m1-{code}.npz', big, stale='t-m1-*.npz')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", writer], env={**os.environ})
    builds, reads = [0], 0

    def build() -> dict[str, np.ndarray]:
        builds[0] += 1
        return big

    def check(arrays: dict[str, np.ndarray]) -> bool:
        return set(arrays) == {"a", "b"}

    try:
        deadline = time.time() + 2.5
        while time.time() < deadline:
            got = load_or_build("t", "m1", "c1", build, check)
            reads += 1
            np.testing.assert_array_equal(got["a"], big["a"])
            np.testing.assert_array_equal(got["b"], big["b"])
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert reads > builds[0] >= 0 and reads >= 5
    assert not [p.name for p in store.iterdir() if p.suffix == ".tmp"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("part", "name", "tables"),
    [
        ("ranker", "ranker.json.gz", ("char_lm",)),
        ("foreign", "foreign.json.gz", ("foreign_lm", "arabizi_lm")),
    ],
)
def test_the_shipped_model_data_is_stored_once_and_read_back_the_same(
    store: Path, part: str, name: str, tables: tuple[str, ...]
) -> None:
    from aimm_nlp.text.translit._compact import BLOB_SUFFIX, decode, rule_data
    from aimm_nlp.text.translit._folder import read_data, read_sidecar
    from aimm_nlp.text.translit._ngram import NgramTables, tables_from_json

    sidecar = read_sidecar(_shipped_folder())
    # a folder without the blobs (an older build, another rule ranker): its JSON decoded once, then the store
    sidecar = {**sidecar, "files": {k: v for k, v in sidecar["files"].items() if not k.endswith(BLOB_SUFFIX)}}
    raw, data_file = read_data(_shipped_folder(), sidecar, name)
    parsed = decode(raw, data_file)
    assert sorted(parsed) == sorted([*tables, *(["vocab"] if part == "ranker" else [])])
    first = rule_data(sidecar, raw, data_file, part=part)  # decoded, then stored
    assert [p.name.split("-")[0::2] for p in store.iterdir()] == [["model", part]]
    again = rule_data(sidecar, raw, data_file, part=part)  # read back
    assert sorted(again) == sorted(parsed) and all(isinstance(again[t], NgramTables) for t in tables)
    for got in (first, again):
        assert {w: float(v) for w, v in got.get("vocab", {}).items()} == {
            w: float(v) for w, v in parsed.get("vocab", {}).items()
        }
        for table in tables:
            want, have = tables_from_json(parsed[table]), got[table]
            have = have if isinstance(have, NgramTables) else tables_from_json(have)
            assert (have.order, have.floor) == (want.order, want.floor)
            assert have.logp == want.logp and have.bow == want.bow
            assert list(have.logp) == list(want.logp)  # same order: the same hash tables and searches
    entry = next(store.iterdir())
    for damaged in (entry.read_bytes()[:1000], entry.read_bytes()[:-1] + b"x", b"", b"PK\x03\x04"):
        entry.write_bytes(damaged)  # truncated, a changed byte, empty, another format: decoded again
        assert list(rule_data(sidecar, raw, data_file, part=part).get("vocab", {})) == list(
            parsed.get("vocab", {})
        )
        assert isinstance(rule_data(sidecar, raw, data_file, part=part)[tables[0]], NgramTables)  # rewritten


@pytest.mark.parametrize(("part", "name"), [("ranker", "ranker.json.gz"), ("foreign", "foreign.json.gz")])
def test_the_shipped_blobs_hold_the_json_data_and_need_no_store(store: Path, part: str, name: str) -> None:
    # a new environment reads the shipped blob: the very dicts of the JSON, in its order, nothing stored
    from aimm_nlp.text.translit._compact import decode, rule_data
    from aimm_nlp.text.translit._folder import read_data, read_sidecar
    from aimm_nlp.text.translit._ngram import NgramTables, tables_from_json

    sidecar = read_sidecar(_shipped_folder())
    assert f"{part}.blob.gz" in sidecar["files"]
    raw, data_file = read_data(_shipped_folder(), sidecar, name)
    parsed = decode(raw, data_file)
    got = rule_data(sidecar, raw, data_file, part=part)
    assert not store.exists() or not list(store.iterdir())
    assert sorted(got) == sorted(parsed)
    assert list(got.get("vocab", {}).items()) == list(parsed.get("vocab", {}).items())
    for table in (t for t in parsed if t != "vocab"):
        want, have = tables_from_json(parsed[table]), got[table]
        assert isinstance(have, NgramTables) and (have.order, have.floor) == (want.order, want.floor)
        assert list(have.logp.items()) == list(want.logp.items())
        assert list(have.bow.items()) == list(want.bow.items())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:-10], "SHA-256 does not match"),  # edited after the build
        (None, "not a model blob"),  # listed with its hash, but no blob inside
    ],
)
def test_a_damaged_shipped_blob_is_a_clear_error(tmp_path: Path, damage: object, message: str) -> None:
    import gzip
    import hashlib
    import json
    import shutil

    from aimm_nlp.errors import ModelError
    from aimm_nlp.text.translit._model import load_model

    folder = tmp_path / "translit_ary"
    shutil.copytree(_shipped_folder(), folder)
    blob = folder / "ranker.blob.gz"
    if callable(damage):
        blob.write_bytes(damage(blob.read_bytes()))
    else:  # a gzip of something else, its hash put in the sidecar
        blob.write_bytes(gzip.compress(b"not a blob", mtime=0))
        side = json.loads((folder / "model.json").read_text("utf-8"))
        side["files"]["ranker.blob.gz"] = hashlib.sha256(blob.read_bytes()).hexdigest()
        (folder / "model.json").write_text(json.dumps(side), encoding="utf-8")
    with pytest.raises(ModelError, match=message) as err:
        load_model(folder)
    assert "ranker.blob.gz" in str(err.value)


def test_a_new_environment_decodes_no_json(tmp_path: Path) -> None:
    # the shipped ranker from an empty cache folder: a default and a keep-foreign phonetic call, no JSON decode
    import subprocess
    import sys

    code = (
        "from aimm_nlp.text.translit import _compact\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('JSON decoded')\n"
        "_compact.decode = refuse\n"
        "from aimm_nlp.text.translit import Transliterator\n"
        "print(Transliterator(src='ary_Latn', dst='ary_Arab')('3lach la réunion'))\n"
        "print(Transliterator(src='ary_Latn', dst='ary_Arab', phonetic=True)('sift le document'))\n"
    )
    env = {**os.environ, "AIMM_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split("\n")[:2] == ["علاش la réunion", "سيفت le document"]
    assert not (tmp_path / "cache" / "translit").exists() or not [
        p for p in (tmp_path / "cache" / "translit").iterdir() if p.name.startswith("model-")
    ]
