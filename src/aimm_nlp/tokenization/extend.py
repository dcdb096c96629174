"""Add Moroccan tokens to an existing BPE tokenizer and initialise their embeddings.

:func:`extend_tokenizer` continues BPE training on top of the base tokenizer: the
corpus is first segmented by the base model, then the most frequent adjacent pair is
merged, ``n_new_tokens`` times. New merges get the lowest priority and new ids after
every existing id, so a text whose base segmentation contains no new-mergeable pair
tokenizes exactly as before (same ids), and old ids never move.
:func:`resize_embeddings` gives each new token the mean of the input (and output)
embeddings of the old pieces it replaces.

Examples:
    >>> ext = extend_tokenizer("mistral/tokenizer.model", ["واش نتا مزيان؟"] * 50, n_new_tokens=10)  # doctest: +SKIP
    >>> ext.new_tokens[:2]  # doctest: +SKIP
    ['ان', '▁وا']
"""

from __future__ import annotations

import heapq
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError, DataError, ModelError
from aimm_nlp.tokenization._checks import CARD, MAX_VOCAB_SIZE, check_scripts

__all__ = ["ExtendedTokenizer", "extend_tokenizer", "resize_embeddings"]


@dataclass(frozen=True)
class ExtendedTokenizer:
    """Result of :func:`extend_tokenizer`.

    Attributes:
        tokenizer: the extended ``tokenizers.Tokenizer``.
        base: the base ``tokenizers.Tokenizer``.
        new_tokens: added pieces, in merge order (ids ``first_new_id`` onwards).
        first_new_id: id of the first new token.
    """

    tokenizer: Any = field(repr=False)
    base: Any = field(repr=False)
    new_tokens: tuple[str, ...]
    first_new_id: int

    def to_transformers(self) -> Any:
        """The extended tokenizer as a transformers fast tokenizer."""
        from transformers import PreTrainedTokenizerFast

        vocab = self.tokenizer.get_vocab(with_added_tokens=True)
        roles = {"unk_token": ("<unk>", "[UNK]"), "bos_token": ("<s>", "[CLS]"), "eos_token": ("</s>", "[SEP]"),
                 "pad_token": ("<pad>", "[PAD]")}  # fmt: skip
        special = {
            role: next(t for t in names if t in vocab)
            for role, names in roles.items()
            if set(names) & set(vocab)
        }
        return PreTrainedTokenizerFast(
            tokenizer_object=self.tokenizer, clean_up_tokenization_spaces=False, **special
        )

    def save(
        self, out_dir: str | os.PathLike[str], *, card: dict[str, Any] | None = None, overwrite: bool = False
    ) -> Path:
        """Save with ``save_pretrained`` (``tokenizer.json`` + config) for ``AutoTokenizer``, plus a card.

        The folder is built in a hidden sibling and moved into place whole. Like
        :func:`~aimm_nlp.tokenization.train_tokenizer`, only a new or empty folder is accepted, or with
        ``overwrite`` a tokenizer folder aimm wrote (it has ``tokenizer_card.json`` and nothing but
        tokenizer files): a user's folder or file is never overwritten.

        Args:
            out_dir: the output folder.
            card: extra card fields (e.g. the base and data paths).
            overwrite: replace an earlier aimm tokenizer folder at ``out_dir``.

        Raises:
            ConfigError: ``out_dir`` is a file or a folder aimm did not write, or an earlier tokenizer
                folder without ``overwrite``.
        """
        from aimm_nlp import __version__
        from aimm_nlp._outdir import KINDS as OUTPUTS
        from aimm_nlp._outdir import output_folder

        out = Path(out_dir)
        with output_folder(out, OUTPUTS["tokenizer"], overwrite=overwrite) as build:
            self.to_transformers().save_pretrained(str(build))
            info = {
                "format_version": 1,
                "aimm_nlp": __version__,
                "kind": "extension",
                "new_tokens": len(self.new_tokens),
                "first_new_id": self.first_new_id,
                **(card or {}),
            }
            text = json.dumps(info, ensure_ascii=False, indent=1, default=str)
            (build / CARD).write_text(text + "\n", encoding="utf-8")
        return out


