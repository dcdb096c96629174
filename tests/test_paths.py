"""One answer to "where is ../shared", whatever the current directory (corpus and evaluation agree)."""

from pathlib import Path

import pytest

from aimm_nlp._paths import mini_root, shared_root
from aimm_nlp.corpus.catalog import data_roots
from aimm_nlp.evaluation.task import shared_root as eval_shared_root

REPO = Path(__file__).resolve().parents[1]


def test_default_is_beside_the_checkout_from_any_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIMM_SHARED", raising=False)
    monkeypatch.delenv("AIMM_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert shared_root() == REPO.parent / "shared"
    assert eval_shared_root() == shared_root()
    assert data_roots() == [REPO.parent / "shared" / "data", REPO.parent / "shared" / "corpora"]


def test_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMM_SHARED", str(tmp_path))
    assert shared_root() == tmp_path
    assert data_roots()[-2:] == [tmp_path / "data", tmp_path / "corpora"]


def test_mini_data_is_found() -> None:
    assert (mini_root() / "sentiment.tsv").is_file()
