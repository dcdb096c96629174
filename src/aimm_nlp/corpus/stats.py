"""Describe a corpus per language and per script: sizes, lengths, duplicates, top words, plots.

Examples:
    >>> from datasets import Dataset
    >>> ds = Dataset.from_dict({"text": ["واش نتا مزيان؟", "salam labas 3lik", "salam labas 3lik", "ⴰⵣⵓⵍ"],
    ...                         "lang": ["ary_Arab", "ary_Latn", "ary_Latn", "zgh_Tfng"]})
    >>> stats = describe(ds)
    >>> stats.n_docs, stats.by_lang["ary_Latn"]["docs"], stats.by_lang["ary_Latn"]["duplicate_rate"]
    (4, 2, 0.5)
    >>> stats.by_script["Tfng"]["docs"], stats.by_lang["ary_Latn"]["top_words"][0]
    (1, ['salam', 2])
"""

from __future__ import annotations

import json
import os
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import regex

from aimm_nlp._io import atomic_output
from aimm_nlp.corpus.dedup import text_hash

__all__ = ["CorpusStats", "describe"]

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*")
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class _Group:
    def __init__(self) -> None:
        self.docs = self.words = self.chars = self.dups = 0
        self.lengths = array("I")
        self.hashes: set[int] = set()
        self.vocab: Counter[str] = Counter()

    def add(self, text: str, tokens: list[str], h: int) -> None:
        self.docs += 1
        self.words += len(tokens)
        self.chars += len(text)
        self.lengths.append(len(text))
        if h in self.hashes:
            self.dups += 1
        else:
            self.hashes.add(h)
        self.vocab.update(tokens)

    def summary(self, top_k: int) -> dict[str, Any]:
        q = np.quantile(np.frombuffer(self.lengths, dtype=np.uint32), _QUANTILES) if self.docs else [0] * 5
        return {
            "docs": self.docs,
            "words": self.words,
            "chars": self.chars,
            "chars_per_doc_quantiles": {
                f"p{int(p * 100)}": float(v) for p, v in zip(_QUANTILES, q, strict=True)
            },
            "duplicate_rate": round(self.dups / self.docs, 6) if self.docs else 0.0,
            "top_words": [[w, c] for w, c in self.vocab.most_common(top_k)],
        }


@dataclass(frozen=True)
class CorpusStats:
    """Statistics of a corpus: totals plus one dict per language and per script."""

    n_docs: int
    overall: dict[str, Any]
    by_lang: dict[str, dict[str, Any]]
    by_script: dict[str, dict[str, Any]]
    lengths: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    n_malformed: int = 0  # lines dropped by on_error="skip" (rows carrying an ``error``), not counted above

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_docs": self.n_docs,
            "n_malformed": self.n_malformed,
            "overall": self.overall,
            "by_lang": self.by_lang,
            "by_script": self.by_script,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_markdown(self) -> str:
        """Tables per language and per script (docs, words, chars, median length, duplicate rate, top words)."""
        skipped = f" {self.n_malformed:,} malformed lines skipped." if self.n_malformed else ""
        out = [
            f"# Corpus statistics\n\n{self.n_docs:,} documents, {self.overall['words']:,} words.{skipped}\n"
        ]
        for title, groups in (("language", self.by_lang), ("script", self.by_script)):
            out += [
                f"\n## By {title}\n",
                f"| {title} | docs | share | words | chars | median chars | p95 chars | dup rate | top words |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|",
            ]
            for key, g in groups.items():
                top = ", ".join(w for w, _ in g["top_words"][:8]).replace("|", "\\|")
                q = g["chars_per_doc_quantiles"]
                share = g["docs"] / self.n_docs if self.n_docs else 0.0
                out.append(
                    f"| {key} | {g['docs']:,} | {share:.1%} | {g['words']:,} | {g['chars']:,} | {q['p50']:.0f} "
                    f"| {q['p95']:.0f} | {g['duplicate_rate']:.2%} | {top} |"
                )
        return "\n".join(out) + "\n"

    def save(self, out_dir: str | os.PathLike[str], *, plots: bool = True) -> list[Path]:
        """Write ``stats.json``, ``stats.md`` and (with ``plots``) PNG plots; each file atomically."""
        out = Path(out_dir)
        written = [out / "stats.json", out / "stats.md"]
        with atomic_output(written[0]) as fh:
            fh.write(self.to_json() + "\n")
        with atomic_output(written[1]) as fh:
            fh.write(self.to_markdown())
        if plots:
            written += self._plot(out)
        return written

    def _plot(self, out: Path) -> list[Path]:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        paths = [out / "length_hist.png", out / "shares.png"]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        top = max((int(v.max()) for v in self.lengths.values() if len(v)), default=1)
        bins = np.logspace(0, np.log10(max(top, 2)), 40)
        for lang, lengths in self.lengths.items():
            ax.hist(lengths, bins=bins, histtype="step", label=f"{lang} ({len(lengths):,})")
        ax.set(
            xscale="log", xlabel="characters per document", ylabel="documents", title="Length per language"
        )
        ax.legend(fontsize="small")
        fig.tight_layout()
        with atomic_output(paths[0], mode="wb") as fh:
            fig.savefig(fh, format="png", dpi=100)
        plt.close(fig)
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, (title, groups) in zip(
            axes, (("language", self.by_lang), ("script", self.by_script)), strict=True
        ):
            keys = list(groups)
            ax.barh(keys, [groups[k]["docs"] / max(self.n_docs, 1) for k in keys])
            ax.set(xlabel="share of documents", title=f"Share by {title}")
            ax.invert_yaxis()
        fig.tight_layout()
        with atomic_output(paths[1], mode="wb") as fh:
            fig.savefig(fh, format="png", dpi=100)
        plt.close(fig)
        return paths


