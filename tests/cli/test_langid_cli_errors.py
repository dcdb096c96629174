"""`aimm langid` with several files, and every bad `aimm langid train` option or data file: one message
naming the option (all of them at once) or the file and line, exit code 2, no model folder written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.errors import DataError
from aimm_nlp.text.langid import check_train_options as check_options
from aimm_nlp.text.langid import read_table

ROWS = [
    ("wach nta mzyan", "ary_Latn"),
    ("ana ghadi l dar", "ary_Latn"),
    ("je suis fatigué", "fra_Latn"),
    ("merci beaucoup", "fra_Latn"),
]
GOOD = "text\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab in ROWS)


def train(tmp_path: Path, *options: str, data: str = "d.tsv") -> list[str]:
    return ["langid", "train", "--data", str(tmp_path / data), "--text-col", "text", "--label-col", "label",
            "--out", str(tmp_path / "model"), *options]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--bits", "-1"], "--bits must be 8 to 24 (2**bits hash buckets), got -1"),
        (["--bits", "0"], "--bits must be 8 to 24"),
        (["--bits", "40"], "--bits must be 8 to 24"),
        (["--C", "0"], "--C must be greater than 0, got 0.0"),
        (["--C", "-1"], "--C must be greater than 0, got -1.0"),
        (["--C", "nan"], "--C must be a finite number, got nan"),
        (["--C", "inf"], "--C must be a finite number, got inf"),
        (["--max-iter", "-5"], "--max-iter must be 1 or more, got -5"),
        (["--max-iter", "0"], "--max-iter must be 1 or more, got 0"),
        (["--chunks", "-1"], "--chunks must be 0 or more, got -1"),
        (["--bias-shift", "spa_Latn=nan"], "bias shifts must be finite numbers"),
        (["--source-col", "src", "--source-weight", "web=-2"], "source weights must be 0 or more"),
    ],
)
def test_bad_option_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    (tmp_path / "d.tsv").write_text(GOOD, "utf-8")
    assert main(train(tmp_path, *options)) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was written" in err, err
    assert not (tmp_path / "model").exists()


def test_every_bad_option_is_listed_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "blocker").write_text("x", "utf-8")
    argv = ["langid", "train", "--data", str(tmp_path / "none.tsv"), "--text-col", "text", "--label-col", "label",
            "--out", str(tmp_path / "blocker"), "--bits", "0", "--C", "nan", "--max-iter", "0",
            "--bias-shift", "x"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    for needle in ("--bits", "--C", "--max-iter", "--bias-shift wants LABEL=DELTA", "none.tsv: no such file",
                   "--out: ", "blocker is a file, not a folder"):  # fmt: skip
        assert needle in err, (needle, err)
    assert err.count("\n  - ") == 6


def test_options_before_train_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.tsv").write_text(GOOD, "utf-8")
    assert main(["langid", "--format", "jsonl", *train(tmp_path)[1:]]) == 2
    assert "--format before `train`: options go after it" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.tsv", b"text\tlabel\nsalam\tary_Latn\nok\xff\tfra_Latn\n", "d.tsv:3: invalid UTF-8 at byte offset 28"),
        ("d.jsonl", b'{"text": "salam", "label": "ary_Latn"}\n{"text": "x", \n',
         "d.jsonl:2: invalid JSON (Expecting property name enclosed in double quotes, column 15)"),
        ("d.jsonl", b'["salam", "ary_Latn"]\n', "d.jsonl:1: expected a JSON object such as"),
        ("d.jsonl", b'{"text": "salam", "label": null}\n', "d.jsonl:1: 'label' must be a string, got null"),
        ("d.jsonl", b'{"text": "salam"}\n', "d.jsonl:1: column 'label' not found"),
        ("d.jsonl", b"\n\n", "d.jsonl: empty file; expected one JSON object per line"),
        ("d.tsv", b"", "d.tsv:1: empty file; expected a header row naming the columns 'text', 'label'"),
        ("d.csv", b"", "d.csv:1: empty file"),
        ("d.tsv", b"\ntext\tlabel\n", "d.tsv:1: line 1 is blank"),
        ("d.tsv", b"text\tlabel\n", "d.tsv: the header is there but no data rows follow"),
        ("d.tsv", b"text,label\nsalam,ary_Latn\n",
         "columns are: text,label; wrong delimiter? the header looks comma-separated: rename d.tsv to end in .csv"),
        ("d.csv", b"text\tlabel\nsalam\tary_Latn\n", "the header looks tab-separated: rename d.csv to end in .tsv"),
        ("d.tsv", b"text;label\nsalam;ary_Latn\n", "the header looks ';'-separated"),
        ("d.tsv", b"text\tlabel\nsalam\tary_Latn\nlabas\t \n", "d.tsv:3: empty label in column 'label'"),
        ("d.tsv", b"text\tlabel\nsalam\tary_Latn\nlabas\n", "d.tsv:3: expected 2 fields separated by '\\t', got 1"),
        ("d.tsv", b"text\tlabel\nsalam\tary_Latn\tx\n", "d.tsv:2: expected 2 fields"),
        ("d.tsv", b"text\tlabel\nsa\x00lam\tary_Latn\n", "d.tsv:2: NUL byte"),
    ],
)  # fmt: skip
def test_bad_training_files_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    assert main(train(tmp_path, data=name)) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err and not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("folder", "--data {d}: is a folder; pass a TSV, CSV or JSONL file"),
        (None, "--data {d}: no such file"),
    ],
)
def test_data_path_that_is_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str | None, message: str
) -> None:
    if setup:
        (tmp_path / "d.tsv").mkdir()
    assert main(train(tmp_path)) == 2
    assert message.format(d=tmp_path / "d.tsv") in capsys.readouterr().err


def test_read_table_csv_keeps_quoted_line_breaks_and_row_start_lines(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text('text,label\n"salam,\nlabas",ary_Latn\n\nbonjour,fra_Latn\n', "utf-8")
    assert read_table(data, text_col="text", label_col="label") == (
        ["salam,\nlabas", "bonjour"],
        ["ary_Latn", "fra_Latn"],
        ["data", "data"],
    )
    data.write_text('text,label\n"salam,\nlabas",ary_Latn\nbonjour,\n', "utf-8")
    with pytest.raises(DataError, match=r"d\.csv:4: empty label"):
        read_table(data, text_col="text", label_col="label")


def test_check_options_lists_every_problem_for_library_callers() -> None:
    problems = check_options({"bits": 7, "C": 0.0, "max_iter": 1.5, "morph": -1, "orders": [], "typo": 1})
    assert len(problems) == 6
    assert check_options({"bits": 14, "C": 50, "max_iter": 10, "seed": 3, "chunks": 0, "morph": 0.0}) == []


def test_several_files_are_identified_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("wach nta mzyan\n", "utf-8")
    b.write_text("je suis fatigué\nthank you so much", "utf-8")  # no final newline
    single = []
    for f in (a, b):
        assert main(["langid", str(f)]) == 0
        single.append(capsys.readouterr().out)
    assert main(["langid", str(a), str(b)]) == 0
    assert capsys.readouterr().out == "".join(single)
    assert len("".join(single).splitlines()) == 3
    out = tmp_path / "out.jsonl"
    assert main(["langid", "--format", "jsonl", str(a), "--batch-size", "1", str(b), "-o", str(out)]) == 0
    assert len(out.read_text("utf-8").splitlines()) == 3
    assert main(["langid", str(a), str(tmp_path / "missing.txt"), "-o", str(tmp_path / "x.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err and not (tmp_path / "x.txt").exists()


def test_scores_print_the_dialectness(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from aimm_nlp.text import dialectness, identify

    lines = ["واش كاين شي حد فالدار؟", "أعلنت الحكومة عن خطة جديدة لدعم التعليم", "salam 3likom", ""]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["langid", "--scores", str(src)]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [len(r) for r in rows] == [3, 3, 3, 3]
    assert [r[0] for r in rows] == [identify(t).lang for t in lines]
    assert abs(float(rows[0][2]) - dialectness(lines[0])) < 1e-4 and rows[2][2] == "nan"
    assert main(["langid", "--scores", "--format", "jsonl", "--prior", "arb_Arab=0.9", str(src)]) == 0
    objs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert abs(objs[0]["dialectness"] - dialectness(lines[0], priors={"arb_Arab": 0.9})) < 1e-4
    assert objs[2]["dialectness"] is None and set(objs[0]["scores"]) == set(identify("x").scores)


@pytest.mark.parametrize(
    ("priors", "messages"),
    [
        (["--prior", "arb_Arab"], ["--prior wants LABEL=RATE, got 'arb_Arab'"]),
        (["--prior", "arb_Arab=x"], ["--prior wants LABEL=RATE, got 'arb_Arab=x'"]),
        (["--prior", "arb_Arab=1.5"], ["--prior: priors['arb_Arab'] must be a number in (0, 1)"]),
        (["--prior", "darija=0.5"], ["--prior: priors: unknown label 'darija'"]),
        (["--prior", "fra_Latn=0.7", "--prior", "eng_Latn=0.4"], ["they must leave some for"]),
        (["--prior", "x", "--prior", "arb_Arab=0", "--batch-size", "0"],
         ["--prior wants LABEL=RATE, got 'x'", "priors['arb_Arab'] must be", "--batch-size must be 1 to"]),
    ],
)  # fmt: skip
def test_bad_priors_are_listed_before_any_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], priors: list[str], messages: list[str]
) -> None:
    src = tmp_path / "in.txt"
    src.write_text("واش كاين\n", "utf-8")
    out = tmp_path / "out.tsv"
    assert main(["langid", *priors, str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert all(m in err for m in messages) and "nothing was written" in err, err
    assert not out.exists()
