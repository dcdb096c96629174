"""``aimm corpus``: build a clean corpus from a YAML config, or describe one."""

from __future__ import annotations

import argparse

ORDER = 40

EPILOG = """\
examples:
  aimm corpus build src/aimm_nlp/configs/corpus/ary_darija.yaml output.dir=out/ary clean.dedup=near clean.num_proc=2
  aimm corpus build ary_darija.yaml output.dir=out/ary output.overwrite=true
      # replace an earlier aimm corpus (or empty folder) there; any other folder or file is refused
  aimm corpus describe out/ary --out out/ary_stats
  aimm corpus describe out/ary --out out/ary_stats --overwrite   # replace the earlier stats there
  aimm corpus describe afrisenti_ma --split train --out stats/afrisenti
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "corpus",
        help="build (load, clean, deduplicate, save) or describe a corpus",
        description="Corpus pipeline on Hugging Face datasets.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmds = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)
    b = cmds.add_parser(
        "build",
        help="run a corpus config: sources -> clean -> parquet shards + manifest (+ stats)",
        description="Build a corpus from CONFIG.yaml; override any key with key.sub=value (YAML values).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("config", metavar="CONFIG.yaml", help="corpus config (see src/aimm_nlp/configs/corpus/)")
    b.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="e.g. clean.dedup=near output.dir=out/x")
    b.set_defaults(func=run_build)
    d = cmds.add_parser(
        "describe",
        help="stats per language and script as JSON, Markdown and PNG plots",
        description="Describe PATH: a saved corpus folder, a file/glob, or a catalogued corpus name.",
    )
    d.add_argument("path", metavar="PATH", help="corpus folder, file, glob or name (`aimm ls corpora`)")
    d.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for stats.json, stats.md and the PNG plots: new or empty, or an earlier "
        "`corpus describe` folder with --overwrite (a folder holding other files is refused)",
    )
    d.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out when it is an earlier stats folder holding nothing but the stats",
    )
    d.add_argument("--split", help="split of a named corpus (default: all)")
    d.add_argument("--text-column", help="column with the text (tabular files)")
    d.add_argument(
        "--top-k", type=int, default=20, help="most frequent words kept per group, 0 to 10**6 (default 20)"
    )
    d.add_argument(
        "--on-error",
        choices=["raise", "skip"],
        default="raise",
        help="a malformed line (bad JSON, wrong field type, lone surrogate): stop with its file:line "
        "(raise, default) or leave it out and count it in the stats (skip)",
    )
    d.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    d.set_defaults(func=run_describe)


def run_build(args: argparse.Namespace) -> int:
    from aimm_nlp.corpus.build import build_corpus
    from aimm_nlp.corpus.config import load_config

    cfg = load_config(args.config, overrides=args.overrides)
    result = build_corpus(cfg)
    print(result.report.to_markdown())
    print(
        f"wrote {result.saved.rows:,} documents in {len(result.saved.shards)} shard(s) to {result.saved.path}"
    )
    for path in result.stats_files:
        print(f"wrote {path}")
    return 0


def run_describe(args: argparse.Namespace) -> int:
    from pathlib import Path

    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder
    from aimm_nlp.corpus.load import load_corpus
    from aimm_nlp.corpus.stats import describe
    from aimm_nlp.errors import ConfigError

    if not 0 <= args.top_k <= 10**6:  # before the corpus is opened
        raise ConfigError(f"--top-k: must be from 0 to 10**6, got {args.top_k}")
    check_output_folder(args.out, KINDS["corpus describe"], overwrite=args.overwrite)  # before any work
    ds = load_corpus(
        args.path, split=args.split, text_column=args.text_column, streaming=True, on_error=args.on_error
    )
    stats = describe(ds, top_k=args.top_k)
    with output_folder(args.out, KINDS["corpus describe"], overwrite=args.overwrite) as tmp:
        written = stats.save(tmp, plots=not args.no_plots)
    for path in written:
        print(f"wrote {Path(args.out) / path.relative_to(tmp)}")
    return 0
