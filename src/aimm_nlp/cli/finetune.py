"""``aimm finetune CONFIG.yaml [key.sub=value ...]``: train from one YAML (also under torchrun)."""

from __future__ import annotations

import argparse

ORDER = 60

EPILOG = """\
examples:
  aimm cp ary_sentiment && aimm finetune ary_sentiment.yaml optim.lr=3e-5 run.output_dir=runs/s1
  aimm finetune ary_causal_pretrain.yaml run.resume=true          # continue after a crash
  aimm finetune ary_sentiment.yaml run.output_dir=runs/s1 run.overwrite=true
      # replace an earlier aimm run (kept until the new one finishes); other folders are refused
  torchrun --nproc_per_node=2 -m aimm_nlp finetune ary_causal_pretrain.yaml   # DDP (gloo/NCCL)
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "finetune",
        help="fine-tune or pre-train a model from one YAML config",
        description=(
            "Train a classifier, tagger, causal LM, masked LM or seq2seq model as the YAML says. "
            "Every config error is reported at once, before any model is built; the run folder gets the "
            "model, tokenizer, resolved config, metrics.jsonl, curve.png and a model card."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", help="YAML config (copy a shipped one with `aimm cp`)")
    p.add_argument(
        "overrides", nargs="*", metavar="KEY=VALUE", help="overrides, e.g. optim.lr=3e-5 run.seed=1"
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="log warnings only, no progress (by default: a bar with steps, loss and ETA on stderr on a "
        "terminal, else a plain line every AIMM_PROGRESS_INTERVAL seconds, default 30)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json
    import logging
    import os

    from aimm_nlp._progress import quiet
    from aimm_nlp.finetune import FinetuneConfig, finetune

    rank = int(os.environ.get("RANK", "0"))
    level = logging.WARNING if args.quiet or rank != 0 else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = FinetuneConfig.from_yaml(args.config, overrides=args.overrides)
    with quiet(args.quiet or rank != 0):
        result = finetune(cfg)
    if rank == 0:
        summary = {
            "output_dir": str(result.output_dir),
            "steps": result.steps,
            "final_loss": result.final_loss,
            **result.metrics,
            "real_tokens_per_s": round(result.real_tokens_per_s, 1),
            "padding_share": round(result.padding_share, 4),
            "truncated": result.truncated,
        }
        print(json.dumps(summary, ensure_ascii=False))
    return 0
