"""Line commands and their files: in place where that is safe (normalize, translit), refused where the
output would replace the text it was made from (langid labels), and one output line per input line for
readers that split on more than ``\\n`` (str.splitlines, editors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.text import normalize, transliterate

LINES = ["3lach 7na bzaaaaf", "ana ghadi l réunion demain, 3afak", "", "wach nta mzyan 😂", "salaaam"]
BIG = LINES * 3000  # ~15,000 lines: several blocks of 2048 lines and more than one read of the file


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["normalize"], lambda line: normalize(line)),
        (["normalize", "--preset", "ary_latn.v1"], lambda line: normalize(line, preset="ary_latn.v1")),
        (["translit"], lambda line: transliterate(line, src="ary_Latn", dst="ary_Arab")),
        (["translit", "--phonetic"], None),
    ],
)
def test_normalize_and_translit_in_place_keep_every_line(
    tmp_path: Path, command: list[str], expected
) -> None:
    src = tmp_path / "tweets.txt"
    src.write_text("\n".join(BIG) + "\n", "utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text("\n".join(BIG) + "\n", "utf-8")
    assert main([*command, str(copy), "-o", str(tmp_path / "elsewhere.txt")]) == 0
    want = (tmp_path / "elsewhere.txt").read_text("utf-8")
    assert main([*command, str(src), "-o", str(src)]) == 0  # the same command, in place
    got = src.read_text("utf-8")
    assert got == want
    assert len(got.split("\n")) - 1 == len(BIG)
    if expected is not None:
        assert got.split("\n")[: len(LINES)] == [expected(line) for line in LINES]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.txt", "elsewhere.txt", "tweets.txt"]


def test_normalize_in_place_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("سلاااام\nbzzzaaaf\n", "utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(src)
    assert main(["normalize", str(link), "-o", str(src)]) == 0
    assert link.is_symlink() and src.read_text("utf-8") == "سلام\nbzaf\n"


def run_cli(*args: str, stdin) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "aimm_nlp", *args], stdin=stdin, capture_output=True, timeout=120, check=False
    )


def test_langid_refuses_an_output_that_is_its_stdin_and_normalize_may_rewrite_it(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("salam labas\nواش نتا مزيان\n", "utf-8")
    with open(src, "rb") as fh:
        proc = run_cli("langid", "-o", str(src), stdin=fh)
    assert proc.returncode == 2
    assert f"-o/--output {src} is standard input: it would be replaced by the output" in proc.stderr.decode()
    assert src.read_text("utf-8") == "salam labas\nواش نتا مزيان\n"
    with open(src, "rb") as fh:
        proc = run_cli("normalize", "-o", str(src), stdin=fh)  # `aimm normalize -o f < f`: in place
    assert proc.returncode == 0, proc.stderr
    assert src.read_text("utf-8") == "salam labas\nواش نتا مزيان\n"


# Every line break str.splitlines() knows besides \n. Before: `aimm translit` wrote them through.
SEPARATORS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
COMMANDS = [
    ["translit"],
    ["translit", "--phonetic"],
    ["translit", "--src", "ary_Arab", "--dst", "ary_Latn"],
    ["translit", "--src", "ary_Arab", "--dst", "bw"],
    ["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn"],
    ["normalize", "--set", "whitespace=false"],
    ["normalize"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("sep", SEPARATORS, ids=ascii)
def test_one_output_line_per_input_line_for_every_line_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], sep: str
) -> None:
    lines = [f"3lach{sep}bzaf", f"واش{sep}نتا مزيان", f"ⴰⵣⵓⵍ{sep}{sep}ⴼⵍⵍⴰⵡⵏ", sep, f"salam {sep}😂", ""]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", "utf-8", newline="")
    assert main([*command, str(src)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(lines)
    assert out.count("\n") == len(lines)
    if command == ["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn"]:
        assert out.splitlines()[2] == "azul  fllawn"  # the break became a space


@pytest.mark.parametrize(
    "command",
    [["normalize"], ["translit"], ["translit", "--src", "zgh_Tfng", "--dst", "zgh_Latn"], ["langid"]],
)
def test_a_closed_stdin_is_a_message_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    """`aimm normalize <&-`: sys.stdin is None. Before: AttributeError tracebacks (exit 1)."""
    import os

    out = tmp_path / "out.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "aimm_nlp", *command, "-o", str(out)],
        capture_output=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.close(0),
    )
    assert proc.returncode == 2, proc.stderr
    assert "<stdin>: standard input is closed; pass a FILE or pipe text in" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("command", "stdin", "expected"),
    [
        (["normalize"], "واااش نتا مزيان\n", "واش نتا مزيان\n"),
        (["translit"], "3lach\n", "علاش\n"),
        (["translit", "--src", "zgh_Latn", "--dst", "zgh_Tfng"], "azul\n", "ⴰⵣⵓⵍ\n"),
        (["langid", "--words"], "ⴰⵣⵓⵍ\n", "zgh_Tfng\t1.0000\tⴰⵣⵓⵍ/zgh_Tfng\n"),
        (["langid", "--format", "jsonl"], "واش\n", None),
    ],
)
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_stdout_is_utf8_whatever_the_locale(
    command: list[str], stdin: str, expected: str | None, encoding: str
) -> None:
    """Under an ASCII or Latin-1 locale, printing Arabic or Tifinagh was a UnicodeEncodeError traceback."""
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "aimm_nlp", *command],
        input=stdin.encode(),
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": encoding},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8")
    assert out == expected if expected is not None else out.startswith('{"lang": "ary_Arab"')
