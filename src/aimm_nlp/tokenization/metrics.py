"""Tokenizer metrics on one language's texts (definitions as in ``shared/anchors/README.md``).

* fertility = tokens / whitespace words (no special tokens);
* pcw = share of whitespace words that become >= 2 tokens when encoded alone
  ("continued words", Rust et al. 2021);
* chars / bytes per token = characters or UTF-8 bytes / tokens;
* unk_rate = share of tokens that are UNK or byte-fallback pieces;
* roundtrip = share of texts with ``decode(encode(t)) == t``;
* parity = tokens / tokens of the reference language on parallel text
  (Petrov et al. 2023), filled in by :func:`~aimm_nlp.tokenization.evaluate_tokenizers`.

Examples:
    >>> word_count(["واش نتا مزيان؟", "3lach  la"])
    5
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aimm_nlp.tokenization._load import LoadedTokenizer

__all__ = ["LangMetrics", "measure", "word_count"]


@dataclass(frozen=True)
class LangMetrics:
    """Metrics of one tokenizer on one language (one row of the report)."""

    tokenizer: str
    vocab: int
    lang: str
    sentences: int
    words: int
    tokens: int
    fertility: float
    pcw: float
    chars_per_token: float
    bytes_per_token: float
    unk_rate: float
    roundtrip: float
    sents_per_s: float
    parity: float | None = None


def word_count(texts: Sequence[str]) -> int:
    """Number of whitespace-separated words in ``texts``."""
    return sum(len(t.split()) for t in texts)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def measure(tok: LoadedTokenizer, texts: Sequence[str], *, lang: str) -> LangMetrics:
    """Compute every per-language metric of ``tok`` on ``texts``.

    Args:
        tok: a tokenizer from :func:`~aimm_nlp.tokenization.load_tokenizer`.
        texts: the language's texts, one sentence each.
        lang: language code stored in the row.

    Returns:
        The row, with ``parity`` left ``None``.
    """
    start = time.perf_counter()
    encoded = tok.encode(texts)
    elapsed = time.perf_counter() - start
    tokens = sum(len(ids) for ids in encoded)
    fallback = sum(1 for ids in encoded for i in ids if i in tok.fallback_ids)
    words = Counter(w for t in texts for w in t.split())
    uniq = list(words)
    continued = sum(words[w] for w, ids in zip(uniq, tok.encode(uniq), strict=False) if len(ids) >= 2)
    exact = sum(tok.decode(ids) == t for t, ids in zip(texts, encoded, strict=False))
    n_words = sum(words.values())
    return LangMetrics(
        tokenizer=tok.name,
        vocab=tok.vocab_size,
        lang=lang,
        sentences=len(texts),
        words=n_words,
        tokens=tokens,
        fertility=_ratio(tokens, n_words),
        pcw=_ratio(continued, n_words),
        chars_per_token=_ratio(sum(len(t) for t in texts), tokens),
        bytes_per_token=_ratio(sum(len(t.encode("utf-8")) for t in texts), tokens),
        unk_rate=_ratio(fallback, tokens),
        roundtrip=_ratio(exact, len(texts)),
        sents_per_s=_ratio(len(texts), elapsed),
    )
