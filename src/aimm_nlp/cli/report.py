"""``aimm report``: a leaderboard across results files: one self-contained HTML page, Markdown, CSV, JSON, PNG."""

from __future__ import annotations

import argparse

ORDER = 80


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="leaderboard across results JSON files: one self-contained HTML page, Markdown, CSV, JSON, PNG",
        description=(
            "Systems x tasks on each task's primary metric (value +- half its 95% interval, best per\n"
            "column marked), aggregates per language/script group and overall (mean of normalized primary\n"
            "scores), a view per group, a detail section per task and a provenance section per run, in one\n"
            "HTML file that works offline (leaderboard.html), plus leaderboard.md, .csv, .json and the\n"
            "figures as PNG. Every run file is read and checked before anything is written."
        ),
        epilog="examples:\n  aimm report out/bert.json out/llm.json --out report/\n"
        "  aimm report bert=out/bert.json bert=lmeval/results_2026.json llm=out/llm.json --baseline llm --out report/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "runs",
        nargs="+",
        metavar="[NAME=]RUN.json",
        help="results files from `aimm eval` or lm-eval's own results JSON; NAME= names the system "
        "(default: the file stem), and files given the same NAME are merged into one row",
    )
    p.add_argument(
        "--baseline", metavar="NAME", help="a system: every score shows its difference to it, coloured"
    )
    p.add_argument("--title", default="aimm_nlp leaderboard", help="the page's title (default: %(default)s)")
    p.add_argument(
        "--tokenizer-report",
        metavar="DIR",
        help="a tokenizer fairness folder (metrics.json, as `aimm tokenizer eval --out` writes): adds the "
        "fertility-by-language figure",
    )
    p.add_argument(
        "--training-run",
        metavar="DIR",
        action="append",
        default=[],
        help="an `aimm finetune` run folder (metrics.jsonl): adds its training curve; repeat for more runs",
    )
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
        written = report(
            args.runs,
            out=tmp,
            baseline=args.baseline,
            title=args.title,
            tokenizer_report=args.tokenizer_report,
            training_runs={Path(r).name: r for r in args.training_run},
        )
    for kind, path in written.items():
        print(f"{kind:<24} {Path(args.out) / path.relative_to(tmp)}")
    return 0


def _refuse_runs_inside(runs: list[str], out: str) -> None:
    """A run file inside ``--out`` would go with the old report when ``--overwrite`` replaces it."""
    from pathlib import Path

    from aimm_nlp.errors import ConfigError

    folder = Path(out).resolve()
    from aimm_nlp.report.board import split_run_arg

    inside = [r for r in (split_run_arg(x)[1] for x in runs) if Path(r).resolve().is_relative_to(folder)]
    if inside:
        raise ConfigError(
            f"{inside[0]}: this run file is inside --out {out}, which the report replaces; "
            "move the run file out of that folder or pick another --out (nothing was written)"
        )
