"""Calibrate a langid model's Darija-vs-MSA decision on the dev set: Platt scaling, two numbers.

The model's Arabic-script score is ``sigmoid(d)`` with ``d`` the ary_Arab minus arb_Arab logit. This
fits ``sigmoid(a * d + c)`` to the ``ary_Arab``/``arb_Arab`` rows of a labelled table (the dev set
``tests/data/langid_dev/dev.tsv``; ``mixed`` rows are left out) by logistic regression, and writes
``calibration`` into the model's ``config.json``: Arabic-script temperature ``1 / a``, bias ``c`` on
ary_Arab, and the table's Darija/MSA shares as ``base_rates`` (what ``priors=`` is relative to). Also
prints 5-fold cross-validated accuracy, AUC and ECE (each fold calibrated on the other four), the
honest estimate for the card, next to the in-sample figures.

A maintainer script (not part of the installed package)::

    python tools/calibrate_langid.py --model src/aimm_nlp/text/models/langid --dev tests/data/langid_dev/dev.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from aimm_nlp.langs import ARB_ARAB, ARY_ARAB


def read_dev(path: Path) -> tuple[list[str], np.ndarray]:
    """Texts and 1/0 (ary_Arab / arb_Arab) of the binary rows of a dev TSV."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rows = [r for r in rows if r["label"] in (ARY_ARAB, ARB_ARAB)]
    return [r["text"] for r in rows], np.array([r["label"] == ARY_ARAB for r in rows], dtype=float)


def raw_diff(model_dir: Path, texts: list[str]) -> np.ndarray:
    """Uncalibrated ary_Arab minus arb_Arab logit of each text."""
    from aimm_nlp.text.langid._model import _read

    m = _read(model_dir)
    logits, _ = m.raw_logits(texts)
    return logits[:, m.labels.index(ARY_ARAB)] - logits[:, m.labels.index(ARB_ARAB)]


def platt(d: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, c) of ``sigmoid(a * d + c)`` fitted by (almost unregularised) logistic regression."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4).fit(d[:, None], y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def figures(p: np.ndarray, y: np.ndarray, bins: int = 10) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    edges = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(
        abs(p[edges == b].mean() - y[edges == b].mean()) * (edges == b).mean() for b in set(edges.tolist())
    )
    return {
        "accuracy": round(float(((p > 0.5) == (y == 1)).mean()), 4),
        "auc": round(float(roc_auc_score(y, p)), 4),
        "ece": round(float(ece), 4),
    }


def main(argv: list[str] | None = None) -> int:
    from aimm_nlp._io import atomic_output

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True, help="model folder (its config.json is updated)")
    ap.add_argument(
        "--dev", type=Path, required=True, help="dev TSV: id, text, label (ary_Arab/arb_Arab/mixed)"
    )
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = ap.parse_args(argv)
    texts, y = read_dev(args.dev)
    d = raw_diff(args.model, texts)
    before = figures(1 / (1 + np.exp(-d)), y)
    folds = np.arange(len(y)) % 5
    cv = np.zeros(len(y))
    for f in range(5):
        a, c = platt(d[folds != f], y[folds != f])
        cv[folds == f] = 1 / (1 + np.exp(-(a * d[folds == f] + c)))
    a, c = platt(d, y)
    if a <= 0:
        raise SystemExit(f"the fitted scale is {a:.3f} (not positive): the model ranks the dev set backwards")
    after = figures(1 / (1 + np.exp(-(a * d + c))), y)
    share = float(y.mean())
    calibration = {
        "temperature": {"Arab": round(1 / a, 6)},
        "bias": {ARY_ARAB: round(c, 6)},
        "base_rates": {ARY_ARAB: round(share, 6), ARB_ARAB: round(1 - share, 6)},
        "fitted_on": f"{args.dev.name}: {len(y)} ary_Arab/arb_Arab rows (Platt scaling)",
    }
    report = {"uncalibrated": before, "calibrated_in_sample": after, "calibrated_5fold_cv": figures(cv, y)}
    print(json.dumps({"calibration": calibration, **report}, indent=1))
    if not args.dry_run:
        cfg_path = args.model / "config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg["calibration"] = calibration
        with atomic_output(cfg_path) as fh:
            json.dump(cfg, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        print(f"wrote calibration into {cfg_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