def _base_tokenizer(base: Any) -> Any:
    from aimm_nlp.tokenization._load import load_tokenizer, spm_to_hf

    if isinstance(base, (str, os.PathLike)):
        path = Path(base)
        model = (
            path / "tokenizer.model" if path.is_dir() and not (path / "tokenizer.json").is_file() else path
        )
        if model.is_file() and model.read_bytes()[:1] == b"\n":
            return spm_to_hf(model)
    loaded = load_tokenizer(base)
    if loaded.kind == "spm":
        raise ModelError("pass the SentencePiece model as a path so it can be converted to a fast tokenizer")
    return loaded.impl


def _words(tok: Any, texts: Iterable[str]) -> Counter:
    """Count base-model piece sequences of every word (a word starts at a ``▁``/space piece)."""
    counts: Counter = Counter()
    for text in texts:
        if not text.strip():
            continue
        if tok.normalizer is not None:
            text = tok.normalizer.normalize_str(text)
        units = [u for u, _ in tok.pre_tokenizer.pre_tokenize_str(text)] if tok.pre_tokenizer else [text]
        for unit in units:
            word: list[str] = []
            for piece in (t.value for t in tok.model.tokenize(unit)):
                if word and piece[:1] in ("▁", " ", "Ġ"):
                    counts[tuple(word)] += 1
                    word = []
                word.append(piece)
            if word:
                counts[tuple(word)] += 1
    return counts


def _script_filter(scripts: Iterable[str] | None) -> Any:
    if scripts is None:
        return lambda piece: True
    from aimm_nlp.text import script_of

    wanted = set(scripts)  # checked by check_scripts

    def keep(piece: str) -> bool:
        found = {script_of(ch) for ch in piece} - {"Other"}
        return bool(found) and found <= wanted

    return keep


def _learn_merges(
    counts: Counter, vocab: set[str], n: int, min_frequency: int, skip: set[str], keep: Any, progress: bool
) -> list[tuple]:
    """Greedy BPE merges over ``counts`` (heap with lazy deletion; ties broken by the pair)."""
    words = [list(w) for w in counts]
    freq = list(counts.values())
    pairs: Counter = Counter()
    where: dict[tuple, set[int]] = defaultdict(set)
    for i, w in enumerate(words):
        for a, b in pairwise(w):
            pairs[a, b] += freq[i]
            where[a, b].add(i)
    heap = [(-c, p) for p, c in pairs.items()]
    heapq.heapify(heap)
    merges: list[tuple] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="new tokens", unit="tok")
    while heap and len(merges) < n:
        neg, pair = heapq.heappop(heap)
        if -neg != pairs.get(pair, 0):
            continue
        if -neg < min_frequency:
            break
        a, b = pair
        new = a + b
        if a in skip or b in skip or new in vocab or not keep(new):
            pairs.pop(pair)
            continue
        merges.append(pair)
        vocab.add(new)
        if bar is not None:
            bar.update()
        for i in sorted(where.pop(pair, ())):
            w = words[i]
            for x, y in pairwise(w):  # remove the word's old pairs
                pairs[x, y] -= freq[i]
            j, out = 0, []
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for x, y in pairwise(out):
                pairs[x, y] += freq[i]
                where[x, y].add(i)
                heapq.heappush(heap, (-pairs[x, y], (x, y)))
        pairs.pop(pair, None)
    if bar is not None:
        bar.close()
    return merges


