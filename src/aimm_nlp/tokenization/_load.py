"""Load any tokenizer the project compares: HF folders/``tokenizer.json``, SentencePiece
``.model`` files, tiktoken BPE rank files (Llama 3), and in-memory tokenizer objects.

Every loader returns a :class:`LoadedTokenizer`, the one interface the metrics need:
encode without special tokens, decode, and tell which ids are UNK or byte-fallback.

Examples:
    >>> tok = load_tokenizer(shared_path("tokenizers/mistral-7b-v0.1/tokenizer.model"))  # doctest: +SKIP
    >>> len(tok.encode(["واش نتا مزيان؟"])[0])  # doctest: +SKIP
    12
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._io import open_binary
from aimm_nlp.errors import DataError, InputFileError

__all__ = ["LoadedTokenizer", "load_tokenizer", "spm_to_hf", "tiktoken_to_hf"]

_BYTE_PIECE = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")
_NOT_A_TOKENIZER = (
    "expected a folder with tokenizer.json or tokenizer.model, a tokenizer.json, a SentencePiece .model, "
    "a tiktoken BPE rank file, or a tokenizer object"
)
# Llama 3's split regex (meta-llama/llama-models tokenizer.py).
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


@dataclass(frozen=True)
class LoadedTokenizer:
    """A tokenizer behind one small interface (see module docstring).

    Attributes:
        name: display name (the path's folder or file name unless given).
        kind: ``"hf"`` (``tokenizers`` object) or ``"spm"`` (SentencePiece processor).
        vocab_size: number of ids, added tokens included.
        fallback_ids: ids that are UNK or byte-fallback pieces.
        impl: the underlying ``tokenizers.Tokenizer`` or ``SentencePieceProcessor``.
    """

    name: str
    kind: str
    vocab_size: int
    fallback_ids: frozenset[int] = field(repr=False)
    impl: Any = field(repr=False)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, no special tokens added."""
        if self.kind == "spm":
            return self.impl.encode(list(texts))
        return [e.ids for e in self.impl.encode_batch(list(texts), add_special_tokens=False)]

    def decode(self, ids: Sequence[int]) -> str:
        """Text of ``ids`` (special tokens skipped)."""
        if self.kind == "spm":
            return self.impl.decode(list(ids))
        return self.impl.decode(list(ids), skip_special_tokens=True)


def _hf_fallback_ids(tok: Any) -> frozenset[int]:
    import json

    model = json.loads(tok.to_str())["model"]
    ids = set()
    unk = model.get("unk_token")
    if model.get("type") == "Unigram" and model.get("unk_id") is not None:
        ids.add(model["unk_id"])
    elif unk is not None and tok.token_to_id(unk) is not None:
        ids.add(tok.token_to_id(unk))
    if model.get("byte_fallback"):
        ids.update(i for t, i in tok.get_vocab(with_added_tokens=False).items() if _BYTE_PIECE.match(t))
    return frozenset(ids)


def _from_hf(tok: Any, name: str) -> LoadedTokenizer:
    return LoadedTokenizer(name, "hf", tok.get_vocab_size(with_added_tokens=True), _hf_fallback_ids(tok), tok)


def _from_spm(sp: Any, name: str) -> LoadedTokenizer:
    n = sp.get_piece_size()
    ids = frozenset(i for i in range(n) if sp.is_unknown(i) or sp.is_byte(i))
    return LoadedTokenizer(name, "spm", n, ids, sp)


def _read_tiktoken_ranks(path: Path) -> dict[bytes, int]:
    ranks = {}
    for lineno, line in enumerate(path.read_text("ascii").splitlines(), 1):
        if not line:
            continue
        token, _, rank = line.partition(" ")
        try:
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except ValueError:
            raise InputFileError(
                f"{path}:{lineno}: not a tiktoken rank line", path=str(path), line=lineno
            ) from None
    return ranks


def tiktoken_to_hf(path: str | os.PathLike[str], *, pattern: str = LLAMA3_PATTERN) -> Any:
    """Convert a tiktoken BPE rank file to a byte-level ``tokenizers.Tokenizer`` (no tiktoken needed)."""
    from transformers.convert_slow_tokenizer import TikTokenConverter

    class _Converter(TikTokenConverter):
        @staticmethod
        def load_tiktoken_bpe(tiktoken_url: str) -> dict[bytes, int]:
            return _read_tiktoken_ranks(Path(tiktoken_url))

    return _Converter(vocab_file=str(path), pattern=pattern).converted()


def spm_to_hf(path: str | os.PathLike[str], *, exact_spaces: bool = False) -> Any:
    """Convert a SentencePiece BPE or Unigram ``.model`` to an equivalent ``tokenizers.Tokenizer``.

    Pieces, scores, byte fallback and the dummy-prefix space are carried over (the
    same construction as transformers' Llama converter, for any SentencePiece model).
    With ``exact_spaces`` one ``▁`` is always prepended and exactly one stripped on
    decoding, so leading spaces survive a round trip (used for aimm_nlp's own models).

    Raises:
        InputFileError: the file is missing, truncated or corrupt (the message names it).
    """
    from google.protobuf.message import DecodeError
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers.convert_slow_tokenizer import generate_merges

    proto = sentencepiece_model_pb2.ModelProto()
    with open_binary(path) as fh:
        data = fh.read()
    try:
        proto.ParseFromString(data)
    except DecodeError as exc:
        raise InputFileError(
            f"{path}: not a readable SentencePiece .model ({exc}; {len(data):,} bytes): the file is truncated "
            "or corrupt; copy it again from the model's repository",
            path=str(path),
        ) from None
    pieces = [(p.piece, p.score) for p in proto.pieces]
    unk_id = proto.trainer_spec.unk_id
    # SentencePiece always writes pieces, then trainer_spec and normalizer_spec: a file cut at a field
    # boundary parses, but lacks the specs (it would pass for a Unigram model with default settings)
    complete = proto.HasField("trainer_spec") and proto.HasField("normalizer_spec")
    if not pieces or not complete or not 0 <= unk_id < len(pieces):
        raise InputFileError(
            f"{path}: SentencePiece .model with {len(pieces)} pieces, unk_id {unk_id}"
            f"{'' if complete else ' and no trainer/normalizer settings'}: the file is truncated or corrupt; "
            "copy it again from the model's repository",
            path=str(path),
        )
    byte_fallback = proto.trainer_spec.byte_fallback
    if proto.trainer_spec.model_type == 1:  # UNIGRAM
        tok = Tokenizer(models.Unigram(pieces, unk_id=unk_id, byte_fallback=byte_fallback))
    elif proto.trainer_spec.model_type == 2:  # BPE
        vocab = {piece: i for i, (piece, _) in enumerate(pieces)}
        merges = generate_merges(vocab, {piece: score for piece, score in pieces})
        tok = Tokenizer(
            models.BPE(vocab, merges, unk_token=pieces[unk_id][0], fuse_unk=True, byte_fallback=byte_fallback)
        )
    else:
        raise DataError(
            f"{path}: SentencePiece model type {proto.trainer_spec.model_type} is not BPE or Unigram"
        )
    if exact_spaces:
        tok.normalizer = normalizers.Sequence([normalizers.Replace(" ", "▁"), normalizers.Prepend("▁")])
        tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    else:
        prefix = "first" if proto.normalizer_spec.add_dummy_prefix else "never"
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=prefix, split=False)
    steps = [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
    if proto.normalizer_spec.add_dummy_prefix:
        steps.append(decoders.Strip(" ", 1, 0))
    tok.decoder = decoders.Sequence(steps)
    tok.add_special_tokens(
        [AddedToken(p.piece, normalized=False, special=True) for p in proto.pieces if p.type in (2, 3)]
    )
    return tok


def _sniff(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(64)
    if head.startswith(b"{"):
        return "json"
    if re.match(rb"^[A-Za-z0-9+/=]+ \d+\n", head):
        return "tiktoken"
    if head[:1] == b"\n":  # protobuf field 1 (pieces), length-delimited
        return "spm"
    return "unknown"


def _load_path(path: Path, name: str) -> LoadedTokenizer:
    if path.is_dir():
        for candidate in ("tokenizer.json", "tokenizer.model"):
            if (path / candidate).is_file():
                return _load_path(path / candidate, name)
        raise InputFileError(f"{path}: not a tokenizer: {_NOT_A_TOKENIZER}", path=str(path))
    if not path.is_file():
        raise InputFileError(f"{path}: no such file or folder; {_NOT_A_TOKENIZER}", path=str(path))
    kind = _sniff(path)
    try:
        if kind == "json":
            from tokenizers import Tokenizer

            return _from_hf(Tokenizer.from_file(str(path)), name)
        if kind == "spm":
            import sentencepiece

            return _from_spm(sentencepiece.SentencePieceProcessor(model_file=str(path)), name)
        if kind == "tiktoken":
            return _from_hf(tiktoken_to_hf(path), name)
    except InputFileError:
        raise
    except Exception as exc:  # the libraries raise bare Exception/RuntimeError on corrupt files
        raise InputFileError(
            f"{path}: cannot load tokenizer ({exc}); {_NOT_A_TOKENIZER}", path=str(path)
        ) from None
    raise InputFileError(f"{path}: not a tokenizer: {_NOT_A_TOKENIZER}", path=str(path))


def load_tokenizer(tokenizer: Any, *, name: str | None = None) -> LoadedTokenizer:
    """Wrap a tokenizer path or object as a :class:`LoadedTokenizer`.

    Args:
        tokenizer: a path (folder, ``tokenizer.json``, SentencePiece ``.model``, tiktoken rank file),
            a ``tokenizers.Tokenizer``, a transformers fast tokenizer, a ``SentencePieceProcessor``,
            a :class:`~aimm_nlp.tokenization.TrainedTokenizer` or a ``LoadedTokenizer``.
        name: display name; default the folder or file name.

    Raises:
        InputFileError: the path is missing or is not a tokenizer.
        DataError: the object is not a tokenizer.
    """
    if isinstance(tokenizer, LoadedTokenizer):
        return dataclasses.replace(tokenizer, name=name) if name else tokenizer
    if isinstance(tokenizer, (str, os.PathLike)):
        path = Path(tokenizer)
        default = (
            path.name
            if path.is_dir() or path.name not in ("tokenizer.json", "tokenizer.model")
            else path.parent.name
        )
        return _load_path(path, name or default)
    if hasattr(tokenizer, "path") and hasattr(tokenizer, "card"):  # TrainedTokenizer
        return _load_path(Path(tokenizer.path), name or Path(tokenizer.path).name)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        return _from_hf(backend, name or type(tokenizer).__name__)
    if hasattr(tokenizer, "encode_batch") and hasattr(tokenizer, "get_vocab_size"):
        return _from_hf(tokenizer, name or "tokenizer")
    if hasattr(tokenizer, "is_byte") and hasattr(tokenizer, "get_piece_size"):
        return _from_spm(tokenizer, name or "sentencepiece")
    raise DataError(f"{type(tokenizer).__name__} object is not a tokenizer: {_NOT_A_TOKENIZER}")
