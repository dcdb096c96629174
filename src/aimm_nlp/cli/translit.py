"""``aimm translit``: transliterate line by line; ``aimm translit train`` / ``eval`` for pair-trained models."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from aimm_nlp.errors import ConfigError
from aimm_nlp.langs import ARY_ARAB, ARY_LATN

ORDER = 20

_EPILOG = """\
examples:
  echo "ana ghadi l réunion demain, 3afak" | aimm translit --src ary_Latn --dst ary_Arab
  aimm translit --src zgh_Tfng --dst zgh_Latn amazigh.txt -o amazigh.latn.txt
  aimm translit --src arb_Arab --dst bw news.txt
  aimm translit train --pairs ../shared/data/doda/words_translit.tsv --src-col latin --dst-col arabic --out doda_model
  aimm translit --model doda_model tweets.txt
  aimm translit --phonetic arabizi_corpus.txt -o corpus.arab.txt      # letter by letter, fast
  aimm translit eval --pairs test.tsv --src-col latin --dst-col arabic --model doda_model

subcommands: `aimm translit train --help`, `aimm translit eval --help`.
pairs: ary_Latn->ary_Arab (ranked; --model or --phonetic), ary_Arab->ary_Latn, zgh_Tfng<->zgh_Latn, zgh_Tfng->zgh_Arab,
       arb_Arab/ary_Arab <-> bw / safebw / hsb.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "translit",
        help="transliterate Arabizi/Arabic, Tifinagh/Latin, Buckwalter (stdin -> stdout); train/eval models",
        description=(
            "Transliterate FILEs (or stdin) line by line, one output line per input line (streamed in blocks "
            "of 2048 lines; line by line from a terminal): line breaks inside a line (\\r, \\v, \\f, U+0085, "
            "U+2028, U+2029, \\x1c-\\x1e) become spaces. In Arabizi input, URLs, @mentions, #hashtags, numbers, "
            "emoji, emoticons typed with letters (:D, xD) and HTML entities stay verbatim, and so do French/English words, decided from the whole line (a listed word "
            "always; a word that only looks foreign next to other foreign words; a line of one word is "
            "transliterated unless listed)."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_plain_options(p)
    p.add_argument(
        "rest", nargs=argparse.REMAINDER, metavar="FILE | train ... | eval ...", help="input files"
    )
    p.set_defaults(func=run)


def _add_plain_options(p: argparse.ArgumentParser, default: object = "keep") -> None:
    d = (lambda v: v) if default == "keep" else (lambda v: argparse.SUPPRESS)
    p.add_argument("--src", default=d(ARY_LATN), help="source code (default ary_Latn)")
    p.add_argument("--dst", default=d(ARY_ARAB), help="target code (default ary_Arab)")
    p.add_argument(
        "--model",
        default=d(None),
        metavar="DIR",
        help="trained model folder (ary_Latn->ary_Arab); in a file with under 1%% of lines of 4+ words (a "
        "word list) every line is read as an entry",
    )
    p.add_argument(
        "--no-keep-foreign",
        dest="keep_foreign",
        action="store_false",
        default=d(True),
        help="transliterate French/English words too",
    )
    p.add_argument(
        "--phonetic",
        action="store_true",
        default=d(False),
        help="ary_Latn->ary_Arab by the rules alone, letter by letter (sift -> سيفت; much faster, and with "
        "--no-keep-foreign the shipped model is not even read)",
    )
    p.add_argument(
        "-o",
        "--output",
        default=d(None),
        help="write here atomically instead of stdout; may be the only input FILE itself (in place)",
    )
    p.add_argument(
        "--errors", choices=["strict", "replace"], default=d("strict"), help="invalid UTF-8 handling"
    )


def _pairs_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pairs", required=True, metavar="FILE", help="TSV/CSV pair file with a header row")
    p.add_argument("--src-col", required=True, metavar="C", help="column with Arabizi")
    p.add_argument("--dst-col", required=True, metavar="C", help="column with Arabic script")
    p.add_argument("--delimiter", help="field delimiter (default: tab; comma for .csv)")


def _train_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aimm translit train",
        description="Train a joint-sequence Arabizi->Arabic model from pairs (EM alignment + graphone n-gram). "
        "It spells words of its training pairs as they were spelled there and backs off to the shipped "
        "ranker where its own evidence is weak (rule chosen by 3-fold cross-validation on the training "
        "rows, by target word, and used only where it beats the shipped ranker beyond chance: a paired "
        "bootstrap). Prints JSON: sizes, the back-off rule with its cross-validation figures and the "
        "held-out CER of the shipped default beside the new model's (per source when the pairs name them; "
        "a warning on stderr where the model is worse).",
    )
    _pairs_options(p)
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="model folder to write: new or empty, or an earlier `aimm translit train` model with "
        "--overwrite (built aside and moved into place when complete; a folder holding other files is refused)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out when it is a model folder this command wrote and holds nothing else",
    )
    p.add_argument("--order", type=int, default=4, help="graphone n-gram order, 2-6 (default 4)")
    p.add_argument("--iterations", type=int, default=5, help="EM iterations, 1-20 (default 5)")
    p.add_argument("--beam", type=int, default=8, help="decoding beam, 1-512 (default 8)")
    p.add_argument(
        "--holdout",
        type=float,
        default=0.1,
        help="share of the rows held out by target text (all spellings of a word on one side), 0-0.5 "
        "(default 0.1): the model trains on the rest; the shipped default's and the model's CER on them "
        "are printed side by side and kept in model.json. 0: no held-out scores",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="salt of the held-out split and the back-off folds (default 0)"
    )
    p.add_argument("--name", default="joint", help="model name recorded in the sidecar")
    return p


