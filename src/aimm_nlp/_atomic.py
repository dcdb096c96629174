"""Atomic output: a file is replaced only when everything written to it succeeded.

:func:`atomic_output` writes to a temporary file in the destination folder and renames it into place
at the end, so a failed or killed run never leaves a partial file; :func:`clean_stale_temps` deletes
the temporary files that killed writers left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from aimm_nlp._pathcheck import _stat, file_in_the_way

__all__ = ["STALE_AFTER", "atomic_output", "clean_stale_temps", "pid_alive"]


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
