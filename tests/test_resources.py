"""aimm_nlp.resources: the shipped data, found the same way in a checkout and in an installed wheel."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from aimm_nlp import _paths, resources
from aimm_nlp.errors import UnknownNameError

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "rel"),
    [
        ("morocco_mini/sentiment.tsv", "morocco_mini/sentiment.tsv"),
        ("morocco_mini", "morocco_mini"),
        ("morocco_mini/text", "morocco_mini/text"),
        ("morocco_mini/text/zgh_Tfng.txt", "morocco_mini/text/zgh_Tfng.txt"),
        ("samples/darija_mixed.txt", "samples/darija_mixed.txt"),
        ("samples\\darija_mixed.txt", "samples/darija_mixed.txt"),  # a Windows-style separator
        ("morocco_mini/", "morocco_mini"),
    ],
)
def test_path_in_a_checkout(name: str, rel: str) -> None:
    got = resources.path(name)
    assert got == (REPO / "data" / rel).resolve() and got.exists() and got.is_absolute()


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("", "no shipped resource ''"),
        ("README.md", "names start with one of morocco_mini/, samples/"),  # data/README.md is not shipped
        ("/etc/passwd", "no shipped resource '/etc/passwd'"),
        ("../pyproject.toml", "no shipped resource"),
        ("morocco_mini/../../pyproject.toml", "no shipped resource"),
        ("morocco_mini/sentiment.csv", "did you mean 'morocco_mini/sentiment.tsv'?"),
        ("morocco_mini/text/ary_arab.txt", "did you mean 'morocco_mini/text/ary_Arab.txt'?"),
        ("ⵎⵓⵔⵓⴽ/😂", "list_resources() lists every file"),
    ],
)
def test_bad_names_are_named_with_the_fix(name: str, needle: str) -> None:
    with pytest.raises(UnknownNameError) as err:
        resources.path(name)
    assert needle in str(err.value)
    assert isinstance(err.value, KeyError)


def test_list_resources_is_every_shipped_file() -> None:
    names = resources.list_resources()
    expected = sorted(
        p.relative_to(REPO / "data").as_posix()
        for top in ("morocco_mini", "samples")
        for p in (REPO / "data" / top).rglob("*")
        if p.is_file()
    )
    assert names == expected and "morocco_mini/text/ary_Arab.txt" in names
    assert all(resources.path(n).is_file() for n in names)


def test_wheel_ships_exactly_the_listed_folders() -> None:
    """pyproject's force-include and resources.SHIPPED name the same folders, at aimm_nlp/data/<name>."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")  # (no tomllib on Python 3.10)
    section = text.split("[tool.hatch.build.targets.wheel.force-include]\n")[1].split("\n\n")[0]
    include = dict(re.findall(r'^"([^"]+)" = "([^"]+)"$', section, flags=re.M))
    assert include == {f"data/{top}": f"aimm_nlp/data/{top}" for top in resources.SHIPPED}


def test_installed_layout_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a wheel the data is package data: aimm_nlp/data/ (no repository around it)."""
    package = tmp_path / "site-packages" / "aimm_nlp"
    for top in resources.SHIPPED:
        shutil.copytree(REPO / "data" / top, package / "data" / top)
    monkeypatch.setattr(_paths, "_PACKAGE", package)
    assert resources.path("morocco_mini/sentiment.tsv") == package / "data" / "morocco_mini" / "sentiment.tsv"
    assert _paths.mini_root() == package / "data" / "morocco_mini"
    assert "samples/darija_mixed.txt" in resources.list_resources()


def test_shared_root_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AIMM_SHARED", "rel/shared")
    assert resources.shared_root() == tmp_path / "rel" / "shared"
    monkeypatch.delenv("AIMM_SHARED")
    assert resources.shared_root() == (REPO.parent / "shared").resolve()
