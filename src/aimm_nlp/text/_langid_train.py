"""Train a hashed character n-gram language-ID model (multinomial logistic regression).

Training data is a table of ``text`` and ``label`` (optionally ``source``). To fight
domain confounds the trainer weights every class equally and, inside a class, every
source equally; features already ignore case, punctuation, URLs, @users, emoji and
numbers; and each text also contributes short random chunks (1-3 and 4-12 words),
so tweets, single words and long sentences all look like training data.
The optimiser is scikit-learn's ``LogisticRegression`` (lbfgs) on the sparse matrix.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import sys
from collections import Counter
from pathlib import Path

from aimm_nlp.errors import DataError, InputFileError

__all__ = ["read_table", "train_langid"]

log = logging.getLogger(__name__)

DEFAULTS = {
    "bits": 20,
    "orders": [1, 2, 3, 4, 5],
    "words": True,
    "C": 5.0,
    "max_iter": 100,
    "seed": 13,
    "word_model": True,
    "word_C": 5.0,
    "morph": 3.0,
    "chunks": 1,
    "source_weights": {},
    "bias_shift": {},
}


def read_table(
    path: str | Path, *, text_col: str, label_col: str, source_col: str | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Read ``(texts, labels, sources)`` from a TSV/CSV (header row) or JSONL file.

    Raises:
        InputFileError: the file is missing or unreadable.
        DataError: a column is missing (the message lists the columns found) or a row is short.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: no such file; pass --data with a TSV, CSV or JSONL file", path=str(p))
    wanted = [c for c in (text_col, label_col, source_col) if c]
    texts, labels, sources = [], [], []
    with open(p, encoding="utf-8", newline="") as fh:
        if p.suffix == ".jsonl":
            rows = ((i, json.loads(line)) for i, line in enumerate(fh, 1) if line.strip())
            header = None
        else:
            dialect = (
                {"delimiter": ","} if p.suffix == ".csv" else {"delimiter": "\t", "quoting": csv.QUOTE_NONE}
            )
            reader = csv.DictReader(fh, **dialect)
            header = reader.fieldnames or []
            _check_columns(p, header, wanted, line=1)
            rows = enumerate(reader, 2)
        for line, row in rows:
            if header is None:
                _check_columns(p, list(row), wanted, line=line)
            if any(row.get(c) is None for c in wanted):
                raise DataError(f"{p}:{line}: row has fewer fields than the header; fix the row")
            texts.append(str(row[text_col]))
            labels.append(str(row[label_col]).strip())
            sources.append(str(row[source_col]) if source_col else "data")
    if not texts:
        raise DataError(f"{p}: no data rows; the training file must have a header and examples")
    return texts, labels, sources


def _check_columns(path: Path, found: list[str], wanted: list[str], *, line: int) -> None:
    from aimm_nlp._registry import did_you_mean

    for col in wanted:
        if col not in found:
            raise DataError(
                f"{path}:{line}: column {col!r} not found{did_you_mean(col, found)}; "
                f"columns are: {', '.join(found)}"
            )


def _chunks(text: str, rng: random.Random, pairs: int = 1) -> list[str]:
    words = text.split()
    out = []
    for _ in range(pairs):
        for lo, hi in ((1, 3), (4, 12)):
            if len(words) > lo:
                n = rng.randint(lo, min(hi, len(words) - 1))
                start = rng.randint(0, len(words) - n)
                out.append(" ".join(words[start : start + n]))
    return out


def train_langid(
    texts: list[str],
    labels: list[str],
    *,
    out: str | Path,
    sources: list[str] | None = None,
    extra_config: dict | None = None,
    **options: object,
) -> dict:
    """Train on ``texts``/``labels`` and write the model folder ``out``; return its config.

    Options (defaults in ``DEFAULTS``): ``bits`` (log2 hash buckets), ``orders`` (character
    n-gram orders), ``words`` (whole-word features), ``C`` (inverse L2 strength),
    ``max_iter``, ``seed``, ``word_model`` (also train the word-level model used by
    ``tag_words``, saved in ``out/words``), ``word_C`` (the word model's ``C``), ``morph``
    (value of the Darija-vs-MSA word-shape features of feature scheme ``charhash.v2``;
    0 trains ``charhash.v1``), ``chunks`` (how many pairs of random chunks, 1-3 and 4-12
    words, each text adds; together they weigh half the text), ``source_weights`` (a
    ``{source: factor}`` dict multiplying the weight of that source's rows after the
    class/source balancing; the class is not renormalised), ``bias_shift`` (a ``{label:
    delta}`` dict added to the fitted intercepts of the sentence model: a prior shift).

    Raises:
        DataError: fewer than 2 classes, a class with fewer than 2 examples, or empty texts only.
    """

    from aimm_nlp import __version__

    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise DataError(f"unknown training options {sorted(unknown)}; valid: {sorted(DEFAULTS)}")
    cfg = {**DEFAULTS, **options}
    if int(cfg["chunks"]) < 0:
        raise DataError(f"training option chunks must be 0 or more, got {cfg['chunks']}")
    bad = {s: w for s, w in dict(cfg["source_weights"]).items() if not float(w) >= 0}
    if bad:
        raise DataError(f"source weights must be 0 or more, got {bad}")
    bias_shift = {str(c): float(d) for c, d in dict(cfg["bias_shift"]).items()}
    _scheme(cfg)  # a bad morph value fails before the (long) fit
    sources = sources or ["data"] * len(texts)
    counts = Counter(labels)
    small = sorted(lab for lab, n in counts.items() if n < 2)
    if small or len(counts) < 2:
        raise DataError(
            f"every class needs at least 2 examples and there must be 2 classes or more; "
            f"too few: {', '.join(f'{lab} ({counts[lab]})' for lab in small) or f'only {list(counts)}'}"
        )
    classes = sorted(counts)
    if set(bias_shift) - set(classes):
        raise DataError(f"bias_shift names labels not in the data: {sorted(set(bias_shift) - set(classes))}")
    rng = random.Random(cfg["seed"])
    per_source = Counter(zip(labels, sources, strict=True))
    n_sources = Counter(lab for lab, _ in per_source)
    source_weights = {str(s): float(w) for s, w in dict(cfg["source_weights"]).items()}
    unknown_sources = sorted(set(source_weights) - set(sources))
    if unknown_sources:
        raise DataError(f"source weights name sources not in the data: {unknown_sources}")
    pairs = int(cfg["chunks"])
    rows, ys, ws = [], [], []
    for text, lab, src in zip(texts, labels, sources, strict=True):
        weight = source_weights.get(src, 1.0) / (len(classes) * n_sources[lab] * per_source[lab, src])
        pieces = [text, *_chunks(text, rng, pairs)]
        for i, piece in enumerate(pieces):
            rows.append(piece)
            ys.append(classes.index(lab))
            ws.append(weight * (1.0 if i == 0 else 0.5 / pairs))
    clf = _fit_rows(rows, ys, ws, cfg)
    word_cfg = (
        _train_word_model(texts, labels, classes, cfg, Path(out) / "words") if cfg["word_model"] else None
    )
    config = {
        **_scheme(cfg),
        **{k: cfg[k] for k in ("bits", "orders", "words")},
        "word_model": word_cfg,
        "training": {
            "aimm_nlp_version": __version__,
            "optimizer": "sklearn.linear_model.LogisticRegression(lbfgs, multinomial)",
            **{k: cfg[k] for k in ("C", "word_C", "max_iter", "seed")},
            "chunks": pairs,
            "source_weights": dict(sorted(source_weights.items())),
            "bias_shift": dict(sorted(bias_shift.items())),
            "examples": len(texts),
            "rows_with_chunks": len(rows),
            "class_counts": dict(sorted(counts.items())),
            "sources": {f"{lab}\t{src}": n for (lab, src), n in sorted(per_source.items())},
            "command": " ".join(["aimm", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("aimm") else "",
        },
        **(extra_config or {}),
    }
    _save(clf, classes, Path(out), config, bias_shift)
    return {"labels": classes, **config}


def _scheme(cfg: dict) -> dict:
    morph = float(cfg["morph"])
    if morph < 0:
        raise DataError(f"training option morph must be 0 (charhash.v1) or positive, got {morph}")
    return {"feature_scheme": "charhash.v2", "morph": morph} if morph else {"feature_scheme": "charhash.v1"}


def _save(
    clf, classes: list[str], out: Path, config: dict, bias_shift: dict[str, float] | None = None
) -> None:
    import numpy as np

    from aimm_nlp.text._langid_model import save_model

    coef, bias = clf.coef_, clf.intercept_
    if coef.shape[0] != len(classes):  # binary problems: sklearn keeps one row
        coef, bias = np.vstack([-coef[0], coef[0]]) / 2, np.array([-1.0, 1.0]) * bias[0] / 2
    if bias_shift:
        bias = np.asarray(bias, dtype=np.float64) + [bias_shift.get(c, 0.0) for c in classes]
    save_model(out, labels=classes, weights=coef.T, bias=bias, config=config)


def _fit_rows(rows: list[str], ys: list[int], ws: list[float], cfg: dict):
    import numpy as np
    from scipy.sparse import diags

    from aimm_nlp.text._langid_features import featurize, prepare

    codes, offsets = prepare(rows)
    mats = featurize(
        codes,
        offsets,
        orders=tuple(cfg["orders"]),
        bits=int(cfg["bits"]),
        words=bool(cfg["words"]),
        morph=float(cfg["morph"]),
    )
    x = mats[0]
    for m in mats[1:]:
        x = x + m
    n_feats = sum(np.diff(m.indptr) for m in mats)
    x = diags(1.0 / np.sqrt(np.maximum(n_feats, 1))).astype(np.float32) @ x
    x.data[:] = np.where(x.indices == 0, 0.0, x.data)
    x.eliminate_zeros()
    weights = np.asarray(ws) * len(ws) / np.sum(ws)
    return _fit(x, np.asarray(ys), weights, C=float(cfg["C"]), max_iter=int(cfg["max_iter"]))


def _train_word_model(texts: list[str], labels: list[str], classes: list[str], cfg: dict, out: Path) -> dict:
    """Second model over single word types, for ``tag_words``.

    Sentence labels are noisy for words: Arabizi tweets contain French and English words.
    A word type is kept as an example of class c only where its relative frequency in c
    is at least half its highest relative frequency in any class ("le" is dropped from
    ary_Latn because French text uses it far more often). Weights: sqrt(count), classes equal.
    """
    import math

    from aimm_nlp.text._langid_words import _tokens

    counts: dict[str, Counter] = {c: Counter() for c in classes}
    for text, lab in zip(texts, labels, strict=True):
        counts[lab].update(w.lower() for w, _, _, other in _tokens(text) if not other)
    totals = {c: max(sum(counts[c].values()), 1) for c in classes}
    rows, ys, ws = [], [], []
    for i, c in enumerate(classes):
        kept = []
        for w, n in counts[c].items():
            if n / totals[c] >= 0.5 * max(counts[o][w] / totals[o] for o in classes):
                kept.append((w, math.sqrt(n)))
        mass = sum(wt for _, wt in kept) or 1.0
        for w, wt in kept:
            rows.append(w)
            ys.append(i)
            ws.append(wt / mass)
    if len(set(ys)) < len(classes):
        return {}
    # Single words: the pooled word-shape features would only repeat the word itself.
    word_cfg = {**cfg, "bits": min(int(cfg["bits"]), 18), "morph": 0.0, "C": cfg["word_C"]}
    clf = _fit_rows(rows, ys, ws, word_cfg)
    config = {
        **_scheme(word_cfg),
        "bits": word_cfg["bits"],
        "orders": cfg["orders"],
        "words": cfg["words"],
    }
    _save(clf, classes, out, {**config, "training": {"word_types": len(rows), "C": word_cfg["C"]}})
    return {"path": "words", "word_types": len(rows)}


def _fit(x, y, weights, *, C: float, max_iter: int):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=max_iter, tol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y, sample_weight=weights)
    return clf
