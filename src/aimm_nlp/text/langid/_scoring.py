"""Dialectness: the calibrated probability of Darija vs MSA of a text, from a model's logits
(used by :func:`aimm_nlp.text.langid.dialectness_batch`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aimm_nlp.langs import ARB_ARAB, ARY_ARAB

__all__ = ["dialectness_of"]


def dialectness_of(texts: list[str], m: Any, priors: Mapping[str, float] | None) -> list[float]:
    """``sigmoid(logit ary_Arab - logit arb_Arab)`` of each text's calibrated (and prior-shifted)
    logits; ``nan`` for a text without an Arabic-script letter. ``texts``: strings, long ones sampled."""
    import numpy as np

    from aimm_nlp.errors import ModelError
    from aimm_nlp.text.langid._priors import prior_shift

    missing = [lab for lab in (ARY_ARAB, ARB_ARAB) if lab not in m.labels]
    if missing:
        raise ModelError(
            f"langid model {m.path} has no {' or '.join(missing)} class, so it cannot score dialectness; "
            "use a model trained on both ary_Arab and arb_Arab (e.g. the shipped one)"
        )
    shift = prior_shift(m, priors)
    if not texts:
        return []
    logits, _, counts = m.logits(texts, shift)
    diff = logits[:, m.labels.index(ARY_ARAB)] - logits[:, m.labels.index(ARB_ARAB)]
    out = 1.0 / (1.0 + np.exp(-np.clip(diff, -500, 500)))
    out[counts[:, 0] == 0] = np.nan
    return out.tolist()
