"""``train_tokenizer``: a Moroccan-aware tokenizer from a corpus, saved as a folder that
``transformers.AutoTokenizer.from_pretrained`` loads, with a card describing how it was made.

Normalization is *preprocessing of the training text*, never part of the tokenizer:
the saved tokenizer encodes raw text and decodes it back exactly. By default
(``fold_letters=False``) the preset only cleans what does not change letters
(Unicode composition, controls, spaces, presentation forms, tatweel), because folding
alef/hamza/digits or collapsing elongation (``bzzzaaaf``, ``hhhhh``) in training text alone
would leave the tokenizer blind to the forms it sees at inference. With ``fold_letters=True``
the full preset runs; apply the same :class:`aimm_nlp.text.Normalizer` to text before encoding (the
card records it).

The special tokens and the post-processor fit the model the tokenizer is for (``for_model``, see
:mod:`aimm_nlp.tokenization._targets`): the default ``universal`` tokenizer starts every text with
``<s>`` (CLS of an encoder, BOS of a decoder) and has ``<mask>`` and ``<pad>``, so the same tokenizer
trains a BERT classifier, a masked LM and a causal LM; ``encoder`` gives ``[CLS] ... [SEP]``,
``decoder`` ``<s> ...``, ``seq2seq`` ``... </s>``.

Examples:
    >>> texts = ["واش نتا مزيان؟", "3lach ma jitich lbareh?", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "Je suis à Rabat."] * 20
    >>> tok = train_tokenizer(texts, vocab_size=1300)  # >= alphabet + special tokens + 256 bytes (1216)
    >>> hf = tok.load()
    >>> ids = hf.encode("3lach ma jitich?")
    >>> hf.convert_ids_to_tokens(ids[0]), hf.decode(ids, skip_special_tokens=True)
    ('<s>', '3lach ma jitich?')
    >>> enc = train_tokenizer(texts, vocab_size=1300, for_model="encoder").load()
    >>> enc.convert_ids_to_tokens(enc.encode("واش نتا مزيان؟"))[::len(enc.encode("واش نتا مزيان؟")) - 1]
    ['[CLS]', '[SEP]']
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp import __version__
from aimm_nlp.errors import ConfigError
from aimm_nlp.tokenization._case import augment_case
from aimm_nlp.tokenization._checks import (
    BACKENDS,
    CARD,
    KINDS,
    MAX_VOCAB_SIZE,
    check_backend_kind,
    check_out_dir,
    settings_errors,
)
from aimm_nlp.tokenization._corpus import collect, corpus_sha256, sample_by_language
from aimm_nlp.tokenization._pretok import PATTERN, base_alphabet
from aimm_nlp.tokenization._targets import (
    DEFAULT_TARGET,
    TARGETS,
    post_process,
    roles_for,
    special_tokens_for,
)

__all__ = ["DEFAULT_SPECIAL_TOKENS", "KINDS", "TrainedTokenizer", "train_tokenizer"]

DEFAULT_SPECIAL_TOKENS = TARGETS[DEFAULT_TARGET].tokens
"""The special tokens of the default (``universal``) target: ``<unk> <s> </s> <pad> <mask>``."""
# Switches that change letters: off unless fold_letters=True (see the module docstring). Elongation is
# one: collapsed in training, ``hhhhh`` and ``bzzzaaaf`` in Arabizi comments cost 5 tokens a word.
_LETTER_FOLDS = (
    "diacritics", "quranic_marks", "alef", "hamza", "alef_maksura", "teh_marbuta", "letter_variants",
    "elongation", "fold_moroccan", "digits", "punctuation", "lowercase", "mask_urls", "mask_emails", "mask_mentions",
    "mask_hashtags", "mask_numbers",
)  # fmt: skip


@dataclass(frozen=True)
class TrainedTokenizer:
    """A trained tokenizer folder and its card.

    Attributes:
        path: the folder (``tokenizer.json``, ``tokenizer_config.json``, card, a Hub-ready ``README.md``,
            ``tokenizer.model`` for spm).
        card: the card as a dict (corpus sha256, sizes per language, settings, training time).
    """

    path: Path
    card: dict[str, Any] = field(repr=False)

    def load(self) -> Any:
        """The tokenizer as ``transformers.AutoTokenizer.from_pretrained(path)``."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.path))


def _check(kind: str, backend: str, vocab_size: Any, special_tokens: Sequence[str] | None) -> None:
    check_backend_kind(backend, kind)
    if (
        not isinstance(vocab_size, int)
        or isinstance(vocab_size, bool)
        or not 1 <= vocab_size <= MAX_VOCAB_SIZE
    ):
        raise ConfigError(f"vocab_size must be an integer from 1 to 2**20 (1048576), got {vocab_size!r}")
    if special_tokens is not None and (not special_tokens or len(set(special_tokens)) != len(special_tokens)):
        raise ConfigError(
            f"special_tokens must be non-empty and unique (first = UNK), got {list(special_tokens)}"
        )


