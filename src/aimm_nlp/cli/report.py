"""``aimm report``: Markdown + HTML leaderboard and PNG plots across result files."""

from __future__ import annotations

import argparse

ORDER = 80


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="leaderboard (Markdown, HTML, PNG with CI bars) across results JSON files",
        epilog="example: aimm report out/bert.json out/llm.json --out report/",
    )
    p.add_argument("runs", nargs="+", metavar="RUN.json", help="results files from `aimm eval`")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aimm_nlp.report import report

    written = report(args.runs, out=args.out)
    for kind, path in written.items():
        print(f"{kind:<24} {path}")
    return 0