def describe(ds: Any, *, top_k: int = 20, batch_size: int = 1000) -> CorpusStats:
    """Compute :class:`CorpusStats` of a ``Dataset`` or ``IterableDataset`` in one pass.

    Args:
        ds: rows with ``text`` and optionally ``lang`` (missing or None counts as ``und``); rows with an
            ``error`` (malformed lines kept by ``load_corpus(on_error="skip")``) are counted apart.
        top_k: number of most frequent words kept per group (words are case-folded), 0 to 10**6.
        batch_size: rows read at a time, 1 to 10**6.

    Returns:
        A :class:`CorpusStats`; call ``.save(dir)`` for JSON, Markdown and PNG plots.

    Raises:
        ConfigError: ``top_k`` or ``batch_size`` outside its range (before any row is read).
    """
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.text.scripts import dominant_script

    errors = [
        f"{name}: must be an integer from {low} to 10**6, got {value!r}"
        for name, value, low in (("top_k", top_k, 0), ("batch_size", batch_size, 1))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 10**6
    ]
    if errors:  # Counter.most_common(-5) would silently drop the 5 rarest words instead
        raise ConfigError("invalid describe() options:", errors=errors)

    total = _Group()
    langs: dict[str, _Group] = defaultdict(_Group)
    scripts: dict[str, _Group] = defaultdict(_Group)
    malformed = 0
    for table in ds.with_format("arrow").iter(batch_size=batch_size):
        batch = table.to_pydict()  # Arrow batches skip the per-row decoding of python iteration
        texts = batch["text"]
        labels = batch.get("lang") or [None] * len(texts)
        bad = batch.get("error") or [None] * len(texts)
        for text, lang, error in zip(texts, labels, bad, strict=True):
            if error is not None:
                malformed += 1
                continue
            text = text or ""
            tokens = _WORD.findall(text.casefold())
            h = text_hash(text)
            for group in (total, langs[lang or "und"], scripts[dominant_script(text) if text else "Other"]):
                group.add(text, tokens, h)

    def ordered(groups: dict[str, _Group]) -> dict[str, dict[str, Any]]:
        return {k: g.summary(top_k) for k, g in sorted(groups.items(), key=lambda kv: (-kv[1].docs, kv[0]))}

    return CorpusStats(
        n_docs=total.docs,
        overall=total.summary(top_k),
        by_lang=ordered(langs),
        by_script=ordered(scripts),
        lengths={k: np.frombuffer(g.lengths, dtype=np.uint32) for k, g in sorted(langs.items())},
        n_malformed=malformed,
    )
