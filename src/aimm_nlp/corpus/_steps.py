"""The per-document steps of :func:`aimm_nlp.corpus.clean`: normalize, length, quality, language.

``row_steps`` maps one batch (a dict of columns) to the normalized text, the language and the name
of the first step that drops each document, plus the exact-dedup hash. It is pure, so the in-memory
path (``Dataset.map`` with ``num_proc`` workers, in ``cleaning``) and the streaming path (``_stream``)
run the same function and keep the same rows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from aimm_nlp.corpus.dedup import text_hash
from aimm_nlp.corpus.quality import check_quality
from aimm_nlp.errors import DataError

__all__ = ["row_steps"]


def _guess(out: Any) -> tuple[str | None, float]:
    if isinstance(out, str) or out is None:
        return out, 1.0
    return out.lang, float(getattr(out, "score", 1.0))


def _guess_many(
    identify: Callable[[str], Any], texts: list[str], priors: Any = None
) -> list[tuple[str | None, float]]:
    """``(lang, score)`` per text; aimm's own ``identify`` runs as one ``identify_batch`` call (with
    ``priors``; ``clean`` refuses priors with another identifier)."""
    if not texts:
        return []
    langid = sys.modules.get("aimm_nlp.text.langid")
    if langid is not None and identify is langid.identify:
        return [_guess(g) for g in langid.identify_batch(texts, priors=priors)]
    return [_guess(identify(t)) for t in texts]


def _dialectness_drops(texts: list[str], rows: list[int], o: dict[str, Any]) -> dict[int, str]:
    """``{row: reason}`` for the rows among ``rows`` whose dominant script is Arabic and whose
    dialectness is outside ``o["dialectness"]`` (other rows pass)."""
    from aimm_nlp.text.langid import dialectness_batch
    from aimm_nlp.text.scripts import dominant_script

    arab = [i for i in rows if dominant_script(texts[i]) == "Arab"]
    lo, hi = o["dialectness"]
    scores = dialectness_batch([texts[i] for i in arab], priors=o.get("priors"))
    return {i: f"dialectness {d:.2f}" for i, d in zip(arab, scores, strict=True) if not lo <= d <= hi}


def row_steps(batch: dict[str, list[Any]], **o: Any) -> dict[str, list[Any]]:
    texts, n = batch["text"], len(batch["text"])
    errors = batch.get("error") or [None] * n
    if o["preset"]:
        from aimm_nlp.text.normalize import normalize_batch

        texts = normalize_batch([t or "" for t in texts], preset=o["preset"], **o["switches"])
    langs, drop, why, hashes = list(batch["lang"]), [""] * n, [""] * n, [0] * n
    rules, keep_langs, identify = o["rules"], o["langs"], o["identify"]
    for i in range(n):
        text = texts[i]
        if errors[i] is not None or text is None:
            drop[i], why[i], texts[i] = "malformed", errors[i] or "text is null", ""
            continue
        if len(text) < o["min_chars"] or (o["max_chars"] is not None and len(text) > o["max_chars"]):
            drop[i] = "length"
            continue
        if rules is not None:
            why[i] = check_quality(text, rules)
            if why[i]:
                drop[i] = "quality"
                continue
    if keep_langs is not None or identify is not None:
        # rows still kept that need a language: identified together (aimm's identifier is ~30x faster
        # on a batch than text by text)
        ask = [i for i in range(n) if not drop[i] and (langs[i] is None or not o["trust_labels"])]
        if ask and identify is None:
            raise DataError(
                f"document {texts[ask[0]][:60]!r} has no lang label and no language identifier is available; "
                "pass identify=<callable> or label the source with lang=..."
            )
        guesses = _guess_many(identify, [texts[i] for i in ask], o.get("priors"))
        scores = dict(zip(ask, guesses, strict=True))
        for i, (lang, _score) in scores.items():
            langs[i] = lang
        for i in range(n):
            if drop[i]:
                continue
            score = scores[i][1] if i in scores else 1.0
            if (keep_langs is not None and langs[i] not in keep_langs) or score < o["min_lang_score"]:
                drop[i], why[i] = "lang", str(langs[i])
    if o.get("dialectness") is not None:
        for i, reason in _dialectness_drops(texts, [i for i in range(n) if not drop[i]], o).items():
            drop[i], why[i] = "lang", reason
    for i in range(n):
        if not drop[i]:
            hashes[i] = text_hash(texts[i])
    return {"text": texts, "lang": langs, "_drop": drop, "_why": why, "_hash": hashes}
