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
    p.add_argument(
        "--out",
        required=True,
        help="output folder: new or empty, or an earlier `aimm report` folder with --overwrite "
        "(built aside and moved into place when complete; a folder holding other files is refused)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out when it is an earlier report folder holding nothing but the report",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder
    from aimm_nlp.report import report

    check_output_folder(args.out, KINDS["report"], overwrite=args.overwrite)  # before reading the runs
    _refuse_runs_inside(args.runs, args.out)
    with output_folder(args.out, KINDS["report"], overwrite=args.overwrite) as tmp:
        written = report(args.runs, out=tmp)
    for kind, path in written.items():
        print(f"{kind:<24} {Path(args.out) / path.relative_to(tmp)}")
    return 0


def _refuse_runs_inside(runs: list[str], out: str) -> None:
    """A run file inside ``--out`` would go with the old report when ``--overwrite`` replaces it."""
    from pathlib import Path

    from aimm_nlp.errors import ConfigError

    folder = Path(out).resolve()
    inside = [r for r in runs if Path(r).resolve().is_relative_to(folder)]
    if inside:
        raise ConfigError(
            f"{inside[0]}: this run file is inside --out {out}, which the report replaces; "
            "move the run file out of that folder or pick another --out (nothing was written)"
        )
