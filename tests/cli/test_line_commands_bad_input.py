"""Bad input to `aimm normalize`, `aimm translit` (and its train/eval) and `aimm langid` (and its train),
as a careless or hostile user gives it: every case is exit code 2 with a message naming the file, line,
field or option (no traceback), and no file in the folder is changed or added. The cases are tables
(``BAD``: 2 + message; ``GOOD``: odd but valid input with its exact output) so they can be counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.cli import main

TEXT = "salam labas 3afak\nواش نتا مزيان؟\nⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ 😂\n"
PAIRS = "latin\tarabic\n3lach\tعلاش\nwakha\tواخا\nbzaaaf\tبزاف\n"
TABLE = "text\tlabel\nwach nta mzyan\tary_Latn\nana ghadi l dar\tary_Latn\nje suis fatigué\tfra_Latn\n"
FILES: dict[str, bytes] = {
    "in.txt": TEXT.encode(),
    "other.txt": b"bonjour\n",
    "empty.txt": b"",
    "bom.txt": b"\xef\xbb\xbf",
    "utf16.txt": TEXT.encode("utf-16"),  # with a byte order mark (Windows Notepad "Unicode")
    "utf16le.txt": "salam labas\nwach nta mzyan\n".encode("utf-16-le"),
    "utf16be.txt": "salam labas\nwach nta mzyan\n".encode("utf-16-be"),
    "utf32.txt": TEXT.encode("utf-32"),
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06",
    "latin1.txt": "ok\nça va très bien\n".encode("latin-1"),
    "model.bin": b"PK\x03\x04\x14\x00\x00\x00\x08\x00\n",
    "pairs.tsv": PAIRS.encode(),
    "pairs16.tsv": PAIRS.encode("utf-16"),
    "header_only.tsv": b"latin\tarabic\n",
    "no_dst.tsv": "latin\tarabic\n3lach\t\nwakha\tواخا\n".encode(),
    "no_src.tsv": "latin\tarabic\n \tعلاش\n".encode(),
    "no_both.csv": 'latin,arabic\n3lach,علاش\n"",""\n'.encode(),
    "many_empty.tsv": ("latin\tarabic\n" + "3lach\t\n" * 7).encode(),
    "short_row.tsv": "latin\tarabic\n3lach\tعلاش\nwakha\n".encode(),
    "wrong_cols.tsv": "src\ttgt\n3lach\tعلاش\n".encode(),
    "semicolons.tsv": "latin;arabic\n3lach;علاش\n".encode(),
    "table.tsv": TABLE.encode(),
    "table16.tsv": TABLE.encode("utf-16"),
    "table_header.tsv": b"text\tlabel\n",
}


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir" / "note.txt").write_text("mes notes\n", "utf-8")
    (tmp_path / "blocker").write_text("precious\n", "utf-8")
    (tmp_path / "amodel" / "words").mkdir(parents=True)  # stands for a model folder: checked before loading
    for name in ("config.json", "model.json", "weights.npz", "words/lexicon.json"):
        (tmp_path / "amodel" / name).write_text("{}", "utf-8")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in root.rglob("*")}


def run(argv: list[str], root: Path) -> int:
    try:
        return main([a.replace("{t}", str(root)).replace("{t.name}", root.name) for a in argv])
    except SystemExit as exc:  # argparse's own usage errors (exit 2 with a usage line)
        return int(exc.code or 0)


PAIR_COLS = ["--src-col", "latin", "--dst-col", "arabic"]
TRAIN = ["translit", "train", *PAIR_COLS, "--out", "{t}/model", "--pairs"]
EVAL = ["translit", "eval", *PAIR_COLS, "--phonetic", "-o", "{t}/scores.json", "--pairs"]
LTRAIN = ["langid", "train", "--text-col", "text", "--label-col", "label", "--out", "{t}/lid", "--data"]
UTF16_FIX = "iconv -f UTF-16 -t UTF-8"

# (argv, text expected on stderr); {t} is the test's folder.
BAD: list[tuple[list[str], str]] = [
    # ---- normalize: input files
    (["normalize", "{t}/missing.txt"], "missing.txt: no such file"),
    (["normalize", "{t}/adir"], "adir: is a directory"),
    (["normalize", "{t}/utf16.txt"], f"utf16.txt:1: byte order mark FF FE at byte offset 0: this is UTF-16 text, not UTF-8; convert it first, e.g. `{UTF16_FIX} {{t}}/utf16.txt > {{t}}/utf16.utf8.txt`"),
    (["normalize", "--errors", "replace", "{t}/utf16.txt"], "utf16.txt:1: byte order mark FF FE"),
    (["normalize", "{t}/utf16le.txt"], "utf16le.txt:1: NUL byte at byte offset 1: this looks like UTF-16LE text, not UTF-8; convert it first, e.g. `iconv -f UTF-16LE -t UTF-8"),
    (["normalize", "{t}/utf16be.txt"], "utf16be.txt:1: NUL byte at byte offset 0: this looks like UTF-16BE text"),
    (["normalize", "{t}/utf32.txt"], "utf32.txt:1: byte order mark FF FE 00 00 at byte offset 0: this is UTF-32 text, not UTF-8; convert it first, e.g. `iconv -f UTF-32 -t UTF-8"),
    (["normalize", "{t}/image.png"], "image.png:1: invalid UTF-8 at byte offset 0 (byte 0x89); convert the file to UTF-8"),
    (["normalize", "{t}/model.bin"], "model.bin:1: NUL byte at byte offset 5: this looks like a binary file; pass UTF-8 text"),
    (["normalize", "{t}/latin1.txt"], "latin1.txt:2: invalid UTF-8 at byte offset 3 (byte 0xe7)"),
    (["normalize", "{t}/in.txt", "{t}/missing.txt"], "missing.txt: no such file"),
    # ---- normalize: options
    (["normalize", "--preset", "", "{t}/in.txt"], "unknown normalizer preset ''"),
    (["normalize", "--preset", "ary_arab.v9", "{t}/in.txt"], "unknown normalizer preset 'ary_arab.v9'"),
    (["normalize", "--preset", "ARY_ARAB", "{t}/in.txt"], "unknown normalizer preset 'ARY_ARAB'"),
    (["normalize", "--preset", "x" * 5000, "{t}/in.txt"], "valid presets: arb.v1"),
    (["normalize", "--preset", "ⴰⵣⵓⵍ\ud800", "{t}/in.txt"], "unknown normalizer preset"),
    (["normalize", "--set", "=true", "{t}/in.txt"], "expected KEY=VALUE"),
    (["normalize", "--set", "alef=", "{t}/in.txt"], "value must be true or false"),
    (["normalize", "--set", "alef=2", "{t}/in.txt"], "value must be true or false"),
    (["normalize", "--set", "alef=true=false", "{t}/in.txt"], "value must be true or false"),
    (["normalize", "--set", "tatweel=yes", "--set", "nope=1", "--set", "alef=x"], "unknown switch 'nope'"),
    (["normalize", "--set", "nope=1", "--set", "alef=x", "--preset", "bad"], "'alef=x': value must be"),
    (["normalize", "--errors", "ignore", "{t}/in.txt"], ""),
    (["normalize", "--bogus", "{t}/in.txt"], ""),
    # ---- normalize: output
    (["normalize", "{t}/in.txt", "-o", "{t}/adir"], "is a folder; pass a file path"),
    (["normalize", "{t}/in.txt", "-o", ""], "is a folder; pass a file path"),
    (["normalize", "{t}/in.txt", "-o", "{t}/blocker/out.txt"], "blocker is a file, not a folder"),
    (["normalize", "{t}/in.txt", "{t}/other.txt", "-o", "{t}/in.txt"], "-o/--output {t}/in.txt is the input file {t}/in.txt: with 2 inputs it would be replaced"),
    (["normalize", "{t}/in.txt", "{t}/in.txt", "-o", "{t}/in.txt"], "with 2 inputs it would be replaced"),
    (["normalize", "{t}/other.txt", "{t}/in.txt", "-o", "{t}/./in.txt"], "is the input file {t}/in.txt"),
    # ---- translit: input files
    (["translit", "{t}/missing.txt"], "missing.txt: no such file"),
    (["translit", "{t}/adir"], "adir: is a directory"),
    (["translit", "{t}/utf16.txt"], f"{UTF16_FIX} {{t}}/utf16.txt"),
    (["translit", "{t}/utf16le.txt"], "this looks like UTF-16LE text"),
    (["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn", "{t}/utf32.txt"], "this is UTF-32 text"),
    (["translit", "{t}/model.bin"], "looks like a binary file"),
    (["translit", "--src", "ary_Arab", "--dst", "bw", "{t}/latin1.txt"], "latin1.txt:2: invalid UTF-8"),
    # ---- translit: options
    (["translit", "--src", "ary_latn", "{t}/in.txt"], "unsupported transliteration pair ary_latn->ary_Arab"),
    (["translit", "--src", "", "--dst", "", "{t}/in.txt"], "unsupported transliteration pair"),
    (["translit", "--src", "ary_Latn", "--dst", "ary_Latn", "{t}/in.txt"], "unsupported transliteration pair"),
    (["translit", "--src", "zgh_Tfng", "--dst", "bw", "{t}/in.txt"], "unsupported transliteration pair"),
    (["translit", "--src", "zgh_Arab", "--dst", "zgh_Tfng", "{t}/in.txt"], "unsupported transliteration pair"),
    (["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn", "--model", "{t}/adir", "{t}/in.txt"], "model= is only used for ary_Latn->ary_Arab"),
    (["translit", "--src", "ary_Arab", "--dst", "ary_Latn", "--phonetic", "{t}/in.txt"], "phonetic=True is a reading"),
    (["translit", "--phonetic", "--model", "{t}/adir", "{t}/in.txt"], "drop one of them"),
    (["translit", "--model", "{t}/missing", "{t}/in.txt"], "does not exist or is not a folder"),
    (["translit", "--model", "{t}/adir", "{t}/in.txt"], "has no model.json"),
    (["translit", "--model", "{t}/in.txt", "{t}/in.txt"], "does not exist or is not a folder"),
    (["translit", "--errors", "bogus", "{t}/in.txt"], ""),
    (["translit", "{t}/in.txt", "--bogus"], ""),
    # ---- translit: output
    (["translit", "{t}/in.txt", "-o", "{t}/adir"], "is a folder; pass a file path"),
    (["translit", "{t}/in.txt", "-o", "{t}/blocker/x.txt"], "blocker is a file, not a folder"),
    (["translit", "{t}/in.txt", "{t}/other.txt", "-o", "{t}/other.txt"], "is the input file {t}/other.txt: with 2 inputs"),
    (["translit", "--model", "{t}/amodel", "{t}/in.txt", "-o", "{t}/amodel/model.json"], "-o/--output {t}/amodel/model.json is inside the --model folder {t}/amodel"),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "--model", "{t}/amodel", "-o", "{t}/amodel/model.json"], "-o/--output {t}/amodel/model.json is inside the --model folder"),
    # ---- translit train / eval: the pair file
    ([*TRAIN, "{t}/missing.tsv"], "missing.tsv: no such file"),
    ([*TRAIN, "{t}/adir"], "adir: is a directory"),
    ([*TRAIN, "{t}/empty.txt"], "empty.txt:1: empty file"),
    ([*TRAIN, "{t}/bom.txt"], "bom.txt:1: empty file"),
    ([*TRAIN, "{t}/header_only.tsv"], "header_only.tsv: the header is there but no data rows follow"),
    ([*TRAIN, "{t}/pairs16.tsv"], f"pairs16.tsv:1: byte order mark FF FE at byte offset 0: this is UTF-16 text, not UTF-8; convert it first, e.g. `{UTF16_FIX}"),
    ([*TRAIN, "{t}/no_dst.tsv"], "no_dst.tsv:2: 'arabic' is empty"),
    ([*TRAIN, "{t}/no_src.tsv"], "no_src.tsv:2: 'latin' is empty"),
    ([*TRAIN, "{t}/no_both.csv"], "no_both.csv:3: 'latin' and 'arabic' are empty"),
    ([*TRAIN, "{t}/many_empty.tsv"], "7 row(s) with an empty 'latin' or 'arabic' field"),
    ([*TRAIN, "{t}/short_row.tsv"], "short_row.tsv:3: expected 2 fields"),
    ([*TRAIN, "{t}/wrong_cols.tsv"], "wrong_cols.tsv:1: no column 'latin', 'arabic'; columns are ['src', 'tgt']"),
    ([*TRAIN, "{t}/semicolons.tsv"], "wrong delimiter? pass --delimiter ';'"),
    ([*TRAIN, "{t}/model.bin"], "looks like a binary file"),
    ([*EVAL, "{t}/missing.tsv"], "missing.tsv: no such file"),
    ([*EVAL, "{t}/adir"], "adir: is a directory"),
    ([*EVAL, "{t}/empty.txt"], "empty.txt:1: empty file"),
    ([*EVAL, "{t}/pairs16.tsv"], "pairs16.tsv:1: byte order mark FF FE"),
    ([*EVAL, "{t}/no_dst.tsv"], "no_dst.tsv:2: 'arabic' is empty"),
    ([*EVAL, "{t}/no_src.tsv"], "no_src.tsv:2: 'latin' is empty"),
    ([*EVAL, "{t}/many_empty.tsv"], "many_empty.tsv:6: 'arabic' is empty\n  ... and 2 more"),
    ([*EVAL, "{t}/pairs.tsv", "--source-col", "nope"], "pairs.tsv:1: no column 'nope'"),
    ([*EVAL, "{t}/pairs.tsv", "--delimiter", "ab"], "--delimiter 'ab': must be one character"),
    # ---- translit train / eval: options and outputs
    ([*TRAIN, "{t}/pairs.tsv", "--order", "1"], "--order must be 2 to 6, got 1"),
    ([*TRAIN, "{t}/pairs.tsv", "--order", "100"], "--order must be 2 to 6, got 100"),
    ([*TRAIN, "{t}/pairs.tsv", "--iterations", "1000000"], "--iterations must be 1 to 20"),
    ([*TRAIN, "{t}/pairs.tsv", "--beam", "-8"], "--beam must be 1 to 512"),
    ([*TRAIN, "{t}/pairs.tsv", "--beam", "8.5"], ""),
    (["translit", "train", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "--out", "{t}/pairs.tsv"], "--out: {t}/pairs.tsv is a file, not a folder"),
    (["translit", "train", "--pairs", "{t}/pairs.tsv"], ""),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "-o", "{t}/pairs.tsv"], "-o/--output {t}/pairs.tsv is the --pairs file: it would be replaced"),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "-o", "{t}/../{t.name}/pairs.tsv"], "is the --pairs file"),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "-o", "{t}/adir"], "is a folder"),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "--model", "{t}/adir"], "has no model.json"),
    (["translit", "eval", *PAIR_COLS, "--pairs", "{t}/pairs.tsv", "--model", "{t}/missing"], "does not exist"),
    # ---- langid: input files
    (["langid", "{t}/missing.txt"], "missing.txt: no such file"),
    (["langid", "{t}/adir"], "adir: is a directory"),
    (["langid", "{t}/in.txt", "{t}/adir"], "adir: is a directory"),
    (["langid", "{t}/utf16.txt"], f"{UTF16_FIX} {{t}}/utf16.txt"),
    (["langid", "{t}/utf16be.txt"], "this looks like UTF-16BE text"),
    (["langid", "{t}/model.bin"], "looks like a binary file"),
    (["langid", "{t}/latin1.txt"], "latin1.txt:2: invalid UTF-8"),
    # ---- langid: options and output
    (["langid", "--batch-size", "0", "{t}/in.txt"], "--batch-size must be 1 to 1000000, got 0"),
    (["langid", "--batch-size", "-5", "{t}/in.txt"], "--batch-size must be 1 to 1000000, got -5"),
    (["langid", "--batch-size", str(10**12), "{t}/in.txt"], f"--batch-size must be 1 to 1000000, got {10**12}"),
    (["langid", "--batch-size", "1e3", "{t}/in.txt"], ""),
    (["langid", "--format", "xml", "{t}/in.txt"], ""),
    (["langid", "--model", "{t}/missing", "{t}/in.txt"], "missing"),
    (["langid", "--model", "{t}/adir", "{t}/in.txt"], "config.json is missing"),
    (["langid", "--model", "{t}/in.txt", "{t}/in.txt"], "is a file, not a folder"),
    (["langid", "{t}/in.txt", "-o", "{t}/in.txt"], "-o/--output {t}/in.txt is the input file {t}/in.txt: it would be replaced by the output"),
    (["langid", "{t}/in.txt", "--words", "--format", "jsonl", "-o", "{t}/in.txt"], "is the input file"),
    (["langid", "{t}/other.txt", "{t}/in.txt", "-o", "{t}/in.txt"], "is the input file {t}/in.txt"),
    (["langid", "{t}/in.txt", "-o", "{t}/adir"], "is a folder"),
    (["langid", "--model", "{t}/amodel", "{t}/in.txt", "-o", "{t}/amodel/config.json"], "-o/--output {t}/amodel/config.json is inside the --model folder {t}/amodel: it would change the model"),
    (["langid", "--model", "{t}/amodel", "{t}/in.txt", "-o", "{t}/amodel/words/lexicon.json"], "is inside the --model folder"),
    (["langid", "--model", "{t}/amodel", "{t}/in.txt", "-o", "{t}/amodel/new.tsv"], "is inside the --model folder"),
    (["langid", "--model", "{t}/amodel/", "{t}/in.txt", "-o", "{t}/./amodel/weights.npz"], "is inside the --model folder"),
    (["langid", "{t}/in.txt", "-o", "{t}/blocker/labels.tsv"], "blocker is a file, not a folder"),
    # ---- langid train: the data file
    ([*LTRAIN, "{t}/missing.tsv"], "no such file"),
    ([*LTRAIN, "{t}/adir"], "is a folder"),
    ([*LTRAIN, "{t}/empty.txt"], "empty.txt"),
    ([*LTRAIN, "{t}/table_header.tsv"], "table_header.tsv"),
    ([*LTRAIN, "{t}/table16.tsv"], f"table16.tsv:1: byte order mark FF FE at byte offset 0: this is UTF-16 text, not UTF-8; convert it first, e.g. `{UTF16_FIX}"),
    ([*LTRAIN, "{t}/image.png"], "image.png:1: invalid UTF-8"),
    ([*LTRAIN, "{t}/table.tsv", "--text-col", "nope"], "nope"),
    (["langid", "train", "--data", "{t}/table.tsv", "--text-col", "text", "--label-col", "label", "--out", "{t}/table.tsv"], "is a file, not a folder"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"), BAD, ids=[f"{i}:{' '.join(a[:2])}" for i, (a, _) in enumerate(BAD)]
)
def test_bad_input_is_exit_2_with_a_message_and_nothing_changes(
    work: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = snapshot(work)
    assert run(argv, work) == 2
    err = capsys.readouterr().err
    assert message.replace("{t}", str(work)).replace("{t.name}", work.name) in err, err
    assert "Traceback" not in err and "error:" in err
    assert snapshot(work) == before  # nothing written, nothing replaced, no temp file left


# Odd but valid input: (argv, exact stdout). A UTF-8 byte order mark is not text; an empty file has no lines.
GOOD: list[tuple[list[str], str]] = [
    (["normalize", "{t}/empty.txt"], ""),
    (["normalize", "{t}/bom.txt"], ""),
    (["normalize", "{t}/empty.txt", "{t}/bom.txt", "{t}/other.txt"], "bonjour\n"),
    (["translit", "{t}/empty.txt"], ""),
    (["translit", "{t}/bom.txt"], ""),
    (["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn", "{t}/bom.txt", "{t}/empty.txt"], ""),
    (["langid", "{t}/empty.txt"], ""),
    (["langid", "{t}/bom.txt"], ""),
    (["langid", "--format", "jsonl", "--words", "{t}/bom.txt"], ""),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "out"), GOOD, ids=[" ".join(a) for a, _ in GOOD])
def test_odd_but_valid_input(
    work: Path, capsys: pytest.CaptureFixture[str], argv: list[str], out: str
) -> None:
    before = snapshot(work)
    assert run(argv, work) == 0
    assert capsys.readouterr().out == out
    assert snapshot(work) == before
