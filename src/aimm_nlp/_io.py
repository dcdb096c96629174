"""Line-streaming input and atomic output shared by the CLI commands.

Input is read as bytes and decoded line by line, so memory stays flat on huge
files and a bad byte is reported with its file, line and byte offset. Output
goes to a temporary file in the destination folder and is renamed into place
only when everything succeeded: a failed run never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from aimm_nlp.errors import InputFileError

__all__ = [
    "atomic_output",
    "cache_dir",
    "clean_stale_temps",
    "file_in_the_way",
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


def inputs_replaced(output: str | None, sources: list[str | None], *, in_place: bool) -> str | None:
    """Why writing ``output`` would destroy an input of a line command, or ``None``.

    ``sources`` are the command's input files (``None`` / ``"-"``: stdin, compared through
    ``/dev/stdin`` so ``-o in.txt < in.txt`` is caught too). ``in_place`` commands (normalize,
    translit: one output line per input line, written atomically) may rewrite their only input.
    """
    inputs = [("/dev/stdin" if s in (None, "-") else s) for s in sources] or ["/dev/stdin"]
    hit = same_file_as(output, inputs)
    if hit is None or (in_place and len(inputs) == 1):
        return None
    shown = "standard input" if str(hit) == "/dev/stdin" else f"the input file {hit}"
    why = (
        f"with {len(inputs)} inputs it would be replaced by the output of all of them"
        if in_place
        else "it would be replaced by the output"
    )
    return f"-o/--output {output} is {shown}: {why}; write to another file"


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


def output_in_model(output: str | None, model: str | os.PathLike[str] | None) -> str | None:
    """Why ``output`` may not be written: it lies inside the ``--model`` folder (the model is read first,
    then a file of it would be replaced or one added), or ``None``."""
    if output in (None, "-") or model is None or not os.path.isdir(model):
        return None
    out, folder = Path(os.path.realpath(output)), Path(os.path.realpath(model))
    if out == folder or folder in out.parents:
        return f"-o/--output {output} is inside the --model folder {model}: it would change the model; write elsewhere"
    return None


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


def output_problem(path: str | os.PathLike[str], *, folder: bool = False) -> str | None:
    """Why ``path`` cannot be an output file (``folder=True``: an output folder), or ``None``.

    Only cheap checks, so commands can run them before any work: a folder given as a file (or a
    file given as a folder), or a file standing where one of the parent folders should be.
    """
    p = Path(path)
    st = _stat(p)
    if st is not None and stat.S_ISDIR(st.st_mode) and not folder:
        return f"{p} is a folder; pass a file path such as {p / 'out.txt'}"
    if st is not None and folder and not stat.S_ISDIR(st.st_mode):
        return f"{p} is a file, not a folder; pass a new or an existing folder"
    parent = file_in_the_way(p)
    if parent is not None:
        return f"{p}: {parent} is a file, not a folder; choose another path or move that file"
    return None


def same_file_as(
    output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str] | None]
) -> Path | None:
    """The input that writing ``output`` would replace, or ``None``.

    Compares what the paths lead to (symlinks, ``..``, hard links), so ``-o ./in.txt`` and a link to
    ``in.txt`` are caught too. Standard streams (``None`` / ``"-"``) and outputs that do not exist yet
    never match. Commands that read a whole input before writing their output call this first and
    refuse (exit 2), since the atomic rename would destroy the input they were given.
    """
    if output in (None, "-"):
        return None
    out = _stat(Path(output))  # type: ignore[arg-type]
    if out is None or not stat.S_ISREG(out.st_mode):  # /dev/null, FIFOs: written through, never replaced
        return None
    for src in inputs:
        if src in (None, "-"):
            continue
        st = _stat(Path(src))  # type: ignore[arg-type]
        if st is not None and (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            return Path(src)  # type: ignore[arg-type]
    return None


def file_in_the_way(path: Path) -> Path | None:
    """The file standing where a parent folder of ``path`` should be, if any."""
    for parent in path.absolute().parents:
        st = _stat(parent)
        if st is not None:
            return None if stat.S_ISDIR(st.st_mode) else parent
    return None


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str] | None, *, mode: str = "w") -> Iterator[IO]:
    """Yield a writable file that replaces ``path`` only if the block succeeds.

    ``None`` or ``"-"`` yields stdout (streaming, so not atomic). Text mode writes UTF-8 with
    ``\\n`` line endings. A symlink stays a link: the file it points to is replaced. What is not
    a regular file (``/dev/null``, a FIFO, ``/dev/stdout`` and other ``/dev/fd/N``) is written
    through, appending, never replaced. Missing parent folders are made, and removed again when
    the block fails. The temporary file is ``.NAME.PID-XXXXXXXX.tmp`` next to ``path``; those that
    killed writers of the same ``path`` left behind are deleted first (:func:`clean_stale_temps`).

    Raises:
        OSError: the file cannot be written: a folder (``IsADirectoryError``), a file where a parent
            folder should be (``NotADirectoryError``), no permission, a full disk, a closed stdout...
    """
    if path in (None, "-"):
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, "standard output is closed", "<stdout>")
        yield sys.stdout
        sys.stdout.flush()
        return
    kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
    st = _stat(Path(path))  # type: ignore[arg-type]
    special = st is not None and not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode))
    if special or _fd_alias(path):  # type: ignore[arg-type]
        # Appending never truncates what a shell redirected there (`-o /dev/stdout >> log`).
        try:
            fh = open(path, mode.replace("w", "a"), **kwargs)  # type: ignore[arg-type]
        except FileNotFoundError:  # /dev/fd/N of a descriptor that is not open
            raise OSError(
                errno.EBADF, "not an open file descriptor (is that output closed?)", str(path)
            ) from None
        with _named(path), fh:
            yield fh
        return
    _check_writable(Path(path), st)  # type: ignore[arg-type]
    target = Path(os.path.realpath(path))  # type: ignore[arg-type]
    made = _make_folders(target.parent)
    if not made:
        clean_stale_temps(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp")
    except OSError as exc:  # name the file asked for, not the temporary one
        _remove_folders(made)
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        _remove_folders(made)
        raise
    try:
        # mkstemp creates 0600: keep the mode of the file replaced, else the one open() would give.
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        with _named(path), os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _remove_folders(made)
        raise


STALE_AFTER = 24 * 3600  # seconds without a change after which any temporary file of ours is stale

_TEMP_TAIL = re.compile(r"(?:(\d+)-)?[a-z0-9_]{8}")  # what mkstemp adds, after the writer's PID


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def clean_stale_temps(target: Path) -> list[Path]:
    """Delete the temporary files that killed writers of ``target`` left (SIGTERM, kill -9, power loss).

    A file is deleted only if it is a regular file of this user named like :func:`atomic_output`'s
    temporary files of ``target`` (``.NAME.PID-XXXXXXXX.tmp``, or ``.NAME.XXXXXXXX.tmp`` from older
    versions) and either its writer PID no longer runs on this machine, or it has not changed for
    :data:`STALE_AFTER` (24 hours; for a writer on another machine sharing the folder). A live writer
    keeps its file; anything else is never touched.
    """
    import time

    removed = []
    prefix = f".{target.name}."
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        tail = _TEMP_TAIL.fullmatch(name[len(prefix) : -len(".tmp")])
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if tail is None or not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            continue
        dead = tail.group(1) is not None and not pid_alive(int(tail.group(1)))
        if dead or time.time() - st.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


# Errors a write or flush gives with no file name (the file object does not know its path).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


@contextlib.contextmanager
def _named(path: str | os.PathLike[str]) -> Iterator[None]:
    """Name ``path`` in a nameless write error ("No space left on device" alone says not where)."""
    try:
        yield
    except OSError as exc:
        if type(exc) is OSError and exc.filename is None and exc.errno in _WRITE_ERRNOS:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def _check_writable(path: Path, st: os.stat_result | None) -> None:
    """Fail before the work, not at the rename, on a folder or on a file where a folder should be.

    OS errors, not :class:`ConfigError`: library callers catch ``OSError`` (a cache that cannot be
    written is skipped), and the CLI turns any OS error into a message and exit code 2.
    """
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    parent = file_in_the_way(path)
    if parent is not None:
        raise NotADirectoryError(errno.ENOTDIR, f"{parent} is a file, not a folder", str(path))


# /dev/stdout, /dev/fd/N, /proc/self/fd/N: an open descriptor, perhaps a file the shell redirected to.
_FD_PATH = re.compile(r"/dev/std(?:in|out|err)|/dev/fd/\d+|/proc/[^/]+/fd/\d+")


def _fd_alias(path: str | os.PathLike[str]) -> bool:
    """True when ``path``, or a symlink it leads through, names an open file descriptor."""
    p = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on symlink hops
        p = os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
        if _FD_PATH.fullmatch(p):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:  # missing, or unreachable: the write itself will say why
        return None


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; return the ones made, deepest first."""
    made = []
    p = folder
    while _stat(p) is None and p != p.parent:
        made.append(p)
        p = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except BaseException:
        _remove_folders(made)
        raise
    return made


def _remove_folders(made: list[Path]) -> None:
    for folder in made:
        with contextlib.suppress(OSError):  # not empty: something else writes there too
            folder.rmdir()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
