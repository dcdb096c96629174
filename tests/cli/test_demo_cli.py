"""`aimm demo` (the CLI) refuses bad options and foreign --out folders before any work: exit 2, a message,
nothing written.

These tests never run the demo: its first step is replaced by one that records it was reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.cli import main
from demo_support import earlier_demo, no_heavy_work, snapshot


@pytest.fixture(autouse=True)
def _no_heavy_work(monkeypatch: pytest.MonkeyPatch) -> None:
    no_heavy_work(monkeypatch)


def demo(out: Path, *options: str) -> int:
    return main(["demo", "--out", str(out), "--no-progress", *options])


def test_a_user_folder_is_refused_untouched(tmp_path: Path, capsys) -> None:
    proj = tmp_path / "myproj"
    (proj / "tokenizer").mkdir(parents=True)
    (proj / "tokenizer" / "NOTES.md").write_text("# ملاحظات\nⴰⵣⵓⵍ\n", encoding="utf-8")
    (proj / "corpus").mkdir()
    (proj / "corpus" / "tweets.txt").write_text("salam labas 3lik\n", encoding="utf-8")
    before = snapshot(proj)
    assert demo(proj) == 2
    err = capsys.readouterr().err
    assert f"--out {proj}" in err and "not a folder an earlier `aimm demo` wrote" in err
    assert "Traceback" not in err
    assert snapshot(proj) == before


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("tokenizer/NOTES.md", "aimm did not write (NOTES.md)"),
        ("corpus/notes.txt", "aimm did not write (notes.txt)"),
        ("runs/ary_sentiment_tiny/analysis.ipynb", "aimm did not write (analysis.ipynb)"),
    ],
)
def test_user_files_inside_an_earlier_demo_are_refused(
    tmp_path: Path, capsys, where: str, needle: str
) -> None:
    out = earlier_demo(tmp_path / "aimm_demo")
    (out / where).write_text("ⵜⴰⵎⴰⵣⵉⵖⵜ\n", encoding="utf-8")
    before = snapshot(out)
    assert demo(out) == 2
    err = capsys.readouterr().err
    assert needle in err and str(out / where.split("/")[0]) in err
    assert snapshot(out) == before


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_bad_seed_exits_2_before_any_work(tmp_path: Path, capsys, seed: str) -> None:
    out = tmp_path / "aimm_demo"
    assert demo(out, "--seed", seed) == 2
    err = capsys.readouterr().err
    assert f"--seed: must be an integer from 0 to 4294967295, got {seed}" in err and "Traceback" not in err
    assert not out.exists()


def test_out_is_a_file_or_below_a_file(tmp_path: Path, capsys) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapitre 1\n", encoding="utf-8")
    assert demo(thesis) == 2
    assert f"--out {thesis}: is a file" in capsys.readouterr().err
    assert demo(thesis / "demo") == 2
    assert f"{thesis} is a file" in capsys.readouterr().err
    assert thesis.read_text(encoding="utf-8") == "chapitre 1\n"


def test_data_folder_without_the_public_sets_is_refused(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    out = tmp_path / "aimm_demo"
    assert demo(out, "--data", str(data)) == 2
    assert "afrisenti_ma" in capsys.readouterr().err
    assert not out.exists()
