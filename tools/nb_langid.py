"""Add a naive Bayes Darija-vs-MSA log-count ratio to a trained langid model's Arabic-script weights.

Logistic regression with an L2 penalty shrinks the weight of a rare n-gram (one Darija verb form among
MSA words) toward 0; a multinomial naive Bayes log-count ratio over the same features gives it its
full evidence (the NB part of NB-SVM, Wang and Manning 2012). This computes, over the model's own
hashed features (same orders, bits, words, word shapes), the ratio

    r = log((n_ary + a) / (N_ary + a V)) - log((n_arb + a) / (N_arb + a V))

from the ``ary_Arab`` and ``arb_Arab`` rows of the training table, each row weighted as training
weighted it (classes and sources balanced, the model's ``source_weights``), ``a`` = ``--alpha`` times
the mean row weight, ``V`` the buckets seen. It fits ``beta`` as the ratio of the two slopes of a
logistic regression of the dev rows' labels on (the model's Darija-minus-MSA logit, the ratio's score)
and adds ``+beta/2 * r`` to the ary_Arab weights and ``-beta/2 * r`` to the arb_Arab ones: the
Darija-vs-MSA logit becomes ``d + beta * r.x``, the other classes, the runtime and its speed are
unchanged. Records ``training.nb`` in ``config.json`` and refuses a model that already has one.

A maintainer script (not part of the installed package); run it on a fresh ``aimm langid train``
model, before ``tools/calibrate_langid.py`` and ``tools/prune_langid.py``::

    python tools/nb_langid.py --model /tmp/langid_model --data /tmp/langid_train.tsv \\
        --dev tests/data/langid_dev/dev.tsv --alpha 0.1

(``--alpha 0.1`` is the shipped model's, chosen in the eighteenth round of ``SELECTION.md``.)
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from aimm_nlp.langs import ARB_ARAB, ARY_ARAB
from aimm_nlp.text.langid._train import feature_matrix, row_weights


def log_count_ratio(texts: list[str], labels: list[str], sources: list[str], cfg: dict, alpha: float):
    """Per-bucket Darija-minus-MSA log-count ratio (0 where no row has the bucket) and the rows used."""
    keep = [i for i, lab in enumerate(labels) if lab in (ARY_ARAB, ARB_ARAB)]
    weights = row_weights(labels, sources, cfg.get("training", {}).get("source_weights", {}))
    w = np.array([weights[i] for i in keep])
    ary = np.array([labels[i] == ARY_ARAB for i in keep])
    x = feature_matrix([texts[i] for i in keep], cfg, normalise=False)
    n_ary = np.asarray(x[ary].T @ w[ary]).ravel()
    n_arb = np.asarray(x[~ary].T @ w[~ary]).ravel()
    seen = (n_ary + n_arb) > 0
    a = alpha * w.mean()
    vocab = a * seen.sum()
    r = np.log(n_ary + a) - np.log(n_ary.sum() + vocab) - np.log(n_arb + a) + np.log(n_arb.sum() + vocab)
    return np.where(seen, r, 0.0), int(ary.sum()), int((~ary).sum())


def main(argv: list[str] | None = None) -> int:
    from calibrate_langid import raw_diff, read_dev
    from sklearn.linear_model import LogisticRegression

    from aimm_nlp._io import atomic_output
    from aimm_nlp.text.langid import read_table
    from aimm_nlp.text.langid._model import save_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="model folder (weights.npz is rewritten)")
    ap.add_argument("--data", type=Path, required=True, help="the training table (text, label, source)")
    ap.add_argument("--dev", type=Path, required=True, help="dev TSV (id, text, label) to fit beta on")
    ap.add_argument("--alpha", type=float, default=1.0, help="smoothing, times the mean row weight (> 0)")
    args = ap.parse_args(argv)
    if not (math.isfinite(args.alpha) and args.alpha > 0):
        ap.error(f"--alpha must be a finite number above 0, got {args.alpha}")
    cfg_path = args.model / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    if "nb" in cfg.get("training", {}):
        ap.error(
            f"{args.model} already has a naive Bayes ratio (config.json training.nb); start from a fresh model"
        )
    labels = cfg["labels"]
    texts, labs, sources = read_table(args.data, text_col="text", label_col="label", source_col="source")
    r, n_ary, n_arb = log_count_ratio(texts, labs, sources, cfg, args.alpha)
    if not (n_ary and n_arb):
        ap.error(f"--data {args.data}: needs {ARY_ARAB} and {ARB_ARAB} rows, has {n_ary} and {n_arb}")
    dev_texts, y = read_dev(args.dev)
    d = raw_diff(args.model, dev_texts)
    nb = feature_matrix(dev_texts, cfg) @ r
    slopes = LogisticRegression(C=1e4).fit(np.c_[d, nb], y).coef_[0]
    if slopes[0] <= 0:
        raise SystemExit(
            f"the model's own logit gets a slope of {slopes[0]:.3g} on the dev rows; not combining"
        )
    beta = float(slopes[1] / slopes[0])
    with np.load(args.model / "weights.npz", allow_pickle=False) as z:
        weights, bias = z["W"].astype(np.float32), z["b"]
    weights[:, labels.index(ARY_ARAB)] += beta / 2 * r
    weights[:, labels.index(ARB_ARAB)] -= beta / 2 * r
    info = {"alpha": args.alpha, "beta": round(beta, 6), "rows": {ARY_ARAB: n_ary, ARB_ARAB: n_arb}}
    meta = {k: v for k, v in cfg.items() if k not in ("format", "format_version", "labels")}
    meta["training"] = {**meta.get("training", {}), "nb": info}
    save_model(args.model, labels=labels, weights=weights, bias=bias, config=meta)
    with atomic_output(cfg_path) as fh:  # save_model's copy would put the keys in another order
        json.dump({**cfg, "training": meta["training"]}, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    print(
        f"naive Bayes ratio over {n_ary} ary_Arab / {n_arb} arb_Arab rows, alpha {args.alpha}, beta {beta:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
