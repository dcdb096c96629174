"""save_corpus: parquet shards + manifest, atomic, never half-written; shard_for_rank."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from datasets import Dataset, IterableDataset

from aimm_nlp.corpus import clean, load_corpus, save_corpus, shard_for_rank
from aimm_nlp.errors import ConfigError, DataError


def test_shards_manifest_and_checksums(tmp_path: Path, files: dict[str, Path]) -> None:
    ds, report = clean(load_corpus(files["jsonl"], streaming=True), min_chars=2)
    saved = save_corpus(
        ds,
        tmp_path / "out",
        report=report,
        inputs=[files["jsonl"]],
        shard_rows=3,
        config={"x": 1},
        progress=False,
    )
    assert saved.rows == 7 and saved.shards == tuple(f"data-0000{i}-of-00003.parquet" for i in range(3))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    digest = hashlib.sha256(files["jsonl"].read_bytes()).hexdigest()
    assert manifest["inputs"][0]["sha256"] == digest
    assert manifest["config"] == {"x": 1} and manifest["counts"]["rows"] == 7
    assert manifest["clean_report"]["complete"] is True
    assert manifest["clean_report"]["n_output"] == 7
    assert load_corpus(tmp_path / "out").num_rows == 7
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left


def failing_rows():
    yield {"text": "salam labas", "lang": "ary_Latn", "source": "x"}
    raise RuntimeError("disk full")


def test_no_half_written_output(tmp_path: Path) -> None:
    ds = IterableDataset.from_generator(failing_rows)
    with pytest.raises(RuntimeError, match="disk full"):
        save_corpus(ds, tmp_path / "out", shard_rows=1, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_overwrite_and_empty_corpus_is_refused(tmp_path: Path) -> None:
    ds = Dataset.from_dict({"text": ["واش نتا مزيان؟"], "lang": ["ary_Arab"], "source": ["s"]})
    save_corpus(ds, tmp_path / "out", progress=False)
    with pytest.raises(ConfigError, match="already exists"):
        save_corpus(ds, tmp_path / "out", progress=False)
    twice = Dataset.from_dict({"text": ["salam", "labas"], "lang": ["ary_Latn"] * 2, "source": ["s"] * 2})
    save_corpus(twice, tmp_path / "out", overwrite=True, progress=False)
    assert load_corpus(tmp_path / "out").num_rows == 2
    lazy, report = clean(IterableDataset.from_generator(_latn_rows), langs=["zgh_Tfng"])
    with pytest.raises(DataError, match="step 'lang' removed the last 2"):
        save_corpus(lazy, tmp_path / "empty", report=report, progress=False)
    assert not (tmp_path / "empty").exists()
    assert load_corpus(tmp_path / "out").num_rows == 2


def _latn_rows():
    yield from ({"text": t, "lang": "ary_Latn", "source": "s"} for t in ("salam", "labas 3lik"))


@pytest.mark.parametrize("streaming", [False, True])
def test_shard_for_rank_is_disjoint_and_complete(tmp_path: Path, streaming: bool) -> None:
    paths = []
    for i in range(4):
        paths.append(tmp_path / f"part{i}.txt")
        paths[-1].write_text("".join(f"jomla {i}-{j} mn darija\n" for j in range(5)), encoding="utf-8")
    ds = load_corpus(str(tmp_path / "part*.txt"), streaming=streaming)
    seen = [[r["text"] for r in shard_for_rank(ds, rank=r, world_size=2)] for r in range(2)]
    assert not set(seen[0]) & set(seen[1])
    assert sorted(seen[0] + seen[1]) == sorted(r["text"] for r in ds)
    assert len(seen[0]) == len(seen[1]) == 10


def test_shard_for_rank_reads_torchrun_env(monkeypatch: pytest.MonkeyPatch) -> None:
    ds = Dataset.from_dict({"text": ["a", "b", "c"], "lang": [None] * 3})
    monkeypatch.setenv("RANK", "2")
    monkeypatch.setenv("WORLD_SIZE", "3")
    assert list(shard_for_rank(ds)["text"]) == ["c"]
    monkeypatch.setenv("RANK", "3")
    with pytest.raises(ConfigError, match="0 <= rank < world_size"):
        shard_for_rank(ds)
