"""Train a hashed character n-gram language-ID model (multinomial logistic regression).

Training data is a table of ``text`` and ``label`` (optionally ``source``). To fight
domain confounds the trainer weights every class equally and, inside a class, every
source equally; features already ignore case, punctuation, URLs, @users, emoji and
numbers; and each text also contributes short random chunks (1-3 and 4-12 words),
so tweets, single words and long sentences all look like training data.
The optimiser is scikit-learn's ``LogisticRegression`` (lbfgs) on the sparse matrix.
"""

from __future__ import annotations

import logging
import math
import numbers
import random
import sys
from collections import Counter
from pathlib import Path

from aimm_nlp.errors import DataError
from aimm_nlp.text.langid._table import read_table

__all__ = ["check_options", "read_table", "train_langid"]

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


def check_options(options: dict, *, names: dict[str, str] | None = None) -> list[str]:
    """Every problem with the training ``options`` (keys of ``DEFAULTS``), so all are reported at once.

    ``names`` maps option keys to the names the user typed (``{"max_iter": "--max-iter"}``).
    """
    names = names or {}
    errors: list[str] = []

    def name(key: str) -> str:
        return names.get(key, f"training option {key}")

    def number(key: str, *, integer: bool = False) -> float | None:
        value = options[key]
        ok = isinstance(value, numbers.Integral if integer else numbers.Real)
        if isinstance(value, bool) or not ok or not math.isfinite(value):
            errors.append(
                f"{name(key)} must be {'an integer' if integer else 'a finite number'}, got {value!r}"
            )
            return None
        return value

    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        errors.append(f"unknown training options {unknown}; valid: {sorted(DEFAULTS)}")
    checks = {  # key: (integer?, test, what it must be)
        "bits": (
            True,
            lambda v: _MIN_BITS <= v <= _MAX_BITS,
            f"{_MIN_BITS} to {_MAX_BITS} (2**bits hash buckets)",
        ),
        "C": (False, lambda v: v > 0, "greater than 0"),
        "word_C": (False, lambda v: v > 0, "greater than 0"),
        "max_iter": (True, lambda v: v >= 1, "1 or more"),
        "chunks": (True, lambda v: v >= 0, "0 or more"),
        "morph": (False, lambda v: v >= 0, "0 (charhash.v1) or positive"),
        "seed": (True, lambda v: True, ""),
    }
    for key, (integer, test, what) in checks.items():
        if key in options:
            value = number(key, integer=integer)
            if value is not None and not test(value):
                errors.append(f"{name(key)} must be {what}, got {value!r}")
    orders = options.get("orders", DEFAULTS["orders"])
    if not orders or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in orders
    ):
        errors.append(
            f"{name('orders')} must be a non-empty list of n-gram orders (1 or more), got {orders!r}"
        )
    weights = dict(options.get("source_weights", {}))
    bad = {s: w for s, w in weights.items() if not (isinstance(w, numbers.Real) and 0 <= w < math.inf)}
    if bad:
        errors.append(f"source weights must be 0 or more, got {bad}")
    shifts = dict(options.get("bias_shift", {}))
    bad = {c: d for c, d in shifts.items() if not (isinstance(d, numbers.Real) and math.isfinite(d))}
    if bad:
        errors.append(f"bias shifts must be finite numbers, got {bad}")
    return errors


