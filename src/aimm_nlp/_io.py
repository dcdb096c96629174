"""Line-streaming input and atomic output shared by the CLI commands.

Input is read as bytes and decoded line by line, so memory stays flat on huge
files and a bad byte is reported with its file, line and byte offset. Output
goes to a temporary file in the destination folder and is renamed into place
only when everything succeeded: a failed run never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from aimm_nlp.errors import InputFileError

__all__ = ["atomic_output", "cache_dir", "iter_lines", "open_binary"]


def cache_dir() -> Path:
    """Where aimm_nlp keeps what it can rebuild: ``$AIMM_CACHE_DIR``, else ``~/.cache/aimm_nlp``."""
    return Path(os.environ.get("AIMM_CACHE_DIR") or Path.home() / ".cache" / "aimm_nlp")


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

    Args:
        source: a path, or ``None`` / ``"-"`` for standard input.
        errors: ``"strict"`` raises on invalid UTF-8; ``"replace"`` inserts U+FFFD.
        hint: appended to "convert the file to UTF-8" in the invalid-UTF-8 message (a command with an
            ``--errors`` option passes :data:`REPLACE_HINT`).

    Raises:
        InputFileError: missing file, directory, binary file (NUL byte), or invalid
            UTF-8 under ``errors="strict"``; the message names file, line and byte offset.
    """
    name = "<stdin>" if source in (None, "-") else str(source)
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
                    continue
                block = bytes(pending) + data[:cut]
                pending = bytearray(data[cut:])
            elif pending:
                block, pending = bytes(pending), bytearray()  # the last line, without its newline
            else:
                return
            text = _decode(block, name, done, offset, errors, hint)
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


_BLOCK = 1 << 20


def _decode(block: bytes, name: str, before: int, offset: int, errors: str, hint: str) -> str:
    """``block`` (whole lines, the first being line ``before + 1``) as text; a NUL byte or invalid UTF-8
    raises with the file, line and byte offset of the first bad line (a NUL first within a line)."""
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
        raise InputFileError(
            f"{name}:{nul_line}: NUL byte at byte offset {offset + nul}: "
            "this looks like a binary file; pass UTF-8 text",
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


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str] | None, *, mode: str = "w") -> Iterator[IO]:
    """Yield a writable file that replaces ``path`` only if the block succeeds.

    ``None`` or ``"-"`` yields stdout (streaming, so not atomic). Text mode
    writes UTF-8 with ``\\n`` line endings.
    """
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)  # type: ignore[arg-type]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the mode open() would
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
