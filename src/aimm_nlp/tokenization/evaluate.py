"""Compare tokenizers across languages and scripts in one call; JSON, Markdown and PNG out.

Examples:
    >>> report = evaluate_tokenizers(  # doctest: +SKIP
    ...     {"mistral": "../shared/tokenizers/mistral-7b-v0.1/tokenizer.model", "ours": "out/tok32k"},
    ...     {"eng_Latn": ["How are you?"], "ary_Arab": ["كيداير؟"]},
    ... )
    >>> report.get("mistral", "ary_Arab").parity  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp import __version__
from aimm_nlp._io import atomic_output
from aimm_nlp.errors import DataError
from aimm_nlp.langs import ENG_LATN
from aimm_nlp.tokenization._load import load_tokenizer
from aimm_nlp.tokenization.metrics import LangMetrics, measure

__all__ = ["TokenizerReport", "evaluate_tokenizers", "read_flores"]

_COLUMNS = [
    ("tokenizer", "tokenizer", "{}"),
    ("vocab", "vocab", "{}"),
    ("lang", "lang", "{}"),
    ("fertility", "fertility", "{:.3f}"),
    ("parity", "parity", "{:.3f}"),
    ("pcw", "pcw", "{:.3f}"),
    ("chars_per_token", "chars/tok", "{:.2f}"),
    ("bytes_per_token", "bytes/tok", "{:.2f}"),
    ("unk_rate", "unk+bytes", "{:.4f}"),
    ("roundtrip", "roundtrip", "{:.3f}"),
]


@dataclass(frozen=True)
class TokenizerReport:
    """Rows of :class:`~aimm_nlp.tokenization.LangMetrics`, one per (tokenizer, language)."""

    rows: tuple[LangMetrics, ...]
    reference: str | None
    parallel: bool

    def get(self, tokenizer: str, lang: str) -> LangMetrics:
        """The row of ``tokenizer`` on ``lang``."""
        for row in self.rows:
            if row.tokenizer == tokenizer and row.lang == lang:
                return row
        raise KeyError(f"no row for tokenizer {tokenizer!r} and language {lang!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (schema-versioned)."""
        return {
            "format_version": 1,
            "aimm_nlp": __version__,
            "reference": self.reference,
            "parallel": self.parallel,
            "rows": [dataclasses.asdict(r) for r in self.rows],
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The report as JSON text; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        if path is not None:
            with atomic_output(path) as fh:
                fh.write(text + "\n")
        return text

    def to_markdown(self) -> str:
        """A Markdown table (parity blank when not measured)."""
        head = "| " + " | ".join(label for _, label, _ in _COLUMNS) + " |"
        lines = [head, "|" + "---|" * len(_COLUMNS)]
        for row in self.rows:
            cells = []
            for key, _, fmt in _COLUMNS:
                value = getattr(row, key)
                cells.append("" if value is None else fmt.format(value))
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def to_png(self, path: str | os.PathLike[str], *, metric: str = "fertility") -> None:
        """Grouped bar chart of ``metric`` per language, one bar per tokenizer."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        langs = list(dict.fromkeys(r.lang for r in self.rows))
        names = list(dict.fromkeys(r.tokenizer for r in self.rows))
        width = 0.8 / max(len(names), 1)
        fig, ax = plt.subplots(figsize=(max(8, 1.4 * len(langs)), 4.5))
        colors = plt.get_cmap("tab20").colors
        for i, name in enumerate(names):
            rows = [self.get(name, lang) for lang in langs]
            bars = ax.bar(
                [x + i * width for x in range(len(langs))],
                [getattr(r, metric) or 0.0 for r in rows],
                width,
                label=name,
                color=colors[i % len(colors)],
            )
            for bar, row in zip(bars, rows, strict=True):
                if row.unk_rate > 0.05:  # a low bar that is mostly UNK/byte pieces is not a good score
                    bar.set_hatch("///")
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(langs))], langs)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} per language (lower is better; hatched: > 5 % UNK/byte-fallback tokens)")
        ax.legend(fontsize=8, ncol=2)
        fig.tight_layout()
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target, mode="wb") as fh:
            fig.savefig(fh, format="png", dpi=120)
        plt.close(fig)

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write ``metrics.json``, ``metrics.md`` and ``fertility.png`` into ``out_dir``."""
        out = Path(out_dir)
        self.to_json(out / "metrics.json")
        with atomic_output(out / "metrics.md") as fh:
            fh.write(self.to_markdown() + "\n")
        self.to_png(out / "fertility.png")
        return out


def read_flores(folder: str | os.PathLike[str], langs: Sequence[str] | None = None) -> dict[str, list[str]]:
    """FLORES-200 dev+devtest lines per language from ``folder/dev/<lang>.dev`` and
    ``folder/devtest/<lang>.devtest`` (all languages found when ``langs`` is None).

    Raises:
        InputFileError: the folder or a language's files are missing.
    """
    from aimm_nlp._io import iter_lines
    from aimm_nlp.errors import InputFileError

    root = Path(folder)
    if not (root / "dev").is_dir():
        raise InputFileError(
            f"{root}: no dev/ folder; pass the FLORES-200 folder holding dev/ and devtest/", path=str(root)
        )
    found = sorted(p.stem for p in (root / "dev").glob("*.dev"))
    out = {}
    for lang in langs or found:
        if lang not in found:
            raise InputFileError(
                f"{root}/dev/{lang}.dev: missing; available: {', '.join(found)}", path=str(root)
            )
        out[lang] = [
            *iter_lines(root / "dev" / f"{lang}.dev"),
            *iter_lines(root / "devtest" / f"{lang}.devtest"),
        ]
    return out


def _check_texts(texts_by_lang: Mapping[str, Sequence[str]], parallel: bool, reference: str | None) -> None:
    if not texts_by_lang:
        raise DataError("texts_by_lang is empty: pass {lang: [sentence, ...]}")
    for lang, texts in texts_by_lang.items():
        if isinstance(texts, str):
            raise DataError(f"texts_by_lang[{lang!r}] is a string; pass a list of sentences")
        if not texts:
            raise DataError(f"texts_by_lang[{lang!r}] is empty")
    if parallel:
        sizes = {lang: len(texts) for lang, texts in texts_by_lang.items()}
        if len(set(sizes.values())) > 1:
            raise DataError(
                f"texts are not parallel (sentences per language: {sizes}); parity needs line i to be the "
                "same sentence in every language: pass aligned lists or parallel=False"
            )
        if reference is not None and reference not in texts_by_lang:
            raise DataError(
                f"reference language {reference!r} is not in texts_by_lang ({', '.join(texts_by_lang)}); "
                "add it or pass reference=None"
            )


def evaluate_tokenizers(
    tokenizers: Mapping[str, Any],
    texts_by_lang: Mapping[str, Sequence[str]],
    *,
    parallel: bool = True,
    reference: str | None = ENG_LATN,
    progress: bool = False,
) -> TokenizerReport:
    """Measure every tokenizer on every language: fertility, parity, pcw, chars/bytes per token,
    UNK + byte-fallback rate and exact round-trip rate.

    Args:
        tokenizers: ``{name: tokenizer or path}`` (anything :func:`load_tokenizer` takes).
        texts_by_lang: ``{lang: [sentence, ...]}``; with ``parallel=True`` line i must be the
            same sentence in every language (e.g. FLORES-200).
        parallel: compute parity against ``reference`` (needs equal lengths).
        reference: the parity reference language.
        progress: show a progress bar.

    Returns:
        A :class:`TokenizerReport` with one row per (tokenizer, language), in input order.

    Raises:
        DataError: empty or non-parallel texts, or a missing reference language.
        InputFileError: a path that is not a tokenizer.

    Examples:
        >>> from tokenizers import Tokenizer, models, pre_tokenizers
        >>> tok = Tokenizer(models.WordLevel({"[UNK]": 0, "salam": 1}, unk_token="[UNK]"))
        >>> tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        >>> r = evaluate_tokenizers({"wl": tok}, {"ary_Latn": ["salam 3lik"]}, parallel=False)
        >>> r.get("wl", "ary_Latn").unk_rate
        0.5
    """
    _check_texts(texts_by_lang, parallel, reference)
    if not tokenizers:
        raise DataError("no tokenizers to evaluate: pass {name: tokenizer_or_path}")
    loaded = {name: load_tokenizer(tok, name=name) for name, tok in tokenizers.items()}
    jobs = [(name, lang) for name in loaded for lang in texts_by_lang]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="tokenizers x languages", unit="pair")
    rows = [measure(loaded[name], list(texts_by_lang[lang]), lang=lang) for name, lang in jobs]
    if parallel and reference is not None:
        ref = {r.tokenizer: r.tokens for r in rows if r.lang == reference}
        rows = [
            dataclasses.replace(r, parity=r.tokens / ref[r.tokenizer] if ref[r.tokenizer] else None)
            for r in rows
        ]
    return TokenizerReport(rows=tuple(rows), reference=reference if parallel else None, parallel=parallel)
