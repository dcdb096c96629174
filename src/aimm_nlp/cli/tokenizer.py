"""``aimm tokenizer train|eval|extend``: Moroccan-aware tokenizers from the command line."""

from __future__ import annotations

import argparse
import sys

from aimm_nlp.cli._types import int_at_least

ORDER = 50

EPILOG = """\
examples:
  aimm tokenizer train src/aimm_nlp/configs/tokenizer/moroccan_32k.yaml --out out/tok32k
  aimm tokenizer train --data ary_Arab.txt fra_Latn.txt --vocab-size 8000 --out out/tok8k
  aimm tokenizer train --data ary_Arab.txt --for encoder --kind wordpiece --vocab-size 8000 --out out/bert_tok
  aimm tokenizer eval --tokenizer ours=out/tok32k --tokenizer mistral=../shared/tokenizers/mistral-7b-v0.1 \\
      --flores ../shared/corpora/flores200-subset --langs eng_Latn ary_Arab tzm_Tfng --out out/eval
  aimm tokenizer extend --base ../shared/tokenizers/mistral-7b-v0.1/tokenizer.model \\
      --data ary_Arab.txt --n-new-tokens 3000 --scripts Arab --out out/mistral_ary
"""

OVERWRITE_HELP = (
    "replace --out when it is this command's earlier output and holds nothing else (kept until the new one "
    "is complete); a folder holding other files is never replaced"
)

