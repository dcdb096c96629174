"""`aimm translit train` / `eval`: a bad --delimiter or number, or plain options given before the
subcommand, is one message and exit code 2 before any work, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError
from aimm_nlp.text._translit_pairs import delimiter_for, read_pairs

PAIRS = "latin\tarabic\n3lach\tعلاش\nwakha\tواخا\n"


def pairs_args(tmp_path: Path, sub: str) -> list[str]:
    (tmp_path / "p.tsv").write_text(PAIRS, "utf-8")
    out = ["--out", str(tmp_path / "m")] if sub == "train" else ["-o", str(tmp_path / "m")]
    return [
        "translit",
        sub,
        "--pairs",
        str(tmp_path / "p.tsv"),
        "--src-col",
        "latin",
        "--dst-col",
        "arabic",
        *out,
    ]


@pytest.mark.parametrize("sub", ["train", "eval"])
@pytest.mark.parametrize("delimiter", [";;", "", '"', "\n"])
def test_bad_delimiter(tmp_path: Path, capsys: pytest.CaptureFixture[str], sub: str, delimiter: str) -> None:
    assert main([*pairs_args(tmp_path, sub), "--delimiter", delimiter]) == 2
    err = capsys.readouterr().err
    assert f"--delimiter {delimiter!r}: must be one character" in err, err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(("option", "value"), [("--order", "0"), ("--iterations", "-1"), ("--beam", "0")])
def test_train_numbers_must_be_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    assert main([*pairs_args(tmp_path, "train"), option, value]) == 2
    assert f"{option} must be 1 or more, got {value}" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("sub", ["train", "eval"])
@pytest.mark.parametrize(
    ("before", "named"),
    [
        (["--src", "arb_Arab"], "--src"),
        (["--model", "x", "--phonetic"], "--model, --phonetic"),
        (["-o", "o"], "--output"),
    ],
)
def test_plain_options_before_the_subcommand_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sub: str, before: list[str], named: str
) -> None:
    args = pairs_args(tmp_path, sub)
    assert main([args[0], *before, *args[1:]]) == 2
    assert f"{named} before `{sub}`: options go after it" in capsys.readouterr().err
    assert not (tmp_path / "m").exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("given", "expected"), [(None, "\t"), ("tab", "\t"), ("\\t", "\t"), (";", ";"), (" ", " ")]
)
def test_delimiter_for_accepts_one_character(given: str | None, expected: str) -> None:
    assert delimiter_for(Path("p.tsv"), given) == expected
    assert delimiter_for(Path("p.CSV"), None) == ","


def test_read_pairs_refuses_a_long_delimiter_and_reads_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("latin;arabic\n3lach;علاش\n", "utf-8")
    with pytest.raises(ConfigError, match="must be one character"):
        list(read_pairs(path, src_col="latin", dst_col="arabic", delimiter=";;"))
    assert [(p.src, p.dst) for p in read_pairs(path, src_col="latin", dst_col="arabic", delimiter=";")] == [
        ("3lach", "علاش")
    ]
