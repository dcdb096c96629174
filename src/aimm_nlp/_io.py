"""Line-streaming input shared by the CLI commands (and, re-exported, the output helpers).

Input is read as bytes and decoded line by line, so memory stays flat on huge
files and a bad byte is reported with its file, line and byte offset. Output
goes through :func:`atomic_output` (module ``aimm_nlp._atomic``: a temporary file
renamed into place only when everything succeeded, so a failed run never leaves a
partial file), after the cheap path checks of ``aimm_nlp._pathcheck``; both are
re-exported here, so ``from aimm_nlp._io import atomic_output`` keeps working.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from aimm_nlp._atomic import STALE_AFTER, atomic_output, clean_stale_temps, pid_alive  # noqa: F401 (re-export)
from aimm_nlp._pathcheck import (
    file_in_the_way,
    inputs_replaced,
    output_in_model,
    output_problem,
    same_file_as,
)
from aimm_nlp.errors import InputFileError

__all__ = [
    "atomic_output",
    "cache_dir",
    "clean_stale_temps",
    "file_in_the_way",
    "file_sha256",
    "inputs_replaced",
    "iter_lines",
    "one_line",
    "open_binary",
    "output_in_model",
    "output_problem",
    "pid_alive",
    "read_text",
    "same_file_as",
    "utf8_stdout",
]


def cache_dir() -> Path:
    """Where aimm_nlp keeps what it can rebuild: ``$AIMM_CACHE_DIR``, else ``~/.cache/aimm_nlp``."""
    return Path(os.environ.get("AIMM_CACHE_DIR") or Path.home() / ".cache" / "aimm_nlp")


def file_sha256(path: str | os.PathLike[str], *, prefix: bytes = b"") -> str:
    """The sha256 hex digest of ``prefix`` followed by a file's bytes, read in 1 MiB blocks."""
    import hashlib  # here: loading OpenSSL costs ~2 ms of every command that imports this module

    h = hashlib.sha256(prefix)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_binary(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading bytes, turning OS errors into :class:`InputFileError`."""
    p = Path(path)
    if p.is_dir():
        raise InputFileError(f"{p}: is a directory; pass a text file", path=str(p))
    try:
        return open(p, "rb")
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file", path=str(p)) from None
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read ({exc.strerror})", path=str(p)) from None


REPLACE_HINT = " or pass --errors replace to substitute U+FFFD"  # for commands that have --errors


def iter_lines(
    source: str | os.PathLike[str] | None, *, errors: str = "strict", hint: str = ""
) -> Iterator[str]:
    """Yield the lines of a UTF-8 file (or stdin for ``None`` / ``"-"``) without their ``\\n``.

    A UTF-8 byte order mark at the start of the file is dropped (Windows editors write one), so a
    header row or a JSON line 1 reads as written.

    Args:
        source: a path, or ``None`` / ``"-"`` for standard input.
        errors: ``"strict"`` raises on invalid UTF-8; ``"replace"`` inserts U+FFFD.
        hint: appended to "convert the file to UTF-8" in the invalid-UTF-8 message (a command with an
            ``--errors`` option passes :data:`REPLACE_HINT`).

    Raises:
        InputFileError: missing file, directory, closed stdin, binary file (NUL byte), UTF-16/UTF-32 text (with
            the ``iconv`` command that converts it), or invalid UTF-8 under ``errors="strict"``; the
            message names file, line and byte offset.
    """
    name = "<stdin>" if source in (None, "-") else str(source)
    if source in (None, "-") and sys.stdin is None:  # started with stdin closed (`<&-`)
        raise InputFileError("<stdin>: standard input is closed; pass a FILE or pipe text in", path=name)
    stream = sys.stdin.buffer if source in (None, "-") else open_binary(source)  # type: ignore[arg-type]
    # Bytes come in blocks (read1: what is there, so a terminal still gives each line as it is typed);
    # the complete lines of a block are checked and decoded at once, ~10x faster than line by line.
    read = getattr(stream, "read1", stream.read)
    done, offset = 0, 0  # lines yielded so far; byte offset of the first pending byte
    pending = bytearray()
    try:
        while True:
            data = read(_BLOCK)
            if data:
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line ends in this read (a long line): only the new bytes are searched
                    pending += data
                    if b"\x00" in data:  # a binary file (or /dev/zero) need not be read to its end
                        _decode(bytes(pending), name, done, offset, errors, hint)
                    continue
                block = bytes(pending) + data[:cut]
                pending = bytearray(data[cut:])
            elif pending:
                block, pending = bytes(pending), bytearray()  # the last line, without its newline
            else:
                return
            text = _decode(block, name, done, offset, errors, hint)
            if not offset and text[:1] == "\ufeff":  # a UTF-8 byte order mark is not part of line 1
                text = text[1:]
                if not text and not data:  # nothing but the mark: an empty file
                    return
            lines = text.split("\n")
            if data:
                lines.pop()  # the block ends with a newline: nothing follows it
                if "\r" in text:
                    lines = [line[:-1] if line[-1:] == "\r" else line for line in lines]
            done += len(lines)
            offset += len(block)
            yield from lines
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


# What str.splitlines() (and editors, and most line readers) take as a line end besides "\n".
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every line break that :meth:`str.splitlines` knows (``\\r``, ``\\v``, ``\\f``,
    ``\\x1c``-``\\x1e``, U+0085, U+2028, U+2029) turned into a space: one output line per input line."""
    return _LINE_BREAKS.sub(" ", text) if _LINE_BREAKS.search(text) else text


def utf8_stdout() -> None:
    """Make standard output write UTF-8 whatever the locale says, as ``-o`` files do.

    Under a Latin-1 or ASCII locale (``LC_ALL=fr_FR.ISO-8859-1``, ``PYTHONIOENCODING=ascii``) printing
    Arabic or Tifinagh raised ``UnicodeEncodeError`` mid-stream; the line commands read UTF-8 only, so
    they write it too.
    """
    out = sys.stdout
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if out is not None and encoding not in ("utf8", "utf8sig") and hasattr(out, "reconfigure"):
        with contextlib.suppress(OSError, ValueError):  # a closed or detached stream: writing will say so
            out.reconfigure(encoding="utf-8")


def read_text(path: str | os.PathLike[str]) -> str:
    """A whole UTF-8 file (a config, a results JSON) as text, lines joined by ``\\n``.

    Raises:
        InputFileError: as :func:`iter_lines`: missing file, folder, NUL byte or invalid UTF-8, with
            the file and line.
    """
    return "\n".join(iter_lines(path))


_BLOCK = 1 << 20


def _decode(block: bytes, name: str, before: int, offset: int, errors: str, hint: str) -> str:
    """``block`` (whole lines, the first being line ``before + 1``) as text; a NUL byte or invalid UTF-8
    raises with the file, line and byte offset of the first bad line (a NUL first within a line).
    UTF-16/UTF-32 text (a byte order mark, or NULs in every other byte) is named as such."""
    if not offset and (block[:2] in (b"\xff\xfe", b"\xfe\xff") or block[:4] == b"\x00\x00\xfe\xff"):
        bits = "32" if block[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") else "16"
        mark = " ".join(f"{b:02X}" for b in block[: 4 if bits == "32" else 2])
        raise InputFileError(
            f"{name}:1: byte order mark {mark} at byte offset 0: this is UTF-{bits} text, not UTF-8; "
            f"convert it first, e.g. {_iconv(name, f'UTF-{bits}')}",
            path=name,
            line=1,
            byte_offset=0,
        )
    nul = block.find(b"\x00")
    try:
        text = block.decode("utf-8", errors=errors)
        bad = -1
    except UnicodeDecodeError as exc:
        bad, text = exc.start, ""
    if nul < 0 and bad < 0:
        return text
    nul_line = before + block.count(b"\n", 0, nul) + 1 if nul >= 0 else None
    bad_line = before + block.count(b"\n", 0, bad) + 1 if bad >= 0 else None
    if nul_line is not None and (bad_line is None or nul_line <= bad_line):
        wide = _utf16_order(block, nul, offset)
        what = (
            f"this looks like {wide} text, not UTF-8; convert it first, e.g. {_iconv(name, wide)}"
            if wide
            else "this looks like a binary file; pass UTF-8 text"
        )
        raise InputFileError(
            f"{name}:{nul_line}: NUL byte at byte offset {offset + nul}: {what}",
            path=name,
            line=nul_line,
            byte_offset=offset + nul,
        )
    raise InputFileError(
        f"{name}:{bad_line}: invalid UTF-8 at byte offset {offset + bad} "
        f"(byte 0x{block[bad]:02x}); convert the file to UTF-8{hint}",
        path=name,
        line=bad_line,
        byte_offset=offset + bad,
    )


def _utf16_order(block: bytes, nul: int, offset: int) -> str | None:
    """``"UTF-16LE"`` / ``"UTF-16BE"`` when the bytes from the line of the NUL at ``nul`` on have NULs in
    every other byte only (Latin text, spaces, digits in UTF-16 without a byte order mark), else ``None``."""
    start = block.rfind(b"\n", 0, nul) + 1
    sample = block[start : start + 512]
    first = (offset + start) % 2  # parity in the file: UTF-16 code units start at even offsets
    at_even, at_odd = sample[first::2].count(0), sample[1 - first :: 2].count(0)
    if (at_even and at_odd) or max(at_even, at_odd) < max(2, len(sample) // 16):
        return None
    return "UTF-16BE" if at_even else "UTF-16LE"


def _iconv(name: str, encoding: str) -> str:
    """The command that converts ``name`` (or a file for stdin) to UTF-8."""
    import shlex

    src = "in.txt" if name == "<stdin>" else name
    stem, dot, ext = src.rpartition(".") if "." in Path(src).name else (src, "", "")
    out = f"{stem}.utf8{dot}{ext}"
    return f"`iconv -f {encoding} -t UTF-8 {shlex.quote(src)} > {shlex.quote(out)}`"
