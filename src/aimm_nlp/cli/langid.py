"""``aimm langid``: identify the language of each line; ``aimm langid train``: train a model."""

from __future__ import annotations

import argparse

ORDER = 30

_EPILOG = """\
examples:
  echo "wach nta mzyan?" | aimm langid                 # ary_Latn<TAB>0.98
  aimm langid --words --format jsonl tweets.txt more_tweets.txt
  aimm langid --scores --prior arb_Arab=0.7 tweets.txt     # ary_Arab<TAB>0.91<TAB>0.9100
  aimm langid train --data my.tsv --text-col text --label-col label --out my_model
  aimm langid --model my_model corpus.txt
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "langid",
        help="language/variety ID per line (ary_Arab, ary_Latn, arb_Arab, fra, eng, zgh, ber)",
        description=(
            "Identify the language of every input line. Streams FILEs in order (or stdin) and writes exactly one "
            "output line per input line: `label<TAB>score` (tsv) or one JSON object (jsonl); --scores adds the "
            "dialectness (calibrated probability of Darija rather than MSA; `nan` without Arabic letters). "
            "`aimm langid train ...` trains a model of your own."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_identify_options(p)
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


_MAX_BATCH = 1_000_000


def _add_identify_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="UTF-8 text file, one text per line (default: stdin; more FILEs may follow); "
        "or `train` followed by training options (see `aimm langid train --help`)",
    )
    p.add_argument("--model", metavar="DIR", help="model folder from `aimm langid train` (default: shipped)")
    p.add_argument("--words", action="store_true", help="also tag every word (tsv: word/label pairs)")
    p.add_argument(
        "--scores",
        action="store_true",
        help="also print the dialectness, in [0, 1]: P(Darija | Darija or MSA), `nan` for a line without Arabic "
        "letters (tsv: a third column; jsonl: `dialectness` (null without Arabic letters) and every class's `scores`)",
    )
    p.add_argument(
        "--prior",
        action="append",
        default=[],
        metavar="LABEL=RATE",
        help="base rate of a label in your data, in (0, 1), e.g. arb_Arab=0.7 (repeatable; the other labels of "
        "that script share the rest); shifts labels, scores and dialectness",
    )
    p.add_argument("--format", choices=["tsv", "jsonl"], default="tsv", help="output format (default tsv)")
    p.add_argument(
        "--batch-size",
        type=int,
        default=2048,
        help=f"lines per batch, 1-{_MAX_BATCH:,} (default 2048; a batch also ends at 4M characters)",
    )
    p.add_argument("-o", "--output", help="write here atomically instead of stdout (not an input FILE)")
    p.add_argument(
        "--errors",
        choices=["strict", "replace"],
        default="strict",
        help="invalid UTF-8: fail with file/line/offset (strict, default) or substitute U+FFFD",
    )


def add_train_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aimm langid train",
        description="Train a hashed character n-gram langid model from a TSV/CSV/JSONL table "
        "(aimm_nlp.text.train_langid). Writes config.json, weights.npz, words/ (the word model) and CARD.md "
        "(options, class and source counts) into --out. Scores are not calibrated (the repository's "
        "tools/calibrate_langid.py fits a Darija/MSA calibration on a dev set).",
    )
    p.add_argument("--data", required=True, help="training table (.tsv, .csv or .jsonl, with a header)")
    p.add_argument("--text-col", required=True, help="column holding the text")
    p.add_argument("--label-col", required=True, help="column holding the label (e.g. ary_Latn)")
    p.add_argument("--source-col", help="optional column naming the source, for source-balanced weights")
    p.add_argument(
        "--out",
        required=True,
        help="output model folder: new or empty, or an earlier `aimm langid train` model with --overwrite "
        "(built aside and moved into place when complete; a folder holding other files is refused)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out when it is a model folder this command wrote and holds nothing else",
    )
    p.add_argument(
        "--C", type=float, default=5.0, help="inverse L2 regularisation strength, above 0 (default 5)"
    )
    p.add_argument(
        "--bits", type=int, default=20, help="log2 of hash buckets, 8-24 (default 20; 18 is smaller)"
    )
    p.add_argument("--max-iter", type=int, default=100, help="optimiser iterations, 1 or more (default 100)")
    p.add_argument("--seed", type=int, default=13, help="augmentation seed (default 13)")
    p.add_argument(
        "--chunks", type=int, default=1, help="pairs of random chunks (1-3, 4-12 words) per text (default 1)"
    )
    p.add_argument(
        "--source-weight",
        action="append",
        default=[],
        metavar="SOURCE=FACTOR",
        help="multiply the weight of one source's rows (needs --source-col; repeatable)",
    )
    p.add_argument(
        "--bias-shift",
        action="append",
        default=[],
        metavar="LABEL=DELTA",
        help="add DELTA to one class's fitted intercept, a prior shift (repeatable)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from aimm_nlp._io import utf8_stdout
    from aimm_nlp.errors import ConfigError

    utf8_stdout()

    if args.file == "train":
        given = _given_options(args)
        if given:
            raise ConfigError(
                f"{', '.join(given)} before `train`: options go after it, e.g. "
                "`aimm langid train --data my.tsv --text-col text --label-col label --out my_model`"
            )
        return run_train(args.rest)
    files = [args.file] if args.file is not None else []
    if args.rest:  # more files, and options after FILE: parse them like options before it
        again = argparse.ArgumentParser(prog="aimm langid")
        _add_identify_options(again)
        again.add_argument("more", nargs="*", help=argparse.SUPPRESS)
        args = again.parse_args(args.rest, namespace=argparse.Namespace(**{**vars(args), "file": None}))
        files += [args.file, *args.more] if args.file is not None else args.more
    return _identify_files(args, files)


def _given_options(args: argparse.Namespace) -> list[str]:
    """The identify options set on the command line (they differ from their defaults)."""
    p = argparse.ArgumentParser()
    _add_identify_options(p)
    defaults = vars(p.parse_args([]))
    return [
        f"--{k.replace('_', '-')}" for k, v in defaults.items() if k != "file" and getattr(args, k, v) != v
    ]


def _identify_files(args: argparse.Namespace, files: list[str]) -> int:
    import json
    import math

    from aimm_nlp._io import (
        REPLACE_HINT,
        atomic_output,
        inputs_replaced,
        iter_lines,
        output_in_model,
        output_problem,
    )
    from aimm_nlp.errors import AimmError, ConfigError
    from aimm_nlp.text.langid import (
        MAX_CHARS,
        dialectness_batch,
        identify_batch,
        iter_word_tags,
        load_langid_model,
    )

    errors = (
        []
        if 1 <= args.batch_size <= _MAX_BATCH
        else [f"--batch-size must be 1 to {_MAX_BATCH}, got {args.batch_size}"]
    )
    problem = output_problem(args.output) if args.output not in (None, "-") else None
    if problem:
        errors.append(f"-o/--output: {problem}")
    clash = inputs_replaced(args.output, files or [None], in_place=False)  # labels would replace the text
    clash = clash or output_in_model(args.output, args.model)
    if clash:
        errors.append(clash)
    priors = _numbers(args.prior, "--prior", "LABEL=RATE", True, errors)
    if priors:
        try:
            identify_batch([], model=args.model, priors=priors)  # checks the rates against the model's labels
        except ConfigError as exc:
            errors += [f"--prior: {e}" for e in exc.errors]
        except AimmError:
            pass  # a bad --model: reported below
    if errors:
        raise ConfigError("invalid options (nothing was written):", errors=errors)
    load_langid_model(args.model)  # fail before reading or writing anything
    if args.scores:
        dialectness_batch([], model=args.model)  # a model without ary_Arab/arb_Arab fails here

    def flush(lines: list[str], out) -> None:
        guesses = identify_batch(lines, model=args.model, priors=priors or None)
        dials = dialectness_batch(lines, model=args.model, priors=priors or None) if args.scores else None
        for k, (line, guess) in enumerate(zip(lines, guesses, strict=True)):
            if args.format == "jsonl":
                obj = {"lang": guess.lang, "score": round(guess.score, 4), "mixed": guess.mixed}
                if dials is not None:
                    obj["dialectness"] = None if math.isnan(dials[k]) else round(dials[k], 4)
                    obj["scores"] = {lab: round(p, 4) for lab, p in guess.scores.items()}
                if not args.words:
                    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
                    continue
                out.write(json.dumps(obj, ensure_ascii=False)[:-1] + ', "words": [')
                sep = ""
                for words in iter_word_tags(line, model=args.model):  # a huge line: window by window
                    for w in words:
                        out.write(sep + json.dumps([w.text, w.lang], ensure_ascii=False))
                        sep = ", "
                out.write("]}\n")
            else:
                out.write(f"{guess.lang}\t{guess.score:.4f}")
                if dials is not None:
                    out.write(f"\t{dials[k]:.4f}")
                if args.words:
                    out.write("\t")
                    sep = ""
                    for words in iter_word_tags(line, model=args.model):  # a huge line: window by window
                        if words:
                            out.write(sep + " ".join(f"{w.text}/{w.lang}" for w in words))
                            sep = " "
                out.write("\n")

    with atomic_output(args.output) as out:
        for source in files or [None]:  # several files: their lines in order, as one stream
            batch: list[str] = []
            chars = 0  # long lines: a batch also ends at _BATCH_CHARS characters, so memory stays bounded
            for line in iter_lines(source, errors=args.errors, hint=REPLACE_HINT):
                batch.append(line)
                chars += min(len(line), MAX_CHARS)
                if len(batch) >= args.batch_size or chars >= _BATCH_CHARS:
                    flush(batch, out)
                    batch, chars = [], 0
            if batch:
                flush(batch, out)
    return 0


_BATCH_CHARS = 1 << 22  # 4M characters: a batch of 2048 long lines would take gigabytes


def _numbers(items: list[str], flag: str, form: str, ready: object, errors: list[str]) -> dict[str, float]:
    """``NAME=NUMBER`` options as a dict; a bad item, or ``ready`` false (a needed companion option
    missing), adds to ``errors``."""
    out = {}
    for item in items:
        name, sep, value = item.rpartition("=")
        try:
            out[name] = float(value)
        except ValueError:
            name = ""
        if not (sep and name and ready):
            errors.append(f"{flag} wants {form}, got {item!r}")
    return out


_FLAGS = {"bits": "--bits", "C": "--C", "max_iter": "--max-iter", "seed": "--seed", "chunks": "--chunks"}


def run_train(argv: list[str]) -> int:
    from pathlib import Path

    from aimm_nlp._io import output_problem
    from aimm_nlp._outdir import KINDS, check_output_folder
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.text.langid import check_train_options as check_options
    from aimm_nlp.text.langid import read_table, train_langid

    args = add_train_parser().parse_args(argv)
    errors: list[str] = []
    source_weights = _numbers(
        args.source_weight, "--source-weight", "SOURCE=FACTOR and --source-col", args.source_col, errors
    )
    bias_shift = _numbers(args.bias_shift, "--bias-shift", "LABEL=DELTA", True, errors)
    options = {key: getattr(args, flag[2:].replace("-", "_")) for key, flag in _FLAGS.items()}
    errors += check_options(
        {**options, "source_weights": source_weights, "bias_shift": bias_shift},
        names={**_FLAGS, "source_weights": "--source-weight", "bias_shift": "--bias-shift"},
    )
    data = Path(args.data)
    if data.is_dir():
        errors.append(f"--data {data}: is a folder; pass a TSV, CSV or JSONL file")
    elif not data.exists():
        errors.append(f"--data {data}: no such file; pass a TSV, CSV or JSONL file")
    problem = output_problem(args.out, folder=True)
    if problem:
        errors.append(f"--out: {problem}")
    else:
        try:
            check_output_folder(args.out, KINDS["langid train"], overwrite=args.overwrite)
        except ConfigError as exc:
            errors.append(str(exc))
    if errors:
        raise ConfigError("invalid options (nothing was written):", errors=errors)
    texts, labels, sources = read_table(
        args.data, text_col=args.text_col, label_col=args.label_col, source_col=args.source_col
    )
    cfg = train_langid(
        texts,
        labels,
        sources=sources,
        out=args.out,
        source_weights=source_weights,
        bias_shift=bias_shift,
        overwrite=args.overwrite,
        **options,
    )
    print(f"trained {len(cfg['labels'])} classes on {len(texts)} texts -> {args.out}")
    return 0