# The weights are dense (2**bits rows per class) and the optimiser keeps several copies of them:
# 2**24 buckets already need gigabytes of memory for a handful of classes.
_MIN_BITS, _MAX_BITS = 8, 24


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
    overwrite: bool = False,
    **options: object,
) -> dict:
    """Train a language-ID model on ``texts``/``labels`` and write its folder ``out``.

    The model is what :func:`aimm_nlp.text.langid.identify` and ``tag_words`` use with
    ``model=out``. ``out`` must be new or an empty folder, or (with ``overwrite``) a langid model
    folder this function wrote that holds nothing else; it is checked before the fit, built in a
    hidden sibling and moved into place whole (:mod:`aimm_nlp._outdir`), so a failure leaves no
    mix of old and new.

    Args:
        texts: training sentences (any script; cleaned like ``identify``'s input).
        labels: one class code per text, e.g. ``ary_Arab`` or ``fra_Latn``; at least 2 classes,
            each with at least 2 examples.
        out: the model folder to write.
        sources: one source name per text (default: all ``data``); classes and, inside a class,
            sources are weighted equally.
        extra_config: extra keys recorded in the model's ``config.json`` (e.g. provenance).
        overwrite: replace an earlier model folder written by this function.
        **options: training options (defaults in ``DEFAULTS``, ranges checked by
            :func:`check_options` before any work): ``bits`` (log2 hash buckets, 8 to 24),
            ``orders`` (character n-gram orders), ``words`` (whole-word features), ``C`` (inverse
            L2 strength), ``max_iter``, ``seed``, ``word_model`` (also train the word-level model
            used by ``tag_words``, saved in ``out/words``), ``word_C`` (the word model's ``C``),
            ``morph`` (value of the Darija-vs-MSA word-shape features of feature scheme
            ``charhash.v2``; 0 trains ``charhash.v1``), ``chunks`` (how many pairs of random
            chunks, 1-3 and 4-12 words, each text adds; together they weigh half the text),
            ``source_weights`` (a ``{source: factor}`` dict multiplying the weight of that
            source's rows after the class/source balancing; the class is not renormalised),
            ``bias_shift`` (a ``{label: delta}`` dict added to the fitted intercepts of the
            sentence model: a prior shift).

    Data: parallel lists, one text and one label per row; a table file (TSV, CSV or JSONL with a
    header) reads into them with :func:`aimm_nlp.text.langid.read_table` (``aimm langid train
    --data FILE --text-col ... --label-col ... [--source-col ...]`` does both). Use FLORES-200-style
    codes (``ary_Arab``, ``fra_Latn``): the suffix is the script, and a model only chooses among the
    classes of a text's dominant script.

    Writes into ``out``: ``config.json`` (labels, feature scheme, options, class and source counts,
    the command), ``weights.npz`` (``W`` buckets x classes float16, ``b``; no pickles), ``words/``
    (the word model, when ``word_model``) and ``CARD.md``, a model card filled in with the model,
    options and training data counts, and a list of what to add before sharing it (licenses,
    labelling, held-out scores). Scores are not calibrated: fit a calibration on a dev set of your
    domain (``tools/calibrate_langid.py`` in the repository does it for Darija vs MSA).

    Returns:
        The model's configuration, as written to ``out/config.json``.

    Raises:
        DataError: a bad option value (every one is listed; see :func:`check_options`), fewer than
            2 classes, or a class with fewer than 2 examples.
        ConfigError: ``out`` is a file, a folder holding other files, or an earlier model without
            ``overwrite``.

    Examples:
        >>> from aimm_nlp.text.langid import identify, train
        >>> texts = ["wach nta mzyan", "fin ghadi daba", "3afak sir t3acha", "kif dayr lyoum",
        ...          "je suis fatigué", "on va au marché", "merci beaucoup", "il fait beau"]
        >>> labels = ["ary_Latn"] * 4 + ["fra_Latn"] * 4
        >>> cfg = train(texts, labels, out="tiny_langid", bits=12, word_model=False)
        >>> cfg["labels"]
        ['ary_Latn', 'fra_Latn']
        >>> identify("wach ghadi daba", model="tiny_langid").lang
        'ary_Latn'
    """

    from aimm_nlp import __version__
    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder

    check_output_folder(out, KINDS["langid train"], overwrite=overwrite)

    problems = check_options(options)  # every bad value fails before the (long) fit
    if problems:
        raise DataError("invalid training options:\n" + "\n".join(f"  - {e}" for e in problems))
    cfg = {**DEFAULTS, **options}
    bias_shift = {str(c): float(d) for c, d in dict(cfg["bias_shift"]).items()}
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
    source_weights = {str(s): float(w) for s, w in dict(cfg["source_weights"]).items()}
    unknown_sources = sorted(set(source_weights) - set(sources))
    if unknown_sources:
        raise DataError(f"source weights name sources not in the data: {unknown_sources}")
    pairs = int(cfg["chunks"])
    rows, ys, ws = [], [], []
    for text, lab, weight in zip(texts, labels, row_weights(labels, sources, source_weights), strict=True):
        pieces = [text, *_chunks(text, rng, pairs)]
        for i, piece in enumerate(pieces):
            rows.append(piece)
            ys.append(classes.index(lab))
            ws.append(weight * (1.0 if i == 0 else 0.5 / pairs))
    clf = _fit_rows(rows, ys, ws, cfg)
    with output_folder(out, KINDS["langid train"], overwrite=overwrite) as tmp:
        word_cfg = (
            _train_word_model(texts, labels, classes, cfg, tmp / "words") if cfg["word_model"] else None
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
                "command": " ".join(["aimm", *sys.argv[1:]])
                if sys.argv and sys.argv[0].endswith("aimm")
                else "",
            },
            **(extra_config or {}),
        }
        _save(clf, classes, tmp, config, bias_shift)
        from aimm_nlp.text.langid._card import write_card

        write_card(tmp, {"labels": classes, **config}, name=Path(out).name)
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

    from aimm_nlp.text.langid._model import save_model

    coef, bias = clf.coef_, clf.intercept_
    if coef.shape[0] != len(classes):  # binary problems: sklearn keeps one row
        coef, bias = np.vstack([-coef[0], coef[0]]) / 2, np.array([-1.0, 1.0]) * bias[0] / 2
    if bias_shift:
        bias = np.asarray(bias, dtype=np.float64) + [bias_shift.get(c, 0.0) for c in classes]
    save_model(out, labels=classes, weights=coef.T, bias=bias, config=config)