_FLAGS = (
    "kind",
    "for_model",
    "backend",
    "vocab_size",
    "normalizer",
    "temperature",
    "seed",
)  # flags that set config keys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tokenizer",
        help="train, evaluate (fertility/parity per language) and extend tokenizers",
        description="Train Moroccan-aware tokenizers, compare tokenizers across languages and scripts, "
        "and add Moroccan tokens to an existing tokenizer.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tsub = p.add_subparsers(dest="tokenizer_command", metavar="ACTION", required=True)

    t = tsub.add_parser("train", help="train a tokenizer from a YAML config and/or flags", epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    t.add_argument("config", nargs="?", help="YAML config (see src/aimm_nlp/configs/tokenizer/); its data[].path "
                   "expands $VARS and may read any local file: review configs you did not write")  # fmt: skip
    t.add_argument("--data", nargs="+", default=[], metavar="FILE", help="text files, one text per line "
                   "(a file named like ary_Arab.txt gives its language)")  # fmt: skip
    t.add_argument("--kind", help="bpe (default), unigram or wordpiece")
    t.add_argument("--for", dest="for_model", metavar="MODEL",
                   help="the model it is for, which sets the special tokens and what encoding adds: universal "
                   "(default: '<s> text', with <mask> and <pad>; BERT classifiers, masked and causal LMs), "
                   "encoder ('[CLS] text [SEP]'), decoder ('<s> text', EOS </s>) or seq2seq ('text </s>')")  # fmt: skip
    t.add_argument("--backend", help="hf (default) or spm")
    t.add_argument("--vocab-size", type=int, dest="vocab_size",
                   help="vocabulary size, special and byte tokens included: 1 to 2**20 (1048576)")  # fmt: skip
    t.add_argument("--normalizer", help="aimm_nlp.text preset for the training text (default auto)")
    t.add_argument(
        "--temperature", type=float, help="language sampling temperature, > 0 and <= 100 (default 1)"
    )
    t.add_argument("--seed", type=int, help="sampling seed, 0 to 2**32 - 1 (default 0)")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key (YAML value), e.g. --set lang_weights.ary_Arab=3")  # fmt: skip
    t.add_argument("--shared", help="root for config data paths (default $AIMM_SHARED or ../shared)")
    t.add_argument("--out", required=True, help="output folder: new or empty, or an earlier aimm tokenizer "
                   "folder with --overwrite (built aside, moved into place when complete)")  # fmt: skip
    t.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    t.add_argument("--no-progress", action="store_true")
    t.set_defaults(func=run_train)

    e = tsub.add_parser("eval", help="fertility, parity, pcw, UNK/byte-fallback and round trip per language")
    e.add_argument("--tokenizer", action="append", required=True, metavar="NAME=PATH",
                   help="tokenizer folder, tokenizer.json, SentencePiece .model or tiktoken file (repeatable)")  # fmt: skip
    e.add_argument("--flores", required=True, help="FLORES-200 folder with dev/ and devtest/")
    e.add_argument("--langs", nargs="+", help="languages (default: all in the folder)")
    e.add_argument("--reference", help="parity reference language (default eng_Latn when read)")
    e.add_argument("--out", required=True, help="folder for metrics.json, metrics.md, fertility.png: new or "
                   "empty, or an earlier `tokenizer eval` folder with --overwrite")  # fmt: skip
    e.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    e.add_argument("--no-progress", action="store_true")
    e.set_defaults(func=run_eval)

    x = tsub.add_parser("extend", help="add Moroccan tokens to a BPE tokenizer (HF or SentencePiece)")
    x.add_argument(
        "--base", required=True, help="base tokenizer folder, tokenizer.json or SentencePiece BPE .model"
    )
    x.add_argument("--data", nargs="+", required=True, metavar="FILE", help="text files, one text per line")
    x.add_argument("--n-new-tokens", type=int_at_least(1), required=True, dest="n_new_tokens",
                   help="tokens to add: 1 to 2**20 (1048576)")  # fmt: skip
    x.add_argument("--min-frequency", type=int_at_least(1), default=2, dest="min_frequency",
                   help="a pair must occur this often to become a token (default 2)")  # fmt: skip
    x.add_argument("--scripts", nargs="+", help="keep only new tokens in these scripts: Arab, Latn, Tfng")
    x.add_argument("--out", required=True, help="output folder (AutoTokenizer-loadable): new or empty, or "
                   "an earlier aimm tokenizer folder with --overwrite")  # fmt: skip
    x.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    x.add_argument("--no-progress", action="store_true")
    x.set_defaults(func=run_extend)


def _pairs(items: list[str], flag: str, *, unique: bool = False) -> dict[str, str]:
    from aimm_nlp.errors import ConfigError

    out: dict[str, str] = {}
    errors = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            errors.append(f"{flag} {item!r}: expected NAME=VALUE")
        elif unique and key in out:
            errors.append(
                f"{flag} {item!r}: the name {key!r} is given twice (also {out[key]!r}); name each once"
            )
        out[key] = value
    if errors:
        raise ConfigError("invalid options (nothing was written):", errors=errors)
    return out


def run_train(args: argparse.Namespace) -> int:
    from aimm_nlp.tokenization import TokenizerConfig

    flags = {k: getattr(args, k) for k in _FLAGS if getattr(args, k) is not None}
    if args.config:
        cfg = TokenizerConfig.from_yaml(args.config, overrides=args.overrides, values=flags)
    else:
        cfg = TokenizerConfig.from_dict({}, overrides=args.overrides, values=flags)
    tok = cfg.train(args.out, files=args.data, root=args.shared, progress=not args.no_progress,
                    overwrite=args.overwrite, option="--overwrite")  # fmt: skip
    print(f"wrote {tok.path} ({tok.card['actual_vocab_size']} tokens, {tok.card['train_seconds']} s)")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.tokenization import evaluate_tokenizers, read_flores

    check_output_folder(args.out, KINDS["tokenizer eval"], overwrite=args.overwrite)  # before any work
    tokenizers = _pairs(args.tokenizer, "--tokenizer", unique=True)
    texts = read_flores(args.flores, args.langs)
    reference = args.reference
    if reference is not None and reference not in texts:
        from aimm_nlp._registry import did_you_mean

        raise ConfigError(
            f"--reference {reference!r}: unknown language{did_you_mean(reference, texts)}; "
            f"parity needs one of the languages read from {args.flores}: {', '.join(texts)}"
        )
    if reference is None:
        from aimm_nlp.langs import ENG_LATN

        reference = ENG_LATN if ENG_LATN in texts else None
        if reference is None:
            print(
                "parity not measured: eng_Latn is not among the languages; pass --reference LANG",
                file=sys.stderr,
            )
    report = evaluate_tokenizers(tokenizers, texts, reference=reference, progress=not args.no_progress)
    with output_folder(args.out, KINDS["tokenizer eval"], overwrite=args.overwrite) as tmp:
        report.save(tmp)
    print(report.to_markdown())
    print(f"wrote {args.out}/metrics.json, metrics.md, fertility.png")
    return 0


def run_extend(args: argparse.Namespace) -> int:
    from aimm_nlp._io import iter_lines
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.tokenization import extend_tokenizer
    from aimm_nlp.tokenization.config import MAX_VOCAB_SIZE, check_out_dir, check_scripts

    check_scripts(args.scripts)  # before the base tokenizer and the data are read
    if args.n_new_tokens > MAX_VOCAB_SIZE:
        raise ConfigError(f"--n-new-tokens must be at most 2**20 (1048576), got {args.n_new_tokens}")
    check_out_dir(args.out, overwrite=args.overwrite, option="--overwrite")
    texts = [line for path in args.data for line in iter_lines(path)]
    ext = extend_tokenizer(
        args.base,
        texts,
        n_new_tokens=args.n_new_tokens,
        min_frequency=args.min_frequency,
        scripts=args.scripts,
        progress=not args.no_progress,
    )
    card = {"base": str(args.base), "data": list(args.data), "scripts": args.scripts,
            "min_frequency": args.min_frequency}  # fmt: skip
    out = ext.save(args.out, card=card, overwrite=args.overwrite)
    print(f"wrote {out}: {len(ext.new_tokens)} new tokens (ids {ext.first_new_id}..)")
    return 0
