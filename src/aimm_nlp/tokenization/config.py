"""The tokenizer training configuration: :class:`TokenizerConfig`, loaded from YAML with overrides.

The same config engine as fine-tuning and corpus building (:mod:`aimm_nlp._config`): unknown keys
(with a did-you-mean), wrong types, values out of range, unknown language codes and malformed ``data``
entries are all reported in one :class:`~aimm_nlp.errors.ConfigError` before any text is read.
The settings are checked by the same code as :func:`~aimm_nlp.tokenization.train_tokenizer`'s keyword
arguments, so both accept exactly the same values.

Examples:
    >>> cfg = TokenizerConfig.from_dict({"vocab_size": 8000}, overrides=["lang_weights.ary_Arab=3"])
    >>> cfg.vocab_size, cfg.lang_weights
    (8000, {'ary_Arab': 3})
    >>> TokenizerConfig.from_dict({"vocab": 8000})
    Traceback (most recent call last):
    ...
    aimm_nlp.errors.ConfigError: <dict>: invalid tokenizer config (1 problem):
      - unknown key 'vocab' (did you mean 'vocab_size'?); valid: kind, for_model, backend, ...
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from aimm_nlp import _config
from aimm_nlp.tokenization._checks import MAX_VOCAB_SIZE, check_out_dir, check_scripts, settings_errors
from aimm_nlp.tokenization._corpus import source_errors

__all__ = ["MAX_VOCAB_SIZE", "TokenizerConfig", "check_out_dir", "check_scripts"]

_ENGINE = {
    "what": "tokenizer config",
    "example": "lang_weights.ary_Arab=3",
    "flag": "--set",
    "max_depth": 2,
}


@dataclass
class TokenizerConfig:
    """What :func:`~aimm_nlp.tokenization.train_tokenizer` trains, and on which data files.

    Every field but ``data`` is a keyword argument of ``train_tokenizer``, with its default and range.
    ``data`` lists files: ``{path, column?, lang | lang_prefix | lang_column}`` entries, paths relative
    to the data root (``$AIMM_SHARED`` by default) with ``$VARS`` expanded. A config is trusted like a
    shell script: its paths may name any local file (review configs you did not write).

    Examples:
        >>> cfg = TokenizerConfig.from_yaml("configs/tokenizer/moroccan_32k.yaml")  # doctest: +SKIP
        >>> tok = cfg.train("out/tok32k")  # doctest: +SKIP
    """

    kind: str = "bpe"  # bpe | unigram | wordpiece (hf only)
    for_model: str = "universal"  # universal | encoder | decoder | seq2seq: special tokens + post-processor
    backend: str = "hf"  # hf (tokenizers) | spm (SentencePiece)
    vocab_size: int = 32_000  # special and byte tokens included, 1..2**20
    normalizer: str | None = "auto"  # aimm_nlp.text preset for the training text, or null
    fold_letters: bool = False  # let the preset fold letters (and collapse elongation) too
    temperature: float = 1.0  # language sampling temperature, in (0, 100]
    lang_weights: dict[str, float] | None = None  # {language code: weight}, each 0..10**6
    case_augment: dict[str, float] | None = None  # {language code: share of lines in Title/UPPER case}, 0..1
    special_tokens: list[str] | None = None  # null: the for_model target's; the first is UNK
    byte_fallback: bool | None = None  # null: on for bpe/unigram, off for wordpiece
    seed: int = 0  # sampling seed, 0..2**32 - 1
    data: list[dict[str, Any]] | None = None  # training files, see the class docstring

    CHECK_TYPES: ClassVar[bool] = False
    """Types and ranges are checked by ``settings_errors``, shared with ``train_tokenizer``'s arguments
    (one declaration, the same messages from the function and the config)."""

    @classmethod
    def from_yaml(
        cls,
        path: str | os.PathLike[str],
        *,
        overrides: Iterable[str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> TokenizerConfig:
        """Read a YAML file (``yaml.safe_load``), apply ``key.sub=value`` overrides, then ``values``.

        Args:
            path: the YAML config (see ``src/aimm_nlp/configs/tokenizer/``).
            overrides: ``key=value`` or ``lang_weights.LANG=value`` strings (YAML values).
            values: settings that win over the file and the overrides (e.g. command-line flags).

        Raises:
            InputFileError: no such file, or a folder.
            ConfigError: invalid YAML, and every problem of the settings, listed at once.
        """
        return _config.from_yaml(cls, path, overrides=overrides, values=values, **_ENGINE)

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any] | None,
        *,
        overrides: Iterable[str] | None = None,
        values: Mapping[str, Any] | None = None,
        source: str = "<dict>",
    ) -> TokenizerConfig:
        """Like :meth:`from_yaml`, from plain data."""
        return _config.from_dict(
            cls, dict(raw or {}), overrides=overrides, values=values, source=source, **_ENGINE
        )

    def _cross_checks(self) -> list[str]:
        errors = settings_errors(self.settings())
        if self.data is not None:
            errors += source_errors(self.data)
        return errors

    def settings(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~aimm_nlp.tokenization.train_tokenizer` (all fields but data)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "data"}

    def read_data(self, root: str | os.PathLike[str] | None = None) -> dict[str, list[str]]:
        """``{lang: texts}`` from the ``data`` files, deduplicated across them (``root``: default the
        shared folder, ``$AIMM_SHARED`` or ``../shared``)."""
        from aimm_nlp.tokenization._corpus import read_sources

        if not self.data:
            return {}
        if root is None:
            from aimm_nlp._paths import shared_root

            root = shared_root()
        return read_sources(self.data, root=root)

    def train(
        self,
        out_dir: str | os.PathLike[str] | None = None,
        *,
        files: Iterable[str | os.PathLike[str]] = (),
        root: str | os.PathLike[str] | None = None,
        progress: bool = False,
        overwrite: bool = False,
        option: str = "overwrite=True",
    ) -> Any:
        """Train with :func:`~aimm_nlp.tokenization.train_tokenizer` on ``data`` (+ ``files``).

        Args:
            out_dir: output folder (see ``train_tokenizer``); checked before any text is read.
            files: more text files, one text per line (``ary_Arab.txt`` names its language).
            root: where ``data`` paths are relative to (default the shared folder).
            progress: show the trainer's progress bar.
            overwrite: replace an earlier tokenizer folder at ``out_dir``.
            option: how the caller spells ``overwrite`` in messages (``--overwrite`` on the CLI).

        Returns:
            A :class:`~aimm_nlp.tokenization.TrainedTokenizer`.

        Raises:
            ConfigError: no data at all, or an ``out_dir`` that may not be written.
        """
        from aimm_nlp.errors import ConfigError
        from aimm_nlp.tokenization._corpus import collect
        from aimm_nlp.tokenization.train import train_tokenizer

        if out_dir is not None:
            check_out_dir(out_dir, overwrite=overwrite, option=option)  # before reading the corpus
        files = [Path(p) for p in files]
        if not self.data and not files:
            raise ConfigError("no training data: give --data FILE ... or a config with a data: list")
        corpus = self.read_data(root)
        for lang, texts in (collect(files) if files else {}).items():
            corpus.setdefault(lang, []).extend(texts)
        return train_tokenizer(
            corpus, out_dir=out_dir, progress=progress, overwrite=overwrite, **self.settings()
        )
