"""Clean a corpus: normalize, filter by length, quality and language, deduplicate.

Every per-document step (normalize, length, quality, language) runs in one batched
``Dataset.map`` with ``num_proc`` workers that writes the normalized text plus the
name of the first step that drops the document; deduplication then runs in document
order (exact: 64-bit hash of the normalized text; near: MinHash LSH over signatures
computed in parallel). Because the order-dependent part is sequential and the rest
is pure, ``num_proc=2`` gives the same rows as ``num_proc=1``, and a streaming
``IterableDataset`` gives the same rows as an in-memory ``Dataset``.

Examples:
    >>> from datasets import Dataset
    >>> ds = Dataset.from_dict({"text": ["سلاااام خويا", "سلام خويا", "ok", "salam labas 3lik"],
    ...                         "lang": ["ary_Arab", "ary_Arab", "eng_Latn", "ary_Latn"]})
    >>> out, report = clean(ds, min_chars=3, dedup="exact")
    >>> list(out["text"])
    ['سلام خويا', 'salam labas 3lik']
    >>> [(s.name, s.removed) for s in report.steps if s.removed]
    [('length', 1), ('exact_dup', 1)]
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from aimm_nlp.corpus._steps import row_steps as _row_steps
from aimm_nlp.corpus.dedup import NUM_PERM, NearDuplicates, signature_batch
from aimm_nlp.corpus.quality import QualityRules, quality_rules
from aimm_nlp.corpus.report import STEPS, CleanReport, Tally
from aimm_nlp.errors import ConfigError, DataError

if TYPE_CHECKING:
    from datasets import Dataset, IterableDataset

__all__ = ["clean", "resolve_identify"]

_TMP = ["_drop", "_why", "_hash"]


def resolve_identify(identify: Callable[[str], Any] | None) -> Callable[[str], Any] | None:
    """``identify`` itself, else ``aimm_nlp.text.langid.identify`` if importable now, else None."""
    if identify is not None:
        return identify
    try:
        return importlib.import_module("aimm_nlp.text.langid").identify
    except (ImportError, AttributeError):
        return None


NUM_PROC_MAX = 256
"""Largest ``num_proc`` accepted (a process per core of a big node; more only thrashes)."""
MAX_CHARS_MAX = 10**9


def option_errors(
    *,
    near_threshold: Any = 0.8,
    min_chars: Any = 1,
    max_chars: Any = None,
    min_lang_score: Any = 0.0,
    num_proc: Any = None,
) -> list[str]:
    """Every numeric :func:`clean` option outside its documented range, one message each.

    Ranges: ``near_threshold`` in (0, 1]; ``0 <= min_chars <= max_chars <= 10**9`` (``max_chars`` may be
    None); ``min_lang_score`` in [0, 1]; ``num_proc`` None or 1..256. Floats must be finite.
    """

    def num(v: Any, kind: tuple[type, ...] = (int, float)) -> bool:
        return isinstance(v, kind) and not isinstance(v, bool) and math.isfinite(v)

    errors = []
    if not (num(near_threshold) and 0.0 < near_threshold <= 1.0):
        errors.append(f"near_threshold: must be in (0, 1], got {near_threshold!r}")
    if not (num(min_lang_score) and 0.0 <= min_lang_score <= 1.0):
        errors.append(f"min_lang_score: must be in [0, 1], got {min_lang_score!r}")
    if not num(min_chars, (int,)) or not (max_chars is None or num(max_chars, (int,))):
        errors.append(f"min_chars/max_chars: must be integers, got {min_chars!r} and {max_chars!r}")
    elif not 0 <= min_chars <= (MAX_CHARS_MAX if max_chars is None else max_chars) <= MAX_CHARS_MAX:
        errors.append(
            f"min_chars/max_chars: need 0 <= min_chars <= max_chars <= 10**9, got {min_chars} and {max_chars}"
        )
    if num_proc is not None and not (num(num_proc, (int,)) and 1 <= num_proc <= NUM_PROC_MAX):
        errors.append(f"num_proc: must be null or an integer from 1 to {NUM_PROC_MAX}, got {num_proc!r}")
    return errors


def _options(**kw: Any) -> dict[str, Any]:
    errors = []
    if kw["dedup"] not in ("exact", "near", None):
        errors.append(f"dedup: must be 'exact', 'near' or None, got {kw['dedup']!r}")
    errors += option_errors(
        near_threshold=kw["near_threshold"], min_chars=kw["min_chars"], max_chars=kw["max_chars"],
        min_lang_score=kw["min_lang_score"], num_proc=kw["num_proc"],
    )  # fmt: skip
    errors += _langid_option_errors(kw["dialectness"], kw["priors"], kw["identify"])
    if kw["langs"] is not None and (isinstance(kw["langs"], str) or not kw["langs"]):
        errors.append(
            f"langs must be a non-empty list of codes, e.g. ['ary_Arab', 'ary_Latn'], got {kw['langs']!r}"
        )
    if errors:
        raise ConfigError("invalid clean() options:", errors=errors)
    if kw["normalize"]:
        from aimm_nlp.text.normalize import Normalizer

        Normalizer(kw["normalize"], **kw["switches"])  # validate the preset and switches now
    return kw


def _langid_option_errors(dialectness: Any, priors: Any, identify: Any) -> list[str]:
    """Problems with ``dialectness=(lo, hi)`` and ``priors=`` (checked before any row is read)."""
    errors = []
    if dialectness is not None:
        ok = isinstance(dialectness, (tuple, list)) and len(dialectness) == 2
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in dialectness)
        if not (ok and 0.0 <= dialectness[0] <= dialectness[1] <= 1.0):
            errors.append(
                f"dialectness: must be a pair (lo, hi) with 0 <= lo <= hi <= 1, got {dialectness!r}"
            )
    if priors is not None:
        if identify is not None:
            errors.append("priors: apply to aimm's own identifier only; leave identify=None or drop priors")
        else:
            from aimm_nlp.text.langid import identify_batch

            try:
                identify_batch([], priors=priors)  # checks the priors against the shipped model
            except ConfigError as exc:
                errors += exc.errors
    return errors


def _check_columns(features: Any, columns: list[str]) -> None:
    """``text`` and ``lang`` must exist and hold strings (None allowed), before any row is read."""
    missing = [c for c in ("text", "lang") if c not in columns]
    if missing:
        raise DataError(
            f"clean() needs columns 'text' and 'lang'; missing: {', '.join(missing)} (columns found: "
            f"{', '.join(columns) or '(none)'}); load files with load_corpus(), which adds both"
        )
    for name in ("text", "lang"):
        dtype = getattr(features.get(name) if features else None, "dtype", "string")
        if dtype not in ("string", "large_string", "null"):
            raise DataError(
                f"clean(): column {name!r} holds {dtype} values, not strings; convert it first, e.g. "
                f"ds.cast_column({name!r}, datasets.Value('string')), or pass the right column to load_corpus()"
            )


def clean(
    ds: Dataset | IterableDataset,
    *,
    normalize: str | None = "auto",
    switches: dict[str, bool] | None = None,
    langs: Sequence[str] | None = None,
    identify: Callable[[str], Any] | None = None,
    min_lang_score: float = 0.0,
    trust_labels: bool = True,
    dialectness: tuple[float, float] | None = None,
    priors: Mapping[str, float] | None = None,
    min_chars: int = 1,
    max_chars: int | None = None,
    quality: str | QualityRules | None = "web.v1",
    dedup: str | None = "exact",
    near_threshold: float = 0.8,
    num_proc: int | None = None,
    allow_empty: bool = False,
) -> tuple[Dataset | IterableDataset, CleanReport]:
    """Normalize, filter and deduplicate ``ds`` (columns ``text``, ``lang``), reporting each step.

    Args:
        ds: a ``Dataset`` or ``IterableDataset`` from :func:`load_corpus` (or any with ``text``/``lang``).
        normalize: normalizer preset (``aimm ls presets``), or None to keep the text as is.
        switches: normalizer switch overrides, e.g. ``{"mask_urls": True}``.
        langs: keep only these language codes; None keeps every language.
        identify: ``str -> LangGuess`` (``.lang``, ``.score``) or ``str -> str``, used for rows
            without a label (all rows if ``trust_labels=False``). Default:
            ``aimm_nlp.text.langid.identify`` when installed.
        min_lang_score: drop documents whose identification score is lower (0 to 1).
        trust_labels: keep existing ``lang`` labels instead of re-identifying.
        dialectness: ``(lo, hi)`` with ``0 <= lo <= hi <= 1``: keep a document whose dominant script
            is Arabic only if its :func:`aimm_nlp.text.langid.dialectness` (calibrated probability
            of Darija rather than MSA, shipped model) is in ``[lo, hi]``, e.g. ``(0.5, 1)`` for
            "mostly Darija", ``(0, 0.2)`` for "MSA only". Documents in another script are not
            touched by this step (combine with ``langs=`` to drop them); drops count under ``lang``
            with the reason ``dialectness 0.xx``. None (default): no such filter.
        priors: base rates of your corpus, e.g. ``{"arb_Arab": 0.7}``, for aimm's identifier and the
            dialectness (see :func:`aimm_nlp.text.langid.identify`); refused with another ``identify``.
        min_chars / max_chars: length bounds in characters, after normalization
            (``0 <= min_chars <= max_chars <= 10**9``; ``max_chars=None``: no upper bound).
        quality: quality rule set (``"web.v1"``), a :class:`QualityRules`, or None.
        dedup: ``"exact"`` (normalized-text hash), ``"near"`` (exact, then MinHash LSH), or None.
        near_threshold: Jaccard similarity of character 5-grams counted as near-duplicate, in (0, 1].
        num_proc: worker processes for the per-document steps (``Dataset.map`` in memory, a bounded
            process pool over Arrow batches when streaming) and the MinHash signatures (in memory);
            None or 1 to 256 (:data:`NUM_PROC_MAX`).
        allow_empty: return an empty dataset instead of raising when everything was removed.

    Returns:
        ``(dataset, report)``: the cleaned dataset (same columns, text normalized, ``lang`` filled in)
        and a :class:`CleanReport` whose counts add up. For an ``IterableDataset`` the report fills
        while the result is read.

    Raises:
        ConfigError: invalid option (every numeric one out of range listed at once). DataError: no
            ``text``/``lang`` column, or one that does not hold strings. UnknownNameError: unknown ``normalize`` preset or ``quality``
        set (a ``KeyError``; the message lists the known names). DataError: every document was
        removed (names the step), or a document needs a language and no identifier is available.
    """
    from datasets import IterableDataset

    switches = dict(switches or {})
    opts = _options(
        normalize=normalize, switches=switches, langs=langs, dedup=dedup, near_threshold=near_threshold,
        min_chars=min_chars, max_chars=max_chars, min_lang_score=min_lang_score, num_proc=num_proc,
        dialectness=dialectness, priors=priors, identify=identify,
    )  # fmt: skip
    for key in ("min_lang_score", "num_proc", "identify"):  # recorded below / not part of the report's config
        del opts[key]
    if dialectness is None:
        del opts["dialectness"]
    if priors is None:
        del opts["priors"]
    columns = ds.column_names if not isinstance(ds, IterableDataset) or ds.features else None
    if columns is not None:
        _check_columns(ds.features, columns)
    identify = resolve_identify(identify)  # rows without a label get one (and a score for min_lang_score)
    fn_kwargs = {
        "preset": normalize, "switches": switches, "rules": quality_rules(quality) if quality else None,
        "langs": list(langs) if langs is not None else None, "identify": identify,
        "min_lang_score": min_lang_score, "trust_labels": trust_labels, "min_chars": min_chars,
        "max_chars": max_chars, "dialectness": tuple(dialectness) if dialectness is not None else None,
        "priors": dict(priors) if priors else None,
    }  # fmt: skip
    config = {k: v for k, v in opts.items()} | {"quality": getattr(fn_kwargs["rules"], "name", None)}
    config |= {"min_lang_score": min_lang_score, "trust_labels": trust_labels, "identify": _name(identify)}
    steps = STEPS if dedup == "near" else STEPS[:-1] if dedup == "exact" else STEPS[:-2]
    tally = Tally(steps, config)
    drop_cols = [*_TMP, *(["error"] if columns and "error" in columns else [])]
    if isinstance(ds, IterableDataset):
        features = None
        if ds.features is not None:
            features = ds.features.copy()
            for col in drop_cols:
                features.pop(col, None)
        from datasets import DatasetInfo
        from datasets.iterable_dataset import ArrowExamplesIterable

        from aimm_nlp.corpus._stream import clean_tables

        kwargs = {"upstream": ds, "tally": tally, "dedup": dedup, "threshold": near_threshold}
        kwargs |= {"fn_kwargs": fn_kwargs, "features": features, "num_proc": num_proc}
        out = IterableDataset(
            ArrowExamplesIterable(clean_tables, kwargs), info=DatasetInfo(features=features)
        )
        return out, CleanReport(tally)
    out = _clean_in_memory(ds, fn_kwargs, tally, dedup, near_threshold, num_proc)
    out = out.remove_columns([c for c in drop_cols if c in out.column_names])
    report = CleanReport(tally)
    if not allow_empty:
        report.raise_if_empty()
    return out, report


def _name(fn: Any) -> str | None:
    return None if fn is None else f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _clean_in_memory(
    ds: Dataset,
    fn_kwargs: dict[str, Any],
    tally: Tally,
    dedup: str | None,
    threshold: float,
    num_proc: int | None,
) -> Dataset:
    import pyarrow.compute as pc
    from datasets import Features, Sequence, Value

    num_proc = num_proc if num_proc and num_proc > 1 and len(ds) >= 2 * num_proc else None
    mapped = ds.map(
        _row_steps, batched=True, num_proc=num_proc, fn_kwargs=fn_kwargs, desc="clean: normalize+filter"
    )
    tally.add_input(len(mapped))
    enc = mapped.data.column("_drop").combine_chunks().dictionary_encode()
    codes = enc.indices.to_numpy(zero_copy_only=False)
    names = enc.dictionary.to_pylist()
    text_col = mapped.data.column("text")
    for step in tally.steps[:4]:
        if step not in names:
            continue
        idx = np.flatnonzero(codes == names.index(step))
        whys = (
            pc.value_counts(pc.take(mapped.data.column("_why"), idx)).to_pylist() if step == "quality" else []
        )
        for item in whys:
            tally.reasons[step][item["values"]] += item["counts"]
        key = "_why" if step == "malformed" else "text"
        for example in pc.take(mapped.data.column(key) if key == "_why" else text_col, idx[:5]).to_pylist():
            tally.remove(step, example, count=0)
        tally.removed[step] += len(idx)
    kept = np.flatnonzero(codes == names.index("")) if "" in names else np.zeros(0, dtype=np.int64)
    if dedup:
        hashes = mapped.data.column("_hash").to_numpy()[kept]
        _, first = np.unique(hashes, return_index=True)
        is_first = np.zeros(len(kept), dtype=bool)
        is_first[first] = True
        dups = kept[~is_first]
        for example in pc.take(text_col, dups[:5]).to_pylist():
            tally.remove("exact_dup", example, count=0)
        tally.removed["exact_dup"] += len(dups)
        kept = kept[is_first]
    if dedup == "near" and len(kept):
        sigs = mapped.select(kept).map(
            signature_batch, batched=True, num_proc=num_proc, remove_columns=mapped.column_names,
            features=Features({"_sig": Sequence(Value("uint32"), length=NUM_PERM)}), desc="clean: minhash",
        )  # fmt: skip
        index, is_dup, pos = NearDuplicates(threshold), np.zeros(len(kept), dtype=bool), 0
        for batch in sigs.with_format("numpy").iter(batch_size=10_000):
            for sig in batch["_sig"]:
                is_dup[pos] = index.seen(sig)
                pos += 1
        for example in pc.take(text_col, kept[is_dup][:5]).to_pylist():
            tally.remove("near_dup", example, count=0)
        tally.removed["near_dup"] += int(is_dup.sum())
        kept = kept[~is_dup]
    tally.finish()
    return mapped.select(kept)