def row_weights(labels: list[str], sources: list[str], source_weights: dict[str, float]) -> list[float]:
    """Each training text's weight: every class weighs the same, and inside a class every source, then
    times its ``source_weights`` factor (1 if unnamed); chunks of a text share its weight."""
    per_source = Counter(zip(labels, sources, strict=True))
    n_sources = Counter(lab for lab, _ in per_source)
    n_classes = len(set(labels))
    return [
        source_weights.get(src, 1.0) / (n_classes * n_sources[lab] * per_source[lab, src])
        for lab, src in zip(labels, sources, strict=True)
    ]


def feature_matrix(texts: list[str], cfg: dict, *, normalise: bool = True):
    """The sentence model's features of ``texts`` (CSR, one row a text) under the options ``cfg``
    (``orders``, ``bits``, ``words``, ``morph``): as the model scores them (each text's values over the
    root of its feature count), or raw counts with ``normalise=False``. Bucket 0 (n-grams across a
    text boundary) is dropped."""
    import numpy as np
    from scipy.sparse import diags

    from aimm_nlp.text.langid._features import featurize, prepare

    codes, offsets = prepare(texts)
    mats = featurize(
        codes,
        offsets,
        orders=tuple(cfg["orders"]),
        bits=int(cfg["bits"]),
        words=bool(cfg["words"]),
        morph=float(cfg.get("morph", 0.0)),
    )
    x = mats[0]
    for m in mats[1:]:
        x = x + m
    if normalise:
        n_feats = sum(np.diff(m.indptr) for m in mats)
        x = diags(1.0 / np.sqrt(np.maximum(n_feats, 1))).astype(np.float32) @ x
    x = x.tocsr()
    x.data[:] = np.where(x.indices == 0, 0.0, x.data)
    x.eliminate_zeros()
    return x


def _fit_rows(rows: list[str], ys: list[int], ws: list[float], cfg: dict):
    import numpy as np

    x = feature_matrix(rows, cfg)
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

    from aimm_nlp.text.langid._words import _tokens

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