def extend_tokenizer(
    base: Any,
    corpus: Iterable[str],
    *,
    n_new_tokens: int,
    min_frequency: int = 2,
    scripts: Iterable[str] | None = None,
    progress: bool = False,
) -> ExtendedTokenizer:
    """Add up to ``n_new_tokens`` BPE merges learned on ``corpus`` to a BPE tokenizer.

    Args:
        base: HF folder / ``tokenizer.json`` / fast tokenizer, or a SentencePiece BPE ``.model``
            (converted to the equivalent fast tokenizer first).
        corpus: texts in the languages to serve better (e.g. Darija in Arabic script).
        n_new_tokens: how many tokens to add, 1 to 2**20 (fewer if pairs run out below ``min_frequency``).
        min_frequency: a pair must occur at least this often to become a token.
        scripts: keep only new tokens whose letters all belong to these scripts (e.g. ``["Arab"]``),
            so the Latin names and numbers inside Darija text cannot change English or French.
        progress: show a progress bar over the new tokens.

    Returns:
        An :class:`ExtendedTokenizer`.

    Raises:
        ConfigError: ``n_new_tokens`` or ``min_frequency`` < 1, or ``n_new_tokens`` > 2**20.
        UnknownNameError: a script that is not Arab, Latn or Tfng.
        ModelError: the base is not BPE.
        DataError: the corpus is empty.
    """
    from tokenizers import Tokenizer

    if (
        isinstance(n_new_tokens, bool)
        or not isinstance(n_new_tokens, int)
        or not 1 <= n_new_tokens <= MAX_VOCAB_SIZE
    ):
        raise ConfigError(f"n_new_tokens must be an integer from 1 to 2**20 (1048576), got {n_new_tokens!r}")
    if isinstance(min_frequency, bool) or not isinstance(min_frequency, int) or min_frequency < 1:
        raise ConfigError(f"min_frequency must be a positive integer, got {min_frequency!r}")
    scripts = check_scripts(scripts)
    tok = _base_tokenizer(base)
    data = json.loads(tok.to_str())
    if data["model"]["type"] != "BPE":
        raise ModelError(f"extension needs a BPE tokenizer; this one is {data['model']['type']}")
    counts = _words(tok, corpus)
    if not counts:
        raise DataError("corpus is empty: nothing to learn new tokens from")
    vocab = data["model"]["vocab"]
    skip = {t for t in vocab if t.startswith("<0x") and t.endswith(">")}
    skip |= {t["content"] for t in data["added_tokens"]}
    merges = _learn_merges(
        counts, set(vocab), n_new_tokens, min_frequency, skip, _script_filter(scripts), progress
    )
    first = tok.get_vocab_size(with_added_tokens=True)
    new_tokens = tuple(a + b for a, b in merges)
    for i, piece in enumerate(new_tokens):
        vocab[piece] = first + i
    data["model"]["merges"] = [list(m) for m in data["model"]["merges"]] + [list(m) for m in merges]
    extended = Tokenizer.from_str(json.dumps(data, ensure_ascii=False))
    return ExtendedTokenizer(tokenizer=extended, base=tok, new_tokens=new_tokens, first_new_id=first)


def _backend(tok: Any) -> Any:
    if isinstance(tok, ExtendedTokenizer):
        return tok.tokenizer
    return getattr(tok, "backend_tokenizer", tok)


def resize_embeddings(model: Any, old_tok: Any, new_tok: Any, *, init: str = "subword_mean") -> Any:
    """Resize ``model``'s input/output embeddings to ``new_tok`` and initialise the new rows.

    Each new token's row is the mean of the rows of the old pieces the old tokenizer
    splits it into; existing rows are untouched, so logits over old ids do not change
    for texts that use no new token.

    Args:
        model: a transformers ``PreTrainedModel``.
        old_tok: the tokenizer the model was trained with (``tokenizers``/fast tokenizer/extension base).
        new_tok: the extended tokenizer (:class:`ExtendedTokenizer` or fast tokenizer).
        init: ``"subword_mean"`` (only option).

    Returns:
        The model (resized in place).
    """
    import torch

    if init != "subword_mean":
        raise ConfigError(f"unknown init {init!r}; valid: subword_mean")
    if isinstance(old_tok, ExtendedTokenizer):
        old_tok = old_tok.base
    old, new = _backend(old_tok), _backend(new_tok)
    old_vocab = old.get_vocab(with_added_tokens=True)
    new_vocab = new.get_vocab(with_added_tokens=True)
    size = max(new_vocab.values()) + 1
    emb = model.get_input_embeddings()
    if emb.weight.shape[0] < len(old_vocab):
        raise ModelError(
            f"model has {emb.weight.shape[0]} embeddings but the old tokenizer {len(old_vocab)} ids"
        )
    added = {p: i for p, i in new_vocab.items() if p not in old_vocab}
    sources = {}
    for piece, i in added.items():
        ids = [old_vocab[t.value] for t in old.model.tokenize(piece) if t.value in old_vocab]
        if not ids:
            raise ModelError(f"new token {piece!r} has no old pieces to initialise from")
        sources[i] = ids
    model.resize_token_embeddings(size, mean_resizing=False)
    with torch.no_grad():
        tables = [model.get_input_embeddings().weight]
        out = model.get_output_embeddings()
        if out is not None and out.weight.data_ptr() != tables[0].data_ptr():
            tables.append(out.weight)
        for table in tables:
            for i, ids in sources.items():
                table[i] = table[ids].mean(dim=0)
    return model
