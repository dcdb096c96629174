"""SentencePiece backend: Unigram or BPE, trained in memory, saved as ``tokenizer.model``
plus an equivalent ``tokenizer.json`` (see :func:`~aimm_nlp.tokenization._load.spm_to_hf`).

Settings keep SentencePiece lossless and Moroccan-aware: identity normalization (the
aimm_nlp normalizer runs on the training text instead), no whitespace squeezing,
digits kept inside words (``split_by_number=False``: ``3lach`` stays whole), the
Tifinagh block as required characters, full character coverage and byte fallback.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["train_folder", "train_spm"]


def train_spm(
    texts: Sequence[str],
    *,
    kind: str,
    vocab_size: int,
    special_tokens: Sequence[str],
    alphabet: Sequence[str],
    byte_fallback: bool,
    progress: bool,
) -> bytes:
    """Train and return the serialized ``.model`` bytes.

    SentencePiece has no seed option: one thread and no input shuffling make it deterministic.
    """
    import sentencepiece as spm

    unk, *rest = special_tokens
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        model_type=kind,
        vocab_size=vocab_size,
        character_coverage=1.0,
        byte_fallback=byte_fallback,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=True,
        split_by_number=False,
        split_digits=False,
        allow_whitespace_only_pieces=True,
        required_chars="".join(c for c in alphabet if c != " "),  # spm models the space as ▁
        unk_piece=unk,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        control_symbols=list(rest),
        max_sentence_length=1 << 16,
        input_sentence_size=0,
        hard_vocab_limit=False,
        shuffle_input_sentence=False,
        num_threads=1,
        minloglevel=0 if progress else 2,
    )
    return model.getvalue()


def train_folder(texts: Sequence[str], build: Path, **options: Any) -> str:
    """The ``spm`` backend (see ``BACKENDS``): write ``tokenizer.model`` into ``build`` and return the
    equivalent ``tokenizer.json`` text."""
    from aimm_nlp.tokenization._load import spm_to_hf

    (build / "tokenizer.model").write_bytes(train_spm(texts, **options))
    return spm_to_hf(build / "tokenizer.model", exact_spaces=True).to_str(pretty=True)
