"""`aimm translit train` / `eval`: a bad --delimiter or number, or plain options given before the
subcommand, is one message and exit code 2 before any work, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.text.translit import delimiter_for, read_pairs

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


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--order", "0", "2 to 6"),
        ("--order", "1", "2 to 6"),
        ("--order", "7", "2 to 6"),
        ("--order", str(10**20), "2 to 6"),
        ("--iterations", "-1", "1 to 20"),
        ("--iterations", "21", "1 to 20"),
        ("--beam", "0", "1 to 512"),
        ("--beam", "513", "1 to 512"),
    ],
)
def test_train_numbers_must_be_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, allowed: str
) -> None:
    assert main([*pairs_args(tmp_path, "train"), option, value]) == 2
    assert f"{option} must be {allowed}, got {value}" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_train_number_errors_are_listed_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*pairs_args(tmp_path, "train"), "--order", "9", "--iterations", "0", "--beam", "999"]) == 2
    err = capsys.readouterr().err
    assert "--order must be 2 to 6" in err and "--iterations must be 1 to 20" in err
    assert "--beam must be 1 to 512" in err


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


# Issue 17: rows with an empty src or dst field were trained on / scored (an empty reference).
@pytest.mark.parametrize(
    ("content", "lines"),
    [
        ("latin\tarabic\n3lach\t\nwakha\tواخا\n", ["p.tsv:2: 'arabic' is empty"]),
        ("latin\tarabic\n\tعلاش\n", ["p.tsv:2: 'latin' is empty"]),
        ("latin\tarabic\tsource\n \t\u3000\tdoda\n", ["p.tsv:2: 'latin' and 'arabic' are empty"]),
        ("id\tlatin\tarabic\n1\t3lach\t\n2\t\tبزاف\n3\tsafi\tصافي\n", ["p.tsv:2: 'arabic' is empty", "p.tsv:3: 'latin' is empty"]),
        ("latin\tarabic\n" + "3lach\t\n" * 9, [f"p.tsv:{n}: 'arabic' is empty" for n in range(2, 7)] + ["... and 4 more"]),
    ],
)  # fmt: skip
def test_read_pairs_refuses_empty_fields_naming_file_line_and_column(
    tmp_path: Path, content: str, lines: list[str]
) -> None:
    path = tmp_path / "p.tsv"
    path.write_text(content, "utf-8")
    with pytest.raises(DataError) as err:
        list(read_pairs(path, src_col="latin", dst_col="arabic"))
    msg = str(err.value)
    assert "with an empty 'latin' or 'arabic' field; fill them in or delete those rows" in msg
    for line in lines:
        assert line in msg


@pytest.mark.parametrize("sub", ["train", "eval"])
def test_empty_fields_stop_train_and_eval_before_any_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sub: str
) -> None:
    args = pairs_args(tmp_path, sub)
    (tmp_path / "p.tsv").write_text("latin\tarabic\n3lach\tعلاش\nwakha\t\n", "utf-8")
    assert main(args) == 2
    assert "p.tsv:3: 'arabic' is empty" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("sub", ["train", "eval"])
def test_a_byte_order_mark_before_the_header_is_not_part_of_the_first_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sub: str
) -> None:
    args = pairs_args(tmp_path, sub)
    (tmp_path / "p.tsv").write_bytes(b"\xef\xbb\xbf" + PAIRS.encode())  # as Excel and Notepad save it
    assert main(args) == 0, capsys.readouterr().err
    assert (tmp_path / "m").exists()
    assert [p.src for p in read_pairs(tmp_path / "p.tsv", src_col="latin", dst_col="arabic")] == [
        "3lach",
        "wakha",
    ]
