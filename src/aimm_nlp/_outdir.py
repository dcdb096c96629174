"""One output-folder policy for every command that writes a folder.

A command may write its folder when it is new or empty. An existing folder is replaced only with the
command's overwrite option, and then only when it is that command's own earlier output: it holds the
command's marker file (its manifest, card or ``.aimm_*.json``) and nothing but files the command
writes. Anything else is refused before any work, with the foreign files listed: a command never
deletes or overwrites a file it did not write.

The new output is built in a hidden sibling, ``.NAME.aimm-new.PID-XXXXXXXX``, and swapped in only
when complete (the old folder moves to ``.NAME.aimm-old.PID-XXXXXXXX``, the new one into place, then
the old one is deleted); a failure or an interrupt leaves the old output as it was. Such siblings
left by a killed run (their writer PID no longer runs) are deleted by the next run writing the same
folder, but only when they hold this module's staging note naming the same command (or are empty).

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "stats"
    >>> with output_folder(out, KINDS["corpus describe"], overwrite=False) as tmp:
    ...     _ = (tmp / "stats.json").write_text("{}")
    >>> sorted(p.name for p in out.iterdir())
    ['.aimm_output.json', 'stats.json']
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp._io import file_in_the_way, pid_alive
from aimm_nlp.errors import ConfigError

__all__ = ["KINDS", "Kind", "check_output_folder", "clean_leftovers", "foreign_files", "output_folder"]

OUTPUT_MARKER = ".aimm_output.json"  # the marker of commands that had none of their own
STAGING_NOTE = ".aimm_staging.json"  # inside a staging/trash sibling: which command, which process


@dataclass(frozen=True)
class Kind:
    """What one command writes into its output folder.

    ``files`` are ``fnmatch`` patterns of the ``/``-separated paths the command writes; ``DIR/**``
    is a whole folder of its own. ``marker`` is the file that marks its output; ``recognise`` checks
    the marker's JSON (default: ``written_by`` is ``command``), ``legacy`` recognises outputs written
    before the marker existed.
    """

    command: str
    what: str  # what its output is called in messages ("corpus", "run folder")
    marker: str
    files: tuple[str, ...]
    recognise: Callable[[Any], bool] | None = None
    legacy: Callable[[Path], bool] | None = None
    label: str = "--out"  # how messages name the folder ("--out DIR", "run.output_dir DIR")
    option: str = "--overwrite"  # how the overwrite switch is spelled

    def owns(self, folder: Path) -> bool:
        """Whether ``folder`` holds this command's marker (or is a legacy output of it)."""
        try:
            data = json.loads((folder / self.marker).read_text("utf-8"))
        except (OSError, ValueError):
            data = None
        test = self.recognise or (lambda d: isinstance(d, dict) and d.get("written_by") == self.command)
        if data is not None and test(data):
            return True
        return self.legacy is not None and self.legacy(folder)


def _marker(command: str) -> dict[str, Any]:
    from aimm_nlp import __version__

    return {"written_by": command, "format_version": 1, "aimm_nlp": __version__}


def _all(*names: str) -> Callable[[Path], bool]:
    return lambda folder: all((folder / n).is_file() for n in names)


def _corpus_manifest(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    versions, shards = data.get("versions"), data.get("shards")
    return (
        isinstance(versions, dict)
        and "aimm_nlp" in versions
        and isinstance(shards, list)
        and all(isinstance(s, dict) and isinstance(s.get("file"), str) for s in shards)
    )


def _run_marker(data: Any) -> bool:
    return isinstance(data, dict) and data.get("written_by") == "aimm_nlp.finetune"


def _legacy_run(folder: Path) -> bool:
    from aimm_nlp.finetune.rundir import is_run_dir  # no torch at import

    return is_run_dir(folder)


def _card(data: Any) -> bool:
    return isinstance(data, dict) and "format_version" in data and "aimm_nlp" in data


_TOKENIZER = ("tokenizer.json", "tokenizer_config.json", "tokenizer_card.json", "tokenizer.model",
              "special_tokens_map.json", "added_tokens.json", "chat_template.jinja", "README.md")  # fmt: skip
_STATS = ("stats.json", "stats.md", "length_hist.png", "shares.png")
_RUN = ("config.yaml", "metrics.jsonl", "checkpoints/**", "model/**", ".model.tmp/**", "README.md",
        "curve.png", "run.json")  # fmt: skip

#: every command that writes a folder, by its name on the command line
KINDS: dict[str, Kind] = {
    "corpus build": Kind(
        "aimm corpus build",
        "corpus",
        "manifest.json",
        ("manifest.json", "data-*-of-*.parquet", "stats/*.json", "stats/*.md", "stats/*.png"),
        recognise=_corpus_manifest,
        label="",
        option="output.overwrite=true",
    ),
    "finetune": Kind(
        "aimm finetune",
        "run folder",
        ".aimm_run.json",
        (".aimm_run.json", *_RUN),
        recognise=_run_marker,
        legacy=_legacy_run,
        label="run.output_dir",
        option="run.resume=true to continue it, or run.overwrite=true",
    ),
    "tokenizer": Kind(
        "aimm tokenizer train/extend", "tokenizer folder", "tokenizer_card.json", _TOKENIZER, recognise=_card
    ),
    "langid train": Kind(
        "aimm langid train",
        "langid model",
        "config.json",
        ("config.json", "weights.npz", "words/config.json", "words/weights.npz", "CARD.md"),
        recognise=lambda d: isinstance(d, dict) and d.get("format") == "aimm_langid",
    ),
    "translit train": Kind(
        "aimm translit train",
        "transliteration model",
        "model.json",
        ("model.json", "joint.json.gz", "ranker.json.gz", "foreign.json.gz"),
        recognise=lambda d: (
            isinstance(d, dict) and d.get("kind") in ("joint_ngram", "rule_ranker") and "format_version" in d
        ),
    ),
    "report": Kind(
        "aimm report",
        "report folder",
        OUTPUT_MARKER,
        (OUTPUT_MARKER, "leaderboard.md", "leaderboard.html", "leaderboard.csv", "leaderboard.json", "*.png"),
        legacy=_all("leaderboard.md", "leaderboard.html"),
    ),
    "corpus describe": Kind(
        "aimm corpus describe",
        "stats folder",
        OUTPUT_MARKER,
        (OUTPUT_MARKER, *_STATS),
        legacy=_all("stats.json", "stats.md"),
    ),
    "tokenizer eval": Kind(
        "aimm tokenizer eval",
        "tokenizer evaluation folder",
        OUTPUT_MARKER,
        (OUTPUT_MARKER, "metrics.json", "metrics.md", "fertility.png"),
        legacy=_all("metrics.json", "metrics.md"),
    ),
}


def foreign_files(folder: Path, kind: Kind) -> list[str]:
    """The paths under ``folder`` that ``kind``'s command does not write (links and odd files too)."""
    found: list[str] = []

    def walk(path: Path, rel: str) -> None:
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            name = f"{rel}{entry.name}"
            if entry.is_symlink():
                found.append(name)
            elif entry.is_dir():
                if any(fnmatch.fnmatchcase(f"{name}/**", p) for p in kind.files):
                    continue  # a folder of its own (checkpoints/, model/)
                if any(p.startswith(f"{name}/") for p in kind.files):
                    walk(entry, f"{name}/")
                else:
                    found.append(name)
            elif not (entry.is_file() and any(fnmatch.fnmatchcase(name, p) for p in kind.files)):
                found.append(name)

    walk(folder, "")
    return found


def _names(names: list[str], limit: int = 5) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_output_folder(path: str | os.PathLike[str], kind: Kind, *, overwrite: bool) -> bool:
    """Raise :class:`ConfigError` unless ``kind``'s command may write ``path``; reads only.

    Returns:
        True when ``path`` is an earlier output of the command that ``overwrite`` replaces, False
        when it is missing or an empty folder.
    """
    out = Path(path)
    where = f"{kind.label} {out}".lstrip()
    parent = file_in_the_way(out)
    if parent is not None:
        raise ConfigError(
            f"{where}: cannot be created, {parent} is a file, not a folder; choose another output"
        )
    if not out.exists() and not out.is_symlink():
        return False
    if not out.is_dir() or out.is_symlink():
        what = "a link" if out.is_symlink() else "a file"
        raise ConfigError(
            f"{where}: is {what} ({out.name} is {what}, not a folder); it is never replaced. "
            "Choose another output (a new or empty folder)"
        )
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return False
    if not kind.owns(out):
        raise ConfigError(
            f"{where} exists and is not an aimm {kind.what}: it holds files ({_names(entries)}) but no "
            f"{kind.marker} from {kind.command}, so it is never written into or replaced, even with "
            f"{kind.option}. Choose another output (a new or empty folder)"
        )
    extra = foreign_files(out, kind)
    if extra:
        raise ConfigError(
            f"{where}: is an aimm {kind.what} but also holds files aimm did not write ({_names(extra)}); "
            f"it was left untouched. Move them out of the folder, or choose another output"
        )
    if not overwrite:
        raise ConfigError(
            f"{where}: already exists (an earlier {kind.what} of {kind.command}); pass {kind.option} to "
            "replace it (kept until the new one is complete), or choose another output"
        )
    return True


def _sibling(out: Path, tag: str, kind: Kind) -> Path:
    """A new hidden sibling ``.NAME.aimm-TAG.PID-XXXXXXXX`` holding the staging note."""
    while True:
        path = out.with_name(f".{out.name}.aimm-{tag}.{os.getpid()}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        note = {"command": kind.command, "pid": os.getpid(), "target": out.name}
        try:
            (path / STAGING_NOTE).write_text(json.dumps(note) + "\n", "utf-8")
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return path


def clean_leftovers(out: Path, kind: Kind) -> list[Path]:
    """Delete the staging/trash siblings of ``out`` that a killed run of ``kind``'s command left.

    Only folders named ``.NAME.aimm-new.PID-*`` or ``.NAME.aimm-old.PID-*`` whose PID no longer runs,
    and that are empty or hold a staging note naming the same command; never anything else.
    """
    removed = []
    prefix = f".{out.name}.aimm-"
    with contextlib.suppress(OSError):
        for entry in out.parent.iterdir():
            rest = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
            tag, _, tail = rest.partition(".")
            pid = tail.partition("-")[0]
            if tag not in ("new", "old") or not pid.isdigit() or entry.is_symlink() or not entry.is_dir():
                continue
            if pid_alive(int(pid)):
                continue
            try:
                note = json.loads((entry / STAGING_NOTE).read_text("utf-8"))
            except (OSError, ValueError):
                note = None
            if isinstance(note, dict) and note.get("command") == kind.command:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            elif note is None and not any(entry.iterdir()):
                entry.rmdir()
                removed.append(entry)
    return removed


@contextlib.contextmanager
def output_folder(path: str | os.PathLike[str], kind: Kind, *, overwrite: bool) -> Iterator[Path]:
    """Yield a hidden staging folder to write ``kind``'s output in; swap it in at ``path`` on success.

    Runs :func:`check_output_folder` (again, when the caller checked before its work: the folder may
    have changed meanwhile) and once more right before the swap. The staging folder gets
    ``kind``'s marker when it is :data:`OUTPUT_MARKER`. On any failure the staging folder is deleted
    and ``path`` is as it was; an OS error names ``path``, not the staging folder.
    """
    out = Path(os.path.abspath(path))  # "." has no name to derive a sibling's from
    check_output_folder(path, kind, overwrite=overwrite)
    clean_leftovers(out, kind)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = _sibling(out, "new", kind)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        if kind.marker == OUTPUT_MARKER:
            (staging / OUTPUT_MARKER).write_text(json.dumps(_marker(kind.command)) + "\n", "utf-8")
        yield staging
        (staging / STAGING_NOTE).unlink()
        _swap_in(staging, out, path, kind, overwrite)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        old = (exc.filename, exc.filename2)
        new = tuple(None if f is None else str(f).replace(str(staging), str(path)) for f in old)
        if new == old or exc.errno is None:
            raise
        raise type(exc)(exc.errno, exc.strerror, new[0], None, new[1]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out: Path, path: str | os.PathLike[str], kind: Kind, overwrite: bool) -> None:
    if check_output_folder(path, kind, overwrite=overwrite) or (out.is_dir() and not out.is_symlink()):
        trash = _sibling(out, "old", kind)
        os.replace(out, trash / out.name)
        try:
            os.replace(staging, out)
        except BaseException:
            os.replace(trash / out.name, out)
            raise
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, out)
