"""HF ``tokenizers`` backend: BPE, Unigram and WordPiece with the Moroccan pre-tokenizer.

The pipeline is lossless: a normalizer prepends one space, the regex of
:mod:`aimm_nlp.tokenization._pretok` splits words (space attached), and the
decoder fuses pieces, turns ``<0xNN>`` byte pieces back into bytes and strips the
one added space. Byte pieces live in the model vocabulary (not as special
tokens) so decoding keeps them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aimm_nlp.tokenization._pretok import PATTERN

__all__ = ["BYTE_PIECES", "train_hf"]

BYTE_PIECES = [f"<0x{i:02X}>" for i in range(256)]


def _pipeline(tok: Any, kind: str) -> None:
    from tokenizers import Regex, decoders, normalizers, pre_tokenizers

    tok.normalizer = normalizers.Prepend(" ")
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(PATTERN), behavior="isolated")
    steps = [decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    if kind == "wordpiece":
        steps.insert(0, decoders.Replace(Regex("^##"), ""))
    tok.decoder = decoders.Sequence(steps)


def train_hf(
    texts: Sequence[str],
    *,
    kind: str,
    vocab_size: int,
    special_tokens: Sequence[str],
    alphabet: Sequence[str],
    byte_fallback: bool,
    progress: bool,
) -> str:
    """Train and return the ``tokenizer.json`` text."""
    from tokenizers import Tokenizer, models, trainers

    unk = special_tokens[0]
    extra = BYTE_PIECES if byte_fallback else []
    common = {
        "vocab_size": vocab_size,
        "show_progress": progress,
        "special_tokens": [*special_tokens, *extra],
    }
    if kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token=unk, byte_fallback=byte_fallback, fuse_unk=True))
        trainer = trainers.BpeTrainer(initial_alphabet=list(alphabet), **common)
    elif kind == "unigram":
        tok = Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(initial_alphabet=list(alphabet), unk_token=unk, **common)
    else:
        tok = Tokenizer(models.WordPiece(unk_token=unk))
        trainer = trainers.WordPieceTrainer(initial_alphabet=list(alphabet), **common)
    _pipeline(tok, kind)
    tok.train_from_iterator(texts, trainer, length=len(texts))
    data = json.loads(tok.to_str())
    if byte_fallback:
        # Byte pieces are ordinary vocabulary: as special added tokens the decoder would drop them.
        bytes_ = set(BYTE_PIECES)
        data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in bytes_]
        data["model"]["byte_fallback"] = True
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def train_folder(texts: Sequence[str], build: Path, **options: Any) -> str:
    """The ``hf`` backend (see ``BACKENDS``): train and return the ``tokenizer.json`` text."""
    return train_hf(texts, **options)
