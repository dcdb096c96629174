"""``aimm cp``: where the copied config lands."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.cli import main


@pytest.mark.parametrize(
    ("dest", "written"),
    [
        (None, "ary_sentiment.yaml"),
        ("my.yaml", "my.yaml"),
        ("configs/", "configs/ary_sentiment.yaml"),  # a trailing slash: a folder, made if missing
        ("a/b/", "a/b/ary_sentiment.yaml"),
        ("existing", "existing/ary_sentiment.yaml"),  # an existing folder
    ],
)
def test_cp_writes_a_file_or_into_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dest, written
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    assert main(["cp", "ary_sentiment", *([dest] if dest else [])]) == 0
    text = (tmp_path / written).read_text(encoding="utf-8")
    assert "task: sequence_classification" in text
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert made == [written]


def test_cp_keeps_an_existing_file_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "cfg.yaml"
    dest.write_text("precious\n", encoding="utf-8")
    assert main(["cp", "ary_sentiment", str(dest)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert dest.read_text(encoding="utf-8") == "precious\n"
    assert main(["cp", "ary_sentiment", str(dest), "--force"]) == 0
    assert dest.read_text(encoding="utf-8") != "precious\n"
