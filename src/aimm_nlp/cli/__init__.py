"""The ``aimm`` command: one argparse subcommand per module in this package.

Every public module here (no leading underscore) is a subcommand: it defines
``ORDER`` (position in ``--help``) and ``add_parser(subparsers)``, whose parser
sets ``func=run`` with ``run(args) -> int``. Modules import heavy libraries
inside ``run`` so ``aimm --help`` stays instant.
Errors derived from :class:`aimm_nlp.errors.AimmError`, and OS errors (a folder
given as an output file, no permission, a full disk, a closed stdout), print one
clear message on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Sequence

from aimm_nlp import __version__

__all__ = ["build_parser", "main"]

EPILOG = """\
quick start:
  aimm demo                                   # the whole pipeline on embedded data -> HTML report
  echo "واااش نتا مزيااااان؟" | aimm normalize
  echo "ana ghadi l réunion demain, 3afak" | aimm translit --src ary_Latn --dst ary_Arab
  echo "salam, labas 3lik?" | aimm langid
  aimm eval --model aimm_demo/runs/ary_sentiment_tiny/model --suite morocco-mini --output out.json
  aimm ls presets

Run `aimm COMMAND --help` for the options of one command.
"""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs and tests).

    With ``command``, the name of a subcommand, only that subcommand is added (what :func:`main` parses
    its arguments with: the other commands' modules stay unimported, ~20 ms of every ``aimm`` run); any
    other ``command`` gives the full parser.
    """
    parser = argparse.ArgumentParser(
        prog="aimm",
        description="aimm_nlp: NLP toolkit for Moroccan languages (Darija, Arabizi, MSA, French, Amazigh).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aimm_nlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command and command.isidentifier() and command[0] != "_" and _is_module(command):
        names = [command]  # each module adds the subcommand of its own name
    else:  # pkgutil's listing imports inspect (~5 ms): only for the full parser
        import pkgutil

        names = [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    modules = [importlib.import_module(f"aimm_nlp.cli.{name}") for name in names]
    for module in sorted(modules, key=lambda m: (m.ORDER, m.__name__)):
        module.add_parser(sub)
    return parser


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module of this package, a file beside this one (a zipped install: False)."""
    return os.path.isfile(os.path.join(__path__[0], f"{name}.py"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aimm`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from aimm_nlp.errors import AimmError

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from aimm_nlp._io import utf8_stdout

    utf8_stdout()  # Arabic/Tifinagh in any command's output, whatever the locale says
    try:
        return int(args.func(args) or 0)
    except AimmError as exc:
        print(f"aimm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `aimm normalize big.txt | head` is normal use, not an error.
        sys.stderr.close()
        return 0
    except OSError as exc:
        print(f"aimm {args.command}: error: {_describe_os_error(exc)}", file=sys.stderr)
        _settle_stdout()
        return 2


_HINTS = {
    errno.EISDIR: "pass a file path, not a folder",
    errno.ENOTDIR: "choose another path, or move the file in the way",
    errno.EEXIST: "a file is in the way where a folder is needed; choose another path or move the file",
    errno.EACCES: "choose a place you can write to",
    errno.EPERM: "choose a place you can write to",
    errno.EROFS: "choose a folder on a writable disk",
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.ENOENT: "check the path",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.EBADF: "pass -o FILE, or redirect the output (`> out.txt`)",
}


def _describe_os_error(exc: OSError) -> str:
    """``PATH: what went wrong; the fix`` for an OS error, without a traceback."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename  # a rename names its target second
    text = exc.strerror or str(exc)
    if path is not None:
        text = f"{path}: {text}"
    elif exc.errno == errno.EBADF:
        text = f"<stdout>: {text} (standard output closed?)"
    hint = _HINTS.get(exc.errno)
    return f"{text}; {hint}" if hint else text


def _settle_stdout() -> None:
    """A failed stdout would fail again at exit ("Exception ignored ..."): point it at devnull then."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