def _normalizer(preset: str | None, fold_letters: bool) -> Any:
    if preset is None:
        return None
    from aimm_nlp.text import Normalizer

    switches = {} if fold_letters else dict.fromkeys(_LETTER_FOLDS, False)
    return Normalizer(preset, **switches)


def train_tokenizer(
    corpus: Any,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    kind: str = "bpe",
    for_model: str = DEFAULT_TARGET,
    vocab_size: int = 32_000,
    backend: str = "hf",
    normalizer: str | None = "auto",
    fold_letters: bool = False,
    temperature: float = 1.0,
    lang_weights: Mapping[str, float] | None = None,
    case_augment: Mapping[str, float] | None = None,
    special_tokens: Sequence[str] | None = None,
    byte_fallback: bool | None = None,
    seed: int = 0,
    progress: bool = False,
    overwrite: bool = False,
) -> TrainedTokenizer:
    """Train a Moroccan-aware tokenizer and save it as a transformers-loadable folder.

    Defaults are the measured best on FLORES-200 (``benchmarks/bench_tokenizers.py``): HF BPE
    with the Moroccan pre-tokenizer and byte fallback beat HF/SentencePiece Unigram and SPM BPE.

    Args:
        corpus: texts, ``(text, lang)`` pairs, paths (one text per line; ``ary_Arab.txt`` names the
            language), a ``{lang: texts}`` mapping or a ``datasets.Dataset`` (``text`` [+ ``lang``]).
            A single ``str``/``Path`` is a file; ``Path`` items are files; ``str`` items are files only
            when every one names an existing file (``["data/x.txt"]``), texts when none does; a list
            mixing both, or of file-like names (``x.txt``, no spaces) none of which exists, is refused.
        out_dir: output folder: new or empty (built in a hidden sibling and moved into place whole);
            default a new temporary folder. A tokenizer folder aimm wrote is replaced only with
            ``overwrite``; any other folder or file is refused before any work.
        kind: ``"bpe"``, ``"unigram"`` or ``"wordpiece"`` (HF only).
        for_model: the model the tokenizer is for, which sets its special tokens, their roles and
            what ``tokenizer(text)`` adds: ``"universal"`` (default; ``<s> text``, with ``<mask>`` and
            ``<pad>``: BERT classifiers, masked and causal LMs), ``"encoder"`` (``[CLS] text [SEP]``),
            ``"decoder"`` (``<s> text``, EOS ``</s>``) or ``"seq2seq"`` (``text </s>``).
        vocab_size: target vocabulary size, special and byte tokens included; at most 2**20 (1048576).
        backend: ``"hf"`` (``tokenizers``) or ``"spm"`` (SentencePiece; also saves ``tokenizer.model``).
        normalizer: :mod:`aimm_nlp.text` preset applied to the training text, or ``None``.
        fold_letters: let the preset fold letters and collapse elongation too (then normalize before
            encoding as well); off, ``hhhhh`` and ``bzzzaaaf`` stay in the training text.
        temperature: language sampling temperature, in (0, 100] (> 1 gives small languages more vocabulary).
        lang_weights: extra per-language multipliers of the sampled share (each 0 to 10**6), e.g. ``{"arb_Arab": 4}``.
        case_augment: per language, the share (0 to 1) of its sampled lines replaced by a Title Case or
            ALL CAPS copy (half each), e.g. ``{"ary_Latn": 0.2}``: lower-case training text otherwise
            makes capitalised comments cost many more tokens. Replaced, not added: the language
            shares stay the same. Deterministic for a ``seed``; default ``None``: no line changes.
        special_tokens: special tokens, the first one is UNK; default ``None``: the ``for_model`` target's.
            The target's role tokens missing from a given list are appended.
        byte_fallback: ``<0xNN>`` pieces for unseen characters (default on for BPE/Unigram; WordPiece
            has none and uses UNK).
        seed: seed of the language sampling, 0 to 2**32 - 1 (same data + seed -> same ``tokenizer.json``).
        progress: show the trainer's progress bar.
        overwrite: replace an earlier tokenizer folder at ``out_dir`` (one holding aimm's
            ``tokenizer_card.json`` and nothing but tokenizer files), once the new one is complete.

    Returns:
        A :class:`TrainedTokenizer` (``.path``, ``.card``, ``.load()``).

    Raises:
        UnknownNameError: unknown kind, backend or normalizer preset.
        ConfigError: unknown ``for_model`` (listed with the settings' other problems).
        ConfigError: vocab_size smaller than the alphabet, bad weights or special tokens; an out_dir
            that is a file or a folder aimm did not write, or an earlier tokenizer without ``overwrite``.
        DataError: empty corpus, or ``str`` items mixing existing files and texts.
        InputFileError: a missing or unreadable file (a single ``str``, or file-like ``str`` items).
    """
    _check(kind, backend, vocab_size, special_tokens)
    settings = {"for_model": for_model, "vocab_size": vocab_size, "fold_letters": fold_letters,
                "temperature": temperature,
                "lang_weights": lang_weights, "case_augment": case_augment, "special_tokens": special_tokens, "byte_fallback": byte_fallback,
                "seed": seed}  # fmt: skip
    if not isinstance(normalizer, str):  # a preset name is checked by the registry (UnknownNameError) below
        settings["normalizer"] = normalizer
    errors = settings_errors(settings)
    if errors:
        raise ConfigError("invalid tokenizer settings (nothing was trained):", errors=errors)
    special_tokens = special_tokens_for(for_model, special_tokens)
    if out_dir is not None:
        check_out_dir(out_dir, overwrite=overwrite)
    if byte_fallback is None:
        byte_fallback = kind != "wordpiece"
    if byte_fallback and kind == "wordpiece":
        raise ConfigError("WordPiece has no byte fallback; pass byte_fallback=False or kind='bpe'/'unigram'")
    norm = _normalizer(normalizer, fold_letters)
    by_lang = collect(corpus)
    if norm is not None:
        by_lang = {lang: [t for t in norm.batch(texts) if t.strip()] for lang, texts in by_lang.items()}
    texts, stats = sample_by_language(by_lang, temperature=temperature, lang_weights=lang_weights, seed=seed)
    if case_augment:
        counts = {lang: s["texts"] for lang, s in stats.items()}
        texts = augment_case(texts, counts, case_augment, seed=seed)
    alphabet = sorted(set(base_alphabet()).union(*map(set, texts)))
    needed = len(alphabet) + len(special_tokens) + (256 if byte_fallback else 0)
    if vocab_size < needed:
        raise ConfigError(
            f"vocab_size {vocab_size} is smaller than the alphabet: {len(alphabet)} characters + "
            f"{len(special_tokens)} special tokens + {256 if byte_fallback else 0} byte pieces = {needed}; "
            f"use vocab_size >= {needed}"
        )
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="aimm_tok_"))
    from aimm_nlp._outdir import KINDS as OUTPUTS
    from aimm_nlp._outdir import output_folder

    with output_folder(out, OUTPUTS["tokenizer"], overwrite=overwrite) as build:
        start = time.perf_counter()
        options = {"kind": kind, "vocab_size": vocab_size, "special_tokens": special_tokens,
                   "alphabet": alphabet, "byte_fallback": byte_fallback, "progress": progress}  # fmt: skip
        tokenizer_json = post_process(BACKENDS.get(backend)(texts, build, **options), for_model)
        seconds = time.perf_counter() - start
        (build / "tokenizer.json").write_text(tokenizer_json, encoding="utf-8")
        from tokenizers import Tokenizer

        actual = Tokenizer.from_str(tokenizer_json).get_vocab_size(with_added_tokens=True)
        config = {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **roles_for(for_model, special_tokens),
            "clean_up_tokenization_spaces": False,
            "model_max_length": 1_000_000,
        }
        (build / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        card = {
            "format_version": 1,
            "aimm_nlp": __version__,
            "kind": kind,
            "for_model": for_model,
            "post_processor": {"single": TARGETS[for_model].single, "pair": TARGETS[for_model].pair},
            "backend": backend,
            "vocab_size": vocab_size,
            "actual_vocab_size": actual,
            "byte_fallback": byte_fallback,
            "special_tokens": list(special_tokens),
            "normalizer": {
                "preset": normalizer,
                "fold_letters": fold_letters,
                "applied_to": "training text only",
            },
            "pretokenizer_pattern": PATTERN,
            "sampling": {
                "temperature": temperature,
                "lang_weights": dict(lang_weights or {}),
                "seed": seed,
                "case_augment": dict(case_augment or {}),
            },
            "corpus": {
                "sha256": corpus_sha256(by_lang),
                "languages": {
                    lang: {
                        "texts": len(by_lang[lang]),
                        "chars": sum(map(len, by_lang[lang])),
                        "sampled": stats[lang],
                    }
                    for lang in sorted(by_lang)
                },
            },
            "alphabet_size": len(alphabet),
            "train_seconds": round(seconds, 2),
        }
        (build / CARD).write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        from aimm_nlp.tokenization._readme import write_readme

        write_readme(build, card)
    return TrainedTokenizer(path=out, card=card)