def _eval_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aimm translit eval",
        description="Score a model on pairs: CER (folded, strict), word-exact, per-source breakdown; JSON out, "
        "always with the shipped default's scores on the same pairs beside the model's (default, "
        "cer_folded_vs_default).",
    )
    _pairs_options(p)
    p.add_argument("--model", metavar="DIR", help="trained model folder (default: the shipped ranker)")
    p.add_argument(
        "--source-col", help="column to break scores down by (default: source/source_file if present)"
    )
    p.add_argument("--keep-foreign", action="store_true", help="keep French/English words verbatim (off)")
    p.add_argument("--phonetic", action="store_true", help="score the shipped rules' phonetic reading")
    p.add_argument(
        "-o", "--output", help="write the JSON here atomically instead of stdout (not the --pairs file)"
    )
    return p


def run(args: argparse.Namespace) -> int:
    from aimm_nlp._io import atomic_output, inputs_replaced, output_in_model, output_problem, utf8_stdout

    utf8_stdout()
    rest = list(args.rest)
    if rest and rest[0] in ("train", "eval"):
        given = _given_options(args)
        if given:
            raise ConfigError(
                f"{', '.join(given)} before `{rest[0]}`: options go after it, e.g. "
                f"`aimm translit {rest[0]} --pairs FILE --src-col C --dst-col C ...` "
                f"(see `aimm translit {rest[0]} --help`)"
            )
    if rest and rest[0] == "train":
        from aimm_nlp.text.translit import train_transliterator

        a = _train_parser().parse_args(rest[1:])
        _check_pairs_options(a, out=("--out", a.out, True))
        report = train_transliterator(
            a.pairs,
            src_col=a.src_col,
            dst_col=a.dst_col,
            out=a.out,
            order=a.order,
            iterations=a.iterations,
            beam=a.beam,
            delimiter=a.delimiter,
            name=a.name,
            overwrite=a.overwrite,
            holdout=a.holdout,
            seed=a.seed,
        )
        json.dump(report.__dict__, sys.stdout, indent=1)
        print()
        _warn_if_worse(report.heldout)
        _note_no_sources(report.backoff)
        return 0
    if rest and rest[0] == "eval":
        from aimm_nlp.text.translit import evaluate_transliteration

        a = _eval_parser().parse_args(rest[1:])
        _check_pairs_options(a, out=("-o/--output", a.output, False))
        report = evaluate_transliteration(
            a.pairs,
            src_col=a.src_col,
            dst_col=a.dst_col,
            model=a.model,
            source_col=a.source_col,
            delimiter=a.delimiter,
            keep_foreign=a.keep_foreign,
            phonetic=a.phonetic,
        )
        with atomic_output(a.output) as out:
            out.write(json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n")
        return 0
    # Options may also follow the files: parse the remainder with the same options.
    late = argparse.ArgumentParser(prog="aimm translit", add_help=False)
    _add_plain_options(late, default=None)
    late.add_argument("files", nargs="*")
    args = late.parse_args(rest, namespace=args)
    problem = output_problem(args.output) if args.output not in (None, "-") else None
    if problem:
        raise ConfigError(f"-o/--output: {problem}")
    clash = inputs_replaced(args.output, args.files or [None], in_place=True)
    clash = clash or output_in_model(args.output, args.model)
    if clash:
        raise ConfigError(clash)
    return _transliterate_files(args)


def _given_options(args: argparse.Namespace) -> list[str]:
    """The plain options set on the command line (they differ from their defaults)."""
    p = argparse.ArgumentParser()
    _add_plain_options(p)
    defaults = vars(p.parse_args([]))
    return [f"--{k.replace('_', '-')}" for k, v in defaults.items() if getattr(args, k, v) != v]


def _warn_if_worse(heldout: dict) -> None:
    """On stderr: where the new model spells the held-out rows worse than the shipped default."""
    worse = heldout.get("worse_than_default", [])
    if worse:
        figures = [heldout if s == "all rows" else heldout["sources"][s] for s in worse]
        told = ", ".join(
            f"{s} {f['model']['cer_folded']} vs {f['default']['cer_folded']}"
            for s, f in zip(worse, figures, strict=True)
        )
        print(
            f"warning: on the held-out rows the model is worse than the shipped default (folded CER): {told}. "
            "The default stays the better choice there; a pair file that mixes conventions (a word list and "
            "sentences) needs a `source` column naming each (README, Transliteration).",
            file=sys.stderr,
        )


def _note_no_sources(backoff: dict) -> None:
    """On stderr: a pair file of short and long lines without a ``source`` column (a mix the model cannot see)."""
    kinds = [backoff.get(kind, {}) for kind in ("short", "long")]
    if all(k.get("words") and set(k.get("sources", {})) == {""} for k in kinds):
        print(
            "note: the pair file has no `source` column, so its short lines (up to 3 words) and its longer "
            "lines are each taken as one convention. If it mixes a word list and sentences, name each in a "
            "`source` column (README, Transliteration): DODa's word list and sentences trained without one "
            "spelled unseen words 19% worse than the shipped default.",
            file=sys.stderr,
        )


# train_transliterator's ranges, checked here too so they are listed with the other option errors.
_RANGES = {"order": (2, 6), "iterations": (1, 20), "beam": (1, 512), "holdout": (0.0, 0.5)}


def _check_pairs_options(a: argparse.Namespace, *, out: tuple[str, str | None, bool]) -> None:
    """Every problem of the train/eval options at once, before any work: --delimiter, the output path
    (never the --pairs file), and (train) the numbers' ranges."""
    from pathlib import Path

    from aimm_nlp._io import output_in_model, output_problem, same_file_as
    from aimm_nlp.text.translit import delimiter_for

    errors = []
    try:
        delimiter_for(Path(a.pairs), a.delimiter)
    except ConfigError as exc:
        errors.append(f"--{exc}")
    flag, path, folder = out
    problem = output_problem(path, folder=folder) if path not in (None, "-") else None
    if problem:
        errors.append(f"{flag}: {problem}")
    elif same_file_as(path, [a.pairs]):
        errors.append(f"{flag} {path} is the --pairs file: it would be replaced; write to another file")
    elif output_in_model(path, getattr(a, "model", None)):
        errors.append(output_in_model(path, a.model))
    for name, (low, high) in _RANGES.items():
        value = getattr(a, name, low)
        if not low <= value <= high:
            errors.append(f"--{name} must be {low} to {high}, got {value}")
    if errors:
        raise ConfigError("invalid options (nothing was written):", errors=errors)


def _transliterate_files(args: argparse.Namespace) -> int:
    from aimm_nlp._io import REPLACE_HINT, atomic_output, iter_lines, one_line
    from aimm_nlp.text.translit import Transliterator

    t = Transliterator(
        src=args.src, dst=args.dst, model=args.model, keep_foreign=args.keep_foreign, phonetic=args.phonetic
    )
    with atomic_output(args.output) as out:
        for source in args.files or [None]:
            # Lines go through in blocks (new words of a block are converted together, and the first
            # block shows the search how big the job is: a file up to _BLOCK_CHARS is one block, so the
            # compiled search is loaded at once or not at all); from an interactive terminal, line by line.
            size = 1 if source is None and sys.stdin is not None and sys.stdin.isatty() else _BLOCK
            for block in _blocks(iter_lines(source, errors=args.errors, hint=REPLACE_HINT), size):
                # one_line: \r, U+2028... inside a line would split it for readers (str.splitlines)
                out.write(one_line("\n".join(t.batch(block))))
                out.write("\n")
    return 0


# A block ends at this many lines or characters, whichever comes first (~4 MB of text at most in memory).
_BLOCK = 1 << 17
_BLOCK_CHARS = 1 << 22


def _blocks(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    block: list[str] = []
    chars = 0
    for line in lines:
        block.append(line)
        chars += len(line)
        if len(block) >= size or chars >= _BLOCK_CHARS:
            yield block
            block, chars = [], 0
    if block:
        yield block
