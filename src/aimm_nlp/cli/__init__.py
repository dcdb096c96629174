"""The ``aimm`` command: one argparse subcommand per module in this package.

Every public module here (no leading underscore) is a subcommand: it defines
``ORDER`` (position in ``--help``) and ``add_parser(subparsers)``, whose parser
sets ``func=run`` with ``run(args) -> int``. Modules import heavy libraries
inside ``run`` so ``aimm --help`` stays instant.
Errors derived from :class:`aimm_nlp.errors.AimmError` print one clear message
on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
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


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs and tests)."""
    parser = argparse.ArgumentParser(
        prog="aimm",
        description="aimm_nlp: NLP toolkit for Moroccan languages (Darija, Arabizi, MSA, French, Amazigh).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"aimm_nlp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [
        importlib.import_module(f"aimm_nlp.cli.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    for module in sorted(modules, key=lambda m: (m.ORDER, m.__name__)):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aimm`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from aimm_nlp.errors import AimmError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
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
