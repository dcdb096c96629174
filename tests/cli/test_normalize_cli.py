"""`aimm normalize`: streaming, line count, atomic output, errors with exit code 2."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimm_nlp.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "samples" / "darija_mixed.txt"


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "aimm_nlp", *args], input=stdin, capture_output=True, timeout=60, check=False
    )


def test_stdin_to_stdout_keeps_every_line() -> None:
    text = "واااش نتا مزيااااان؟\n\nbzzzaaaf\n\u200e\n"
    proc = run_cli("normalize", stdin=text.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "واش نتا مزيان؟\n\nbzaf\n\n"


def test_file_to_atomic_output(tmp_path: Path) -> None:
    out = tmp_path / "out" / "clean.txt"
    assert main(["normalize", str(SAMPLE), "-o", str(out)]) == 0
    lines = out.read_text("utf-8").split("\n")
    assert len(lines) - 1 == len(SAMPLE.read_text("utf-8").splitlines())
    assert lines[0] == "واش نتا مزيان؟ الله يعطيك الصحة"
    assert lines[7] == ""  # the sample's empty line is kept
    assert "ana ghadi l réunion demain, 3afak sift liya le document" in lines
    assert not list(out.parent.glob(".*tmp"))


def test_preset_and_set(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("مدرسة ڭاع\nhttps://x.ma BZZZAAAF\n", "utf-8")
    out = tmp_path / "o.txt"
    argv = ["normalize", "--preset", "auto.v1", "--set", "teh_marbuta=true", "--set", "fold_moroccan=1"]
    assert main([*argv, "--set", "mask_urls=yes", "--set", "lowercase=on", str(src), "-o", str(out)]) == 0
    assert out.read_text("utf-8") == "مدرسه كاع\n[URL] bzaf\n"


def test_several_files_concatenate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("واااش\n", "utf-8")
    b.write_text("bzzzaaaf", "utf-8")  # no final newline
    assert main(["normalize", str(a), str(b)]) == 0
    assert capsys.readouterr().out == "واش\nbzaf\n"


def test_crlf_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "w.txt"
    src.write_bytes("سلاااام\r\n\r\nok\r\n".encode())
    assert main(["normalize", str(src)]) == 0
    assert capsys.readouterr().out == "سلام\n\nok\n"


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("missing", ["normalize", "{tmp}/nope.txt"], "nope.txt: no such file"),
        ("dir", ["normalize", "{tmp}"], "is a directory"),
        ("binary", ["normalize", "{tmp}/bin.dat"], "bin.dat:2: NUL byte at byte offset 12"),
        ("utf8", ["normalize", "{tmp}/bad.txt"], "bad.txt:2: invalid UTF-8 at byte offset 11 (byte 0xff)"),
        (None, ["normalize", "--preset", "ary_arb"], "did you mean 'ary_arab'?"),
        (None, ["normalize", "--set", "alefx=1"], "did you mean 'alef'?"),
        (None, ["normalize", "--set", "alef=maybe"], "value must be true or false"),
        (None, ["normalize", "--set", "alef"], "expected KEY=VALUE"),
    ],
)
def test_bad_input_exit_2_and_no_partial_output(
    tmp_path: Path, setup: str | None, args: list[str], message: str
) -> None:
    (tmp_path / "bin.dat").write_bytes(b"first ok\nabc\x00def\n")
    (tmp_path / "bad.txt").write_bytes(b"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\nok\xff\n")
    out = tmp_path / "result.txt"
    argv = [a.format(tmp=tmp_path) for a in args] + ["-o", str(out)]
    proc = run_cli(*argv, stdin=b"x\n")
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.decode()
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".result.txt.*"))


@pytest.mark.parametrize(
    ("command", "first_field"),
    [
        (["normalize"], "ok\ufffd"),
        (["translit", "--src", "ary_Latn", "--dst", "ary_Arab"], None),
        (["langid"], None),
    ],
)
def test_errors_replace_is_offered_and_opts_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], first_field: str | None
) -> None:
    """Each command whose message says "pass --errors replace" has the option, and it works."""
    src = tmp_path / "bad.txt"
    src.write_bytes(b"ok\xff\n3lach\n")
    assert main([*command, str(src)]) == 2
    err = capsys.readouterr().err
    assert "bad.txt:1: invalid UTF-8" in err and "or pass --errors replace" in err
    assert main([*command, "--errors", "replace", str(src)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    if first_field is not None:
        assert out[0] == first_field


def test_commands_without_errors_option_do_not_suggest_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes(b"ok\xff\n")
    assert (
        main(["tokenizer", "train", "--data", str(src), "--vocab-size", "300", "--out", str(tmp_path / "t")])
        == 2
    )
    err = capsys.readouterr().err
    assert "bad.txt:1: invalid UTF-8" in err and "--errors" not in err


def test_existing_output_survives_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "keep.txt"
    out.write_text("precious\n", "utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"line\n\xff\n")
    assert main(["normalize", str(bad), "-o", str(out)]) == 2
    assert out.read_text("utf-8") == "precious\n"


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r\x00"), max_size=30), max_size=20)
)
def test_line_count_property(lines: list[str]) -> None:
    import io
    import sys as _sys
    from contextlib import redirect_stdout

    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass") if lines else b""
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    buf = io.StringIO()
    old = _sys.stdin
    _sys.stdin = stdin
    try:
        with redirect_stdout(buf):
            code = main(["normalize", "--errors", "replace"])
    finally:
        _sys.stdin = old
    assert code == 0
    assert buf.getvalue().count("\n") == len(lines)


def test_help_has_quick_start() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "quick start:" in out and "aimm normalize" in out


def test_ls_presets_and_switches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ls", "presets"]) == 0
    out = capsys.readouterr().out
    assert "ary_arab.v1" in out and "auto.v1" in out
    assert main(["ls", "switches"]) == 0
    assert "fold_moroccan" in capsys.readouterr().out


def test_output_file_mode_follows_umask(tmp_path: Path) -> None:
    import os

    out = tmp_path / "o.txt"
    src = tmp_path / "i.txt"
    src.write_text("x\n", "utf-8")
    assert main(["normalize", str(src), "-o", str(out)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
