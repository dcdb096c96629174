"""``aimm demo``: the main job, corpus -> tokenizer -> fine-tune -> evaluate -> HTML report."""

from __future__ import annotations

import argparse

ORDER = 5


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole toolkit end to end and write an HTML report (a few minutes on 2 cores)",
        description=(
            "Build and describe a corpus, train a tokenizer and compare its fairness with a reference "
            "LLM tokenizer, fine-tune a tiny classifier and a tiny causal LM from scratch, evaluate them "
            "and simple baselines on the morocco-mini suite, and write an HTML report."
        ),
        epilog="examples:\n  aimm demo\n  aimm demo --data ../shared --out demo_public",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        default="aimm_demo",
        help="output folder: new, empty, or an earlier demo's (its artifacts are replaced; default: aimm_demo); "
        "a folder holding anything else is refused before any work",
    )
    p.add_argument(
        "--data",
        metavar="DIR",
        help="folder with the public sets (data/, corpora/ as in ../shared): run the `morocco` suite "
        "instead of the embedded morocco-mini data",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seed of every training step, 0 to 4294967295 (default: 0)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aimm_nlp.demo import run_demo

    result = run_demo(out=args.out, data=args.data, seed=args.seed, progress=not args.no_progress)
    parts = result.leaderboard.split(
        "\n## "
    )  # the aggregates and the all-tasks table; per-group ones in the files
    print("\n" + "\n## ".join(p for p in parts if p.startswith(("Aggregates", "All tasks"))))
    print(f"demo finished in {result.seconds:.0f} s; open the report: {result.report_html.resolve()}")
    return 0
