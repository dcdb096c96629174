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


def iter_lines(source: str | os.PathLike[str] | None, *, errors: str = "strict") -> Iterator[str]:
    """Yield the lines of a UTF-8 file (or stdin for ``None`` / ``"-"``) without their ``\\n``.

    Args:
        source: a path, or ``None`` / ``"-"`` for standard input.
        errors: ``"strict"`` raises on invalid UTF-8; ``"replace"`` inserts U+FFFD.

    Raises:
        InputFileError: missing file, directory, binary file (NUL byte), or invalid
            UTF-8 under ``errors="strict"``; the message names file, line and byte offset.
    """
    name = "<stdin>" if source in (None, "-") else str(source)
    stream = sys.stdin.buffer if source in (None, "-") else open_binary(source)  # type: ignore[arg-type]
    offset = 0
    try:
        for lineno, raw in enumerate(stream, 1):
            nul = raw.find(b"\x00")
            if nul >= 0:
                raise InputFileError(
                    f"{name}:{lineno}: NUL byte at byte offset {offset + nul}: "
                    "this looks like a binary file; pass UTF-8 text",
                    path=name,
                    line=lineno,
                    byte_offset=offset + nul,
                )
            try:
                line = raw.decode("utf-8", errors=errors)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{name}:{lineno}: invalid UTF-8 at byte offset {offset + exc.start} "
                    f"(byte 0x{raw[exc.start]:02x}); convert the file to UTF-8 or pass "
                    "--errors replace to substitute U+FFFD",
                    path=name,
                    line=lineno,
                    byte_offset=offset + exc.start,
                ) from None
            offset += len(raw)
            if line.endswith("\n"):
                line = line[:-2] if line.endswith("\r\n") else line[:-1]
            yield line
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


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
