"""`aimm corpus build|describe` end to end (the config schema is tested in tests/corpus/test_corpus_config.py)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import yaml

from aimm_nlp.cli import main


def write_config(tmp_path: Path, source: Path, **extra) -> Path:
    cfg = {
        "sources": [{"path": str(source), "lang": "ary_Latn"}],
        "clean": {"min_chars": 2, "dedup": "near"},
        "output": {"dir": str(tmp_path / "out")},
        "progress": False,
        **extra,
    }
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def test_build_then_describe(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, files["txt"])
    assert main(["corpus", "build", str(config), "clean.quality=null", "output.describe=true"]) == 0
    out = capsys.readouterr().out
    assert "| length | 2 |" in out and "wrote 8 documents in 1 shard(s)" in out
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["config"]["clean"]["quality"] is None
    assert manifest["licenses"][0]["license"].startswith("unknown")
    assert (tmp_path / "out" / "stats" / "length_hist.png").is_file()
    assert (
        main(["corpus", "describe", str(tmp_path / "out"), "--out", str(tmp_path / "desc"), "--no-plots"])
        == 0
    )
    assert json.loads((tmp_path / "desc" / "stats.json").read_text())["n_docs"] == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "salam"}\n{"text": oops}\n', "bad.jsonl:2: invalid JSON"),
        ('{"id": 1, "message": "salam"}\n', "no text column; columns found: id, message"),
        (b'{"text": "salam"}\n{"text": "\xff\xfe"}\n', "bad.jsonl:2: invalid UTF-8 at byte offset 28"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["corpus", "build", str(write_config(tmp_path, bad))]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_skip_counts_malformed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "salam labas"}\n{"text": oops}\n{"text": "wakha a sahbi"}\n', encoding="utf-8")
    assert main(["corpus", "build", str(write_config(tmp_path, bad)), "on_error=skip"]) == 0
    assert "| malformed | 1 |" in capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "manifest.json").read_text())["clean_report"]
    assert report["steps"][0]["examples"][0].endswith(
        "bad.jsonl:2: invalid JSON (Expecting value at column 10)"
    )


def test_empty_result_and_bad_config_exit_2(tmp_path: Path, files: dict[str, Path], capsys) -> None:
    config = write_config(tmp_path, files["txt"])
    assert main(["corpus", "build", str(config), "clean.langs=[zgh_Tfng]"]) == 2
    assert "step 'lang' removed the last" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["corpus", "build", str(config), "clean.dedupe=near", "output.shard_rows=many"]) == 2
    err = capsys.readouterr().err
    assert (
        "unknown key 'clean.dedupe' (did you mean 'dedup'?)" in err
        and "output.shard_rows: expected int" in err
    )
    assert main(["corpus", "build", str(tmp_path / "missing.yaml")]) == 2


@pytest.mark.slow
def test_shipped_config_builds_from_shared(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMM_DATA", str(shared / "data"))
    config = Path(str(resources.files("aimm_nlp.configs").joinpath("corpus/ary_darija.yaml")))
    assert main(["corpus", "build", str(config), f"output.dir={tmp_path / 'ary'}", "progress=false"]) == 0
    manifest = json.loads((tmp_path / "ary" / "manifest.json").read_text())
    assert set(manifest["counts"]["by_lang"]) == {"ary_Arab", "ary_Latn"}
    assert manifest["counts"]["rows"] > 100_000


def test_ls_corpora_shows_licenses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", "corpora"]) == 0
    out = capsys.readouterr().out
    assert "doda" in out and "CC BY-NC 4.0" in out and "[non-commercial]" in out
    assert "flores200" in out and "[evaluation only]" in out


def test_transliterate_arabizi_adds_arabic_column(tmp_path: Path) -> None:
    """An unlabelled file: rows are identified, Arabizi rows get their Arabic-script spelling, others None."""
    from aimm_nlp.text import transliterate
    from aimm_nlp.text.scripts import dominant_script

    lines = [
        "salam labas 3lik a khoya, kolchi mzyan?",
        "wach nta ghadi l dar lyoum wla ghda?",
        "واش نتا مزيان؟ الله يعطيك الصحة",
        "Le film était vraiment magnifique hier soir.",
    ]
    source = tmp_path / "mixed.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = write_config(tmp_path, source, sources=[{"path": str(source)}])
    assert (
        main(["corpus", "build", str(config), "clean.transliterate_arabizi=true", "output.describe=false"])
        == 0
    )
    import pyarrow.parquet as pq

    table = pq.read_table(next((tmp_path / "out").glob("*.parquet"))).to_pylist()
    got = {row["text"]: (row["lang"], row["text_ary_Arab"]) for row in table}
    assert [got[t][0] for t in lines] == ["ary_Latn", "ary_Latn", "ary_Arab", "fra_Latn"]
    for text in lines[:2]:
        arabic = got[text][1]
        assert (
            arabic == transliterate(text, src="ary_Latn", dst="ary_Arab")
            and dominant_script(arabic) == "Arab"
        )
    assert got[lines[2]][1] is None and got[lines[3]][1] is None
