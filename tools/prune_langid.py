"""Store a langid model's tiny sentence-model weights as 0, so ``weights.npz`` compresses smaller.

About half of the 2^19 x 7 weights of the shipped model are below 1e-4 in magnitude (hash buckets of
rare n-grams that L2 regularisation keeps near 0); ``np.savez_compressed`` stores exact zeros almost
for free. This rewrites ``weights.npz`` (same keys, shapes and dtype; ``save_model``) with every weight
below ``--below`` set to 0 and records the threshold in ``config.json`` (``training.pruned_below``).
The word model (``words/``, used by ``tag_words``) is left as it is. Prints, on the ``ary_Arab`` /
``arb_Arab`` rows of a dev TSV, how far ``dialectness`` moved and how many decisions flipped.

A maintainer script (not part of the installed package); run it last, after
``tools/calibrate_langid.py`` (the check uses the model's calibration)::

    python tools/prune_langid.py --model /tmp/langid_model --below 3e-4 --dev tests/data/langid_dev/dev.tsv
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from calibrate_langid import raw_diff, read_dev

    from aimm_nlp._io import atomic_output
    from aimm_nlp.text.langid._model import save_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="model folder (weights.npz is rewritten)")
    ap.add_argument("--below", type=float, required=True, help="weights below this magnitude become 0 (> 0)")
    ap.add_argument("--dev", type=Path, required=True, help="dev TSV (id, text, label) for the check")
    args = ap.parse_args(argv)
    if not (math.isfinite(args.below) and args.below > 0):
        ap.error(f"--below must be a finite number above 0, got {args.below}")
    cfg_path, npz = args.model / "config.json", args.model / "weights.npz"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    texts, _ = read_dev(args.dev)
    before, size = raw_diff(args.model, texts), npz.stat().st_size
    with np.load(npz, allow_pickle=False) as z:
        weights, bias = z["W"].astype(np.float32), z["b"]
    small = np.abs(weights) < args.below
    weights[small] = 0
    meta = {k: v for k, v in cfg.items() if k not in ("format", "format_version", "labels")}
    meta["training"] = {**meta.get("training", {}), "pruned_below": args.below}
    save_model(args.model, labels=cfg["labels"], weights=weights, bias=bias, config=meta)
    with atomic_output(cfg_path) as fh:  # save_model's copy would put the keys in another order
        json.dump({**cfg, "training": meta["training"]}, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    after = raw_diff(args.model, texts)
    cal = cfg.get("calibration") or {"temperature": {"Arab": 1.0}, "bias": {"ary_Arab": 0.0}}
    a, c = 1 / cal["temperature"]["Arab"], cal["bias"]["ary_Arab"]
    p0, p1 = (1 / (1 + np.exp(-(a * d + c))) for d in (before, after))
    print(
        f"{small.mean():.1%} of the weights set to 0; weights.npz {size / 1e6:.2f} -> "
        f"{npz.stat().st_size / 1e6:.2f} MB; dev ({len(texts)} rows): largest dialectness change "
        f"{np.abs(p1 - p0).max():.2e}, {int(((p0 > 0.5) != (p1 > 0.5)).sum())} decisions flipped"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
