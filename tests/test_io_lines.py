"""``iter_lines`` reads blocks of bytes: the same lines and the same errors (file, line, byte offset) as
reading line by line, wherever the blocks happen to split the file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimm_nlp import _io
from aimm_nlp._io import REPLACE_HINT, iter_lines
from aimm_nlp.errors import InputFileError


def reference(raw: bytes, errors: str) -> tuple[list[str], tuple | None]:
    """Line by line, as iter_lines did before it read blocks: the lines before the first error, the error."""
    lines, offset = [], 0
    pieces = raw.split(b"\n")
    chunks = [p + b"\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    for lineno, chunk in enumerate(chunks, 1):
        nul = chunk.find(b"\x00")
        if nul >= 0:
            return lines, ("nul", lineno, offset + nul)
        try:
            text = chunk.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            return lines, ("utf8", lineno, offset + exc.start)
        offset += len(chunk)
        if text.endswith("\n"):
            text = text[:-2] if text.endswith("\r\n") else text[:-1]
        lines.append(text)
    return lines, None


def read_all(path: Path, errors: str) -> tuple[list[str], tuple | None]:
    out: list[str] = []
    try:
        for line in iter_lines(path, errors=errors):
            out.append(line)
    except InputFileError as exc:
        kind = "nul" if "NUL byte" in str(exc) else "utf8"
        assert str(path) in str(exc) and f":{exc.line}:" in str(exc)
        return out, (kind, exc.line, exc.byte_offset)
    return out, None


# Real lines: Darija in both scripts, code-switched, Tifinagh, emoji, elongation, CRLF, empty lines,
# a lone \r inside a line, a NUL, invalid UTF-8 (a lone continuation byte, a truncated sequence).
PIECES = [
    b"3lach 7na bzaaaaf\n", "ana ghadi l réunion demain\n".encode(), "واش نتا مزيان؟\r\n".encode(),
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ\n".encode(), "😂😂\n".encode(), b"\n", b"\r\n", b"a\rb\n", b"x", b"\x00", b"\x80",
    b"\xe2\x82", "é".encode(), b"\r",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(st.sampled_from(PIECES), max_size=30),
    block=st.integers(min_value=1, max_value=64),
    errors=st.sampled_from(["strict", "replace"]),
)
def test_blocks_give_the_lines_and_errors_of_line_by_line_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: list[bytes], block: int, errors: str
) -> None:
    raw = b"".join(parts)
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    monkeypatch.setattr(_io, "_BLOCK", block)  # blocks split lines and UTF-8 sequences anywhere
    want_lines, want_error = reference(raw, errors)
    got_lines, got_error = read_all(path, errors)
    assert got_error == want_error
    if want_error is None:
        assert got_lines == want_lines
    else:  # lines of the failing block are not yielded before the error: a prefix of the reference
        assert got_lines == want_lines[: len(got_lines)]


@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        (b"", []),
        (b"\n", [""]),
        (b"a", ["a"]),
        (b"a\r", ["a\r"]),  # a lone \r at the end of the file is kept, as before
        (b"a\r\nb\r\n", ["a", "b"]),
        ("salaaam\n3afak 😂\nⵜⴰⵎⴰⵣⵉⵖⵜ".encode(), ["salaaam", "3afak 😂", "ⵜⴰⵎⴰⵣⵉⵖⵜ"]),
    ],
)
def test_lines_of_small_files(tmp_path: Path, raw: bytes, lines: list[str]) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    assert list(iter_lines(path)) == lines


def test_a_long_line_across_many_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_io, "_BLOCK", 7)
    line = "ⵣ" * 5000 + "bzaf" * 1000
    path = tmp_path / "in.txt"
    path.write_text(f"{line}\nshort\n{line}", encoding="utf-8")
    assert list(iter_lines(path)) == [line, "short", line]


def test_errors_name_the_line_and_offset_after_many_blocks(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    good = b"salam 3likom\n"
    path.write_bytes(good * 200_000 + b"bad \xff byte\n" + good)  # 2.6 MB: the error is in the third block
    with pytest.raises(InputFileError) as err:
        list(iter_lines(path))
    assert err.value.line == 200_001 and err.value.byte_offset == len(good) * 200_000 + 4
    assert "0xff" in str(err.value) and "convert the file to UTF-8" in str(err.value)
    assert "--errors" not in str(err.value)  # the library's callers have no such option
    with pytest.raises(InputFileError, match="or pass --errors replace"):
        list(iter_lines(path, hint=REPLACE_HINT))
    assert list(iter_lines(path, errors="replace"))[200_000] == "bad \ufffd byte"


def test_stdin_is_read_in_blocks_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(b"3lach\r\nwa9ila\n")
    with open(path, "rb") as fh:
        monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": fh})())
        assert list(iter_lines(None)) == ["3lach", "wa9ila"]


def test_same_file_as_finds_the_input_an_output_would_replace(tmp_path):
    from aimm_nlp._io import same_file_as

    src = tmp_path / "in.txt"
    src.write_text("salam\n", "utf-8")
    other = tmp_path / "other.txt"
    other.write_text("bonjour\n", "utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(src)
    hard = tmp_path / "hard.txt"
    os.link(src, hard)
    assert same_file_as(src, [other, src]) == src
    assert same_file_as(link, [src]) == src  # a link to the input is the input
    assert same_file_as(hard, [src]) == src
    assert same_file_as(tmp_path / "new.txt", [src]) is None  # does not exist yet
    assert same_file_as(other, [src, None, "-"]) is None
    assert same_file_as("-", [src]) is None
    assert same_file_as(os.devnull, [os.devnull]) is None  # written through, never replaced


# Issue 17: a UTF-8 byte order mark is not part of line 1 (it broke header rows); only at the file start.
@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        (b"\xef\xbb\xbf", []),  # nothing but the mark: an empty file
        (b"\xef\xbb\xbf\n", [""]),
        (
            b"\xef\xbb\xbflatin\tarabic\n3lach\t\xd8\xb9\xd9\x84\xd8\xa7\xd8\xb4\n",
            ["latin\tarabic", "3lach\tعلاش"],
        ),
        ("\ufeffواش نتا مزيان؟\r\nⴰⵣⵓⵍ".encode(), ["واش نتا مزيان؟", "ⴰⵣⵓⵍ"]),
        (b"\xef\xbb\xbf\xef\xbb\xbfx", ["\ufeffx"]),  # only the first mark is the encoding's
        (b"salam\n\xef\xbb\xbfbzaf\n", ["salam", "\ufeffbzaf"]),  # inside the file: text, kept
    ],
)
@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_a_utf8_byte_order_mark_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, lines: list[str], block: int
) -> None:
    monkeypatch.setattr(_io, "_BLOCK", block)
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    assert list(iter_lines(path)) == lines
    assert list(iter_lines(path, errors="replace")) == lines


_DARIJA = "salam 3afak\nواش نتا مزيان؟\nⴰⵣⵓⵍ 😂\n"


# (bytes, what the message must say, the iconv encoding). Before: "NUL byte ...: this looks like a binary file".
@pytest.mark.parametrize(
    ("raw", "says", "encoding"),
    [
        (_DARIJA.encode("utf-16"), "in.txt:1: byte order mark FF FE at byte offset 0: this is UTF-16 text", "UTF-16"),
        (b"\xfe\xff" + _DARIJA.encode("utf-16-be"), "byte order mark FE FF at byte offset 0: this is UTF-16 text", "UTF-16"),
        (_DARIJA.encode("utf-32"), "byte order mark FF FE 00 00 at byte offset 0: this is UTF-32 text", "UTF-32"),
        (b"\x00\x00\xfe\xff" + _DARIJA.encode("utf-32-be"), "byte order mark 00 00 FE FF at byte offset 0", "UTF-32"),
        ("واش".encode("utf-16"), "this is UTF-16 text", "UTF-16"),  # no NUL at all in UTF-16 Arabic
        (_DARIJA.encode("utf-16-le"), "in.txt:1: NUL byte at byte offset 1: this looks like UTF-16LE text", "UTF-16LE"),
        (_DARIJA.encode("utf-16-be"), "in.txt:1: NUL byte at byte offset 0: this looks like UTF-16BE text", "UTF-16BE"),
        (b"salam\n" + "bzaf labas\n".encode("utf-16-le"), "in.txt:2: NUL byte at byte offset 7: this looks like UTF-16LE", "UTF-16LE"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_utf16_and_utf32_are_named_with_the_command_that_converts_them(
    tmp_path: Path, raw: bytes, says: str, encoding: str, errors: str
) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(raw)
    with pytest.raises(InputFileError) as err:
        list(iter_lines(path, errors=errors))
    msg = str(err.value)
    assert says in msg and str(path) in msg
    assert f"`iconv -f {encoding} -t UTF-8 {path} > {tmp_path / 'in.utf8.txt'}`" in msg
    assert "binary" not in msg


@pytest.mark.parametrize(
    "raw",
    [
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        b"\x00\x00\x00\x01\x00\x02",
        b"ok\x00\x00\x00\x00\x01\n",
        b"a\x00b\x00\x00c",
    ],
)
def test_binary_files_are_still_called_binary(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "in.bin"
    path.write_bytes(raw)
    with pytest.raises(InputFileError, match="this looks like a binary file; pass UTF-8 text"):
        list(iter_lines(path))


def test_utf16_on_stdin_names_stdin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes("salam\n".encode("utf-16"))
    with open(path, "rb") as fh:
        monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": fh})())
        with pytest.raises(
            InputFileError, match=r"<stdin>:1: .*`iconv -f UTF-16 -t UTF-8 in.txt > in.utf8.txt`"
        ):
            list(iter_lines(None))


# Every line break str.splitlines() knows besides \n becomes a space: one output line per input line.
@pytest.mark.parametrize("sep", ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_one_line_turns_every_line_break_into_a_space(sep: str) -> None:
    from aimm_nlp._io import one_line

    text = f"salam{sep}labas واش{sep}{sep}ⴰⵣⵓⵍ 😂"
    assert one_line(text) == text.replace(sep, " ")
    assert len(one_line(text).splitlines()) == 1
    assert one_line("3afak\tbzaf") == "3afak\tbzaf"  # a tab is not a line break


@pytest.mark.parametrize(
    "chunk", [b"\x00" * 4096, b"PK\x03\x04" + bytes(range(256)) * 4, b"\xff\xfe" + "ab".encode("utf-16-le")]
)
def test_a_binary_stream_without_newlines_fails_at_once(
    monkeypatch: pytest.MonkeyPatch, chunk: bytes
) -> None:
    """/dev/zero or a big binary file has no line end: it was read whole into memory (a MemoryError on
    /dev/zero) before the NUL byte was reported."""
    reads = []

    class Endless:
        def read1(self, size: int) -> bytes:
            reads.append(size)
            if len(reads) > 50:
                raise RuntimeError("read on and on: the NUL byte was not reported")
            return chunk

        read = read1

    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": Endless()})())
    with pytest.raises(
        InputFileError, match=r"<stdin>:1: (NUL byte at byte offset \d+|byte order mark FF FE)"
    ):
        next(iter_lines(None))
    assert len(reads) == 1
