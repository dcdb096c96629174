"""``aimm normalize``: normalize text files or stdin line by line."""

from __future__ import annotations

import argparse

from aimm_nlp.errors import ConfigError

ORDER = 10


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "normalize",
        help="normalize Moroccan text line by line (stdin -> stdout)",
        description=(
            "Normalize text with a preset. Reads FILEs (or stdin), streams line by line and writes "
            "exactly one output line per input line; empty lines are kept, and line breaks inside a line "
            "(\\r, \\v, \\f, \\x1c-\\x1e, U+0085, U+2028, U+2029) become spaces. A UTF-8 byte order mark is dropped."
        ),
        epilog="example: aimm normalize --preset ary_arab.v1 --set teh_marbuta=true in.txt -o out.txt",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="UTF-8 text files (default: stdin)")
    p.add_argument("--preset", default="auto", help="preset name (see `aimm ls presets`; default: auto)")
    p.add_argument(
        "--set",
        dest="switches",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a switch, e.g. --set mask_urls=true (repeatable; `aimm ls switches`)",
    )
    p.add_argument(
        "-o",
        "--output",
        help="write here atomically instead of stdout; may be the input file itself (in place) "
        "when there is only one",
    )
    p.add_argument(
        "--errors",
        choices=["strict", "replace"],
        default="strict",
        help="invalid UTF-8: fail with file/line/offset (strict, default) or substitute U+FFFD",
    )
    p.set_defaults(func=run)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_switches(items: list[str]) -> tuple[dict[str, bool], list[str]]:
    """Parse ``KEY=VALUE`` strings into booleans; return ``(switches, errors)``."""
    out, errors = {}, []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            errors.append(f"--set {item!r}: expected KEY=VALUE, e.g. mask_urls=true")
        elif value.lower() in _TRUE | _FALSE:
            out[key.strip()] = value.lower() in _TRUE
        else:
            errors.append(f"--set {item!r}: value must be true or false")
    return out, errors


def run(args: argparse.Namespace) -> int:
    from aimm_nlp._io import (
        REPLACE_HINT,
        atomic_output,
        inputs_replaced,
        iter_lines,
        one_line,
        output_problem,
        utf8_stdout,
    )
    from aimm_nlp.errors import UnknownNameError
    from aimm_nlp.text.normalize import Normalizer

    utf8_stdout()
    switches, errors = parse_switches(args.switches)
    try:
        norm = Normalizer(args.preset, **switches)
    except ConfigError as exc:
        errors = [*errors, *exc.errors]
    except UnknownNameError as exc:
        errors = [str(exc), *errors]
    sources = args.files or [None]
    problem = output_problem(args.output) if args.output not in (None, "-") else None
    clash = inputs_replaced(args.output, sources, in_place=True)
    errors += [f"-o/--output: {problem}"] if problem else [clash] if clash else []
    if errors:
        raise ConfigError("invalid options (nothing was written):", errors=errors)
    with atomic_output(args.output) as out:
        for source in sources:
            for line in iter_lines(source, errors=args.errors, hint=REPLACE_HINT):
                # one_line: with --set whitespace=false a \r or U+2028 would split the line for readers
                out.write(one_line(norm(line)))
                out.write("\n")
    return 0
