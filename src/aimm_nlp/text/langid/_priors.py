"""Class priors: re-weight a langid model's classes for a domain's known base rates.

A model's probabilities assume base rates: the ones in its config (``calibration.base_rates``, e.g. the
Darija/MSA share of the set it was calibrated on) and, for the other classes, equal rates among the
classes of one script (training weighs every class equally). ``priors={"arb_Arab": 0.7}`` says that
70 % of the Arabic-script texts of your domain are MSA; the classes of that script you do not name share
the rest equally (here ``ary_Arab`` 0.3). By Bayes' rule each class's logit moves by
``log(prior / base rate)``; scripts you do not mention keep the model's rates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["check_priors", "prior_shift"]


def _script(label: str) -> str:
    return label.rsplit("_", 1)[-1]


def check_priors(priors: Any, labels: tuple[str, ...]) -> list[str]:
    """Every problem with ``priors`` for a model with ``labels`` (empty list: fine)."""
    if not isinstance(priors, Mapping):
        return [f"priors must be a dict {{label: base rate}}, e.g. {{'arb_Arab': 0.7}}, got {priors!r}"]
    errors = []
    for label, value in priors.items():
        if label not in labels:
            errors.append(f"priors: unknown label {label!r}; the model's labels are {list(labels)}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            errors.append(f"priors[{label!r}] must be a number in (0, 1) (a base rate), got {value!r}")
    if errors:
        return errors
    for script in sorted({_script(lab) for lab in priors}):
        group = [lab for lab in labels if _script(lab) == script]
        total = sum(priors.get(lab, 0.0) for lab in group)
        unnamed = [lab for lab in group if lab not in priors]
        if (unnamed and total >= 1) or (not unnamed and not math.isclose(total, 1.0, abs_tol=1e-6)):
            what = f"leave some for {unnamed}" if unnamed else "sum to 1"
            errors.append(
                f"priors for {script}-script labels {[lab for lab in group if lab in priors]} sum to "
                f"{total:g}; they must {what}"
            )
    return errors


def prior_shift(model: Any, priors: Mapping[str, float] | None) -> np.ndarray | None:
    """Log prior ratios (classes) for ``priors``, or None; raises ``ConfigError`` listing every problem."""
    if not priors:
        return None
    cache = model.__dict__.setdefault("_prior_cache", {})  # the model is frozen and cached itself
    try:
        key = tuple(sorted(priors.items()))
        hash(key)
    except (AttributeError, TypeError):  # not a dict of plain values: check_priors words the problem
        return _shift(model, priors)
    if key not in cache:
        if len(cache) > 64:
            cache.clear()
        cache[key] = _shift(model, priors)
    return cache[key]


def _shift(model: Any, priors: Any) -> np.ndarray:
    from aimm_nlp.errors import ConfigError

    errors = check_priors(priors, model.labels)
    if errors:
        raise ConfigError("invalid priors:", errors=errors)
    base = dict((model.calibration or {}).get("base_rates", {}))
    shift = np.zeros(len(model.labels))
    for script in {_script(lab) for lab in priors}:
        group = [lab for lab in model.labels if _script(lab) == script]
        unnamed = [lab for lab in group if lab not in priors]
        rest = (1.0 - sum(priors[lab] for lab in group if lab in priors)) / max(len(unnamed), 1)
        known = sum(base.get(lab, 0.0) for lab in group)
        for lab in group:
            rate = base.get(lab, (1.0 - known) / max(sum(lab2 not in base for lab2 in group), 1))
            shift[model.labels.index(lab)] = math.log(priors.get(lab, rest) / rate)
    return shift
