"""`aimm corpus build` / save_corpus never delete what they did not write, and check the output first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from datasets import Dataset

from aimm_nlp.cli import main
from aimm_nlp.corpus import load_corpus, save_corpus
from aimm_nlp.errors import ConfigError


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (and ``root`` itself) with its bytes (None for a folder)."""
    paths = [root, *root.rglob("*")] if root.is_dir() else [root]
    return {str(p.relative_to(root.parent)): None if p.is_dir() else p.read_bytes() for p in paths}


def user_project(path: Path) -> Path:
    (path / "src").mkdir(parents=True)
    (path / "src" / "main.py").write_text("print('salam')\n", encoding="utf-8")
    (path / "notes.txt").write_text("ملاحظات ديالي: ⴰⵣⵓⵍ\n", encoding="utf-8")
    return path


def tiny() -> Dataset:
    return Dataset.from_dict(
        {
            "text": ["واش نتا مزيان؟", "salam labas 3lik"],
            "lang": ["ary_Arab", "ary_Latn"],
            "source": ["s"] * 2,
        }
    )


def write_config(tmp_path: Path, out: Path, **output) -> Path:
    source = tmp_path / "docs.txt"
    source.write_text("salam labas 3lik khouya\nwakha a sahbi, ghadi nji\n", encoding="utf-8")
    cfg = {
        "sources": [{"path": str(source), "lang": "ary_Latn"}],
        "clean": {"min_chars": 2},
        "output": {"dir": str(out), **output},
        "progress": False,
    }
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading or cleaning fails the test: a refused output must be refused before them."""

    def boom(*args, **kwargs):
        raise AssertionError("the output folder must be checked before loading or cleaning")

    monkeypatch.setattr("aimm_nlp.corpus.load.load_corpus", boom)
    monkeypatch.setattr("aimm_nlp.corpus.cleaning.clean", boom)


def test_cli_refuses_a_user_folder_up_front(tmp_path: Path, capsys, no_work) -> None:
    project = user_project(tmp_path / "myproject")
    before = snapshot(project)
    config = write_config(tmp_path, project)
    assert main(["corpus", "build", str(config), "output.overwrite=true"]) == 2
    err = capsys.readouterr().err
    assert str(project) in err and "not an aimm corpus" in err and "notes.txt" in err
    assert snapshot(project) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".myproject")]


def test_cli_refuses_a_file_as_output(tmp_path: Path, capsys, no_work) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapitre 1: الدارجة المغربية\n", encoding="utf-8")
    config = write_config(tmp_path, thesis, overwrite=True)
    assert main(["corpus", "build", str(config)]) == 2
    assert f"{thesis}: is a file" in capsys.readouterr().err
    assert thesis.read_text(encoding="utf-8") == "chapitre 1: الدارجة المغربية\n"


def test_existing_output_without_overwrite_is_refused_before_loading(tmp_path: Path, capsys, no_work) -> None:
    save_corpus(tiny(), tmp_path / "out", progress=False)  # an earlier corpus (an empty folder is just used)
    before = snapshot(tmp_path / "out")
    assert main(["corpus", "build", str(write_config(tmp_path, tmp_path / "out"))]) == 2
    assert "output.overwrite=true" in capsys.readouterr().err
    assert snapshot(tmp_path / "out") == before


def test_distributed_output_below_a_file_is_refused(tmp_path: Path, capsys, no_work) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("x\n", encoding="utf-8")
    config = write_config(tmp_path, thesis, overwrite=True)
    assert main(["corpus", "build", str(config), "distributed=true"]) == 2
    assert f"{thesis} is a file, not a folder" in capsys.readouterr().err
    assert thesis.read_text(encoding="utf-8") == "x\n"


def test_cli_replaces_an_earlier_corpus_and_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    config = write_config(tmp_path, out, describe=True)
    assert main(["corpus", "build", str(config), "output.overwrite=true"]) == 0  # empty folder
    assert (out / "stats" / "stats.json").is_file()
    (out / "data-00000-of-00001.parquet").unlink()  # the next build must really rewrite it
    assert main(["corpus", "build", str(config), "output.overwrite=true"]) == 0  # earlier corpus + stats/
    assert load_corpus(out).num_rows == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@pytest.mark.parametrize("extra", ["notes.txt", "stats/my_plot.svg"])
def test_an_earlier_corpus_with_user_files_is_not_replaced(tmp_path: Path, extra: str) -> None:
    out = tmp_path / "out"
    save_corpus(tiny(), out, progress=False)
    (out / extra).parent.mkdir(exist_ok=True)
    (out / extra).write_text("ⵜⴰⵎⴰⵣⵉⵖⵜ\n", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(ConfigError, match=f"aimm did not write \\({extra}\\)"):
        save_corpus(tiny(), out, overwrite=True, progress=False)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "manifest",
    ['{"format_version": 1, "shards": []}', "not json", '["versions"]', '{"versions": {"aimm_nlp": "1"}}'],
)
def test_a_manifest_json_not_written_by_aimm_is_not_enough(tmp_path: Path, manifest: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(ConfigError, match="not an aimm corpus"):
        save_corpus(tiny(), out, overwrite=True, progress=False)
    assert snapshot(out) == before


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_saved_folder_follows_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        saved = save_corpus(tiny(), tmp_path / "out", progress=False)
    finally:
        os.umask(old)
    assert saved.path.stat().st_mode & 0o777 == 0o777 & ~umask
