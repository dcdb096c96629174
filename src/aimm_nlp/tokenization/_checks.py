"""Checks shared by the tokenizer functions and ``aimm tokenizer``: settings, languages, output folders.

Each ``*_errors`` function returns every problem as a ``"key: message"`` string, so a config with
several mistakes is reported in one :class:`~aimm_nlp.errors.ConfigError` before any work.

Examples:
    >>> settings_errors({"temperature": "hot", "seed": "abc", "lang_weights": {"xx": 2}})[:2]
    ["temperature: expected a number > 0 and <= 100, got 'hot'", "seed: expected an integer from 0 to 2**32 - 1, got 'abc'"]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aimm_nlp._registry import Registry, did_you_mean
from aimm_nlp.errors import ConfigError, UnknownNameError

__all__ = [
    "BACKENDS",
    "CARD",
    "KINDS",
    "MAX_VOCAB_SIZE",
    "TOKENIZER_KINDS",
    "check_backend_kind",
    "check_out_dir",
    "check_scripts",
    "known_langs",
    "lang_error",
    "settings_errors",
]

CARD = "tokenizer_card.json"
KINDS = {"hf": ("bpe", "unigram", "wordpiece"), "spm": ("bpe", "unigram")}
"""Supported ``kind`` values per ``backend``."""

BACKENDS = Registry("tokenizer backend")
"""``train_folder(texts, build_dir, **options) -> tokenizer.json text`` of each backend."""
BACKENDS.register("hf", "aimm_nlp.tokenization._hf:train_folder")
BACKENDS.register("spm", "aimm_nlp.tokenization._spm:train_folder")

TOKENIZER_KINDS = Registry("tokenizer kind")
"""Each tokenizer kind -> the backends that train it."""
for _kind in ("bpe", "unigram", "wordpiece"):
    TOKENIZER_KINDS.register(_kind, tuple(b for b, kinds in KINDS.items() if _kind in kinds))


def check_backend_kind(backend: str, kind: str) -> None:
    """Raise :class:`~aimm_nlp.errors.UnknownNameError` unless ``backend`` trains ``kind``.

    Examples:
        >>> check_backend_kind("spm", "wordpiece")
        Traceback (most recent call last):
        ...
        aimm_nlp.errors.UnknownNameError: unknown tokenizer kind 'wordpiece' for backend 'spm' (it needs backend hf); valid for spm: bpe, unigram
    """
    BACKENDS.get(backend)
    backends = TOKENIZER_KINDS.get(kind)
    if backend not in backends:
        raise UnknownNameError(
            f"unknown tokenizer kind {kind!r} for backend {backend!r} (it needs backend {backends[0]}); "
            f"valid for {backend}: {', '.join(KINDS[backend])}",
            name=kind,
            choices=list(KINDS[backend]),
        )


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _num(value: Any) -> bool:
    return (_int(value) or isinstance(value, float)) and math.isfinite(value)


def known_langs() -> list[str]:
    """Language codes a corpus, a data source or ``lang_weights`` may use: :data:`aimm_nlp.langs.LANGS`
    plus ``und_<Script>`` (texts without a language, grouped by script)."""
    from aimm_nlp.langs import LANGS, SCRIPTS, UND

    return [*LANGS, *(f"{UND}_{s}" for s in SCRIPTS)]


def lang_error(code: Any, where: str) -> str | None:
    """``None`` if ``code`` is a known language code, else the message naming ``where`` and the valid codes."""
    valid = known_langs()
    if isinstance(code, str) and code in valid:
        return None
    return (
        f"{where}: unknown language code {code!r}{did_you_mean(str(code), valid)}; "
        f"valid codes: {', '.join(valid)}"
    )


MAX_VOCAB_SIZE = 2**20
"""Largest ``vocab_size`` (and ``n_new_tokens``) accepted: 1,048,576, beyond any real tokenizer (Llama 3
has 128k); larger values made the Rust trainers abort the process instead of raising."""

_EXPECTED = {  # key: (check, what the value must be)
    "vocab_size": (lambda v: _int(v) and 1 <= v <= MAX_VOCAB_SIZE, "an integer from 1 to 2**20 (1048576)"),
    "normalizer": (lambda v: v is None or isinstance(v, str), "a normalizer preset name or null"),
    "fold_letters": (lambda v: isinstance(v, bool), "true or false"),
    "temperature": (lambda v: _num(v) and 0 < v <= 100, "a number > 0 and <= 100"),
    "lang_weights": (lambda v: v is None or isinstance(v, Mapping), "a mapping {language code: weight}"),
    "case_augment": (lambda v: v is None or isinstance(v, Mapping), "a mapping {language code: share} or null"),
    "special_tokens": (
        lambda v: v is None or (isinstance(v, (list, tuple)) and bool(v)
                                and all(isinstance(t, str) and t for t in v) and len(set(v)) == len(v)),
        "a non-empty list of unique strings (the first is UNK), or null for the for_model target's tokens",
    ),
    "byte_fallback": (lambda v: v is None or isinstance(v, bool), "true, false or null"),
    "seed": (lambda v: _int(v) and 0 <= v < 2**32, "an integer from 0 to 2**32 - 1"),
}  # fmt: skip


def settings_errors(cfg: Mapping[str, Any]) -> list[str]:
    """Every problem of :func:`~aimm_nlp.tokenization.train_tokenizer` settings (its keyword arguments).

    Checks names (kind, backend, normalizer preset), types and ranges, and the language codes of
    ``lang_weights``. Keys this function does not know are left to the caller.
    """
    errors = []
    backend, kind = cfg.get("backend", "hf"), cfg.get("kind", "bpe")
    backend = backend if isinstance(backend, str) else repr(backend)  # a list would not hash
    kind = kind if isinstance(kind, str) else repr(kind)
    if "backend" in cfg and backend not in BACKENDS:
        try:
            BACKENDS.get(backend)
        except UnknownNameError as exc:
            errors.append(f"backend: {exc}")
    if "kind" in cfg and backend in BACKENDS:
        try:
            check_backend_kind(backend, kind)
        except UnknownNameError as exc:
            errors.append(f"kind: {exc}")
    for key, (ok, what) in _EXPECTED.items():
        if key in cfg and not ok(cfg[key]):
            errors.append(f"{key}: expected {what}, got {cfg[key]!r}")
    if "for_model" in cfg:
        from aimm_nlp.tokenization._targets import TARGETS

        target = cfg["for_model"]
        if not (isinstance(target, str) and target in TARGETS):
            errors.append(
                f"for_model: unknown target {target!r}{did_you_mean(str(target), list(TARGETS))}; "
                f"valid: {', '.join(TARGETS)}"
            )
    if isinstance(cfg.get("normalizer"), str):
        from aimm_nlp.text.normalize import describe_preset

        try:
            describe_preset(cfg["normalizer"])
        except UnknownNameError as exc:
            errors.append(f"normalizer: {exc}")
    if kind == "wordpiece" and cfg.get("byte_fallback") is True:
        errors.append(
            "byte_fallback: WordPiece has no byte fallback; set it to false or use kind bpe/unigram"
        )
    # {lang: number} options: every key a language code, every value in its range
    for key, top, expected in (
        ("lang_weights", 10**6, "a number >= 0 and <= 10**6"),
        ("case_augment", 1, "a share from 0 to 1"),
    ):
        per_lang = cfg.get(key)
        if isinstance(per_lang, Mapping):
            for lang, value in per_lang.items():
                bad = lang_error(lang, f"{key}.{lang}")
                if bad:
                    errors.append(bad)
                if not (_num(value) and 0 <= value <= top):
                    errors.append(f"{key}.{lang}: expected {expected}, got {value!r}")
    return errors


def check_scripts(scripts: Any) -> list[str] | None:
    """``scripts`` as a list (``None`` stays ``None``: every script).

    Raises:
        UnknownNameError: a name that is not a script code tokens can be filtered by (Arab, Latn, Tfng).
    """
    if scripts is None:
        return None
    from aimm_nlp.langs import SCRIPTS

    valid = [s for s in SCRIPTS if s != "Other"]
    names = [scripts] if isinstance(scripts, str) else list(scripts)
    for name in names:
        if name not in valid:
            raise UnknownNameError(
                f"unknown script {name!r}{did_you_mean(str(name), valid)}; valid scripts: {', '.join(valid)}",
                name=str(name),
                choices=valid,
            )
    if not names:
        raise ConfigError(f"scripts is empty; pass some of {', '.join(valid)}, or None for every script")
    return names


def check_out_dir(out: str | Path, *, overwrite: bool = False, option: str = "overwrite=True") -> None:
    """Raise unless ``out`` is new, an empty folder, or (with ``overwrite``) a tokenizer folder aimm wrote.

    The policy of every command that writes a folder (:mod:`aimm_nlp._outdir`): a tokenizer folder
    (aimm's ``tokenizer_card.json``) is replaced only with ``overwrite`` and only when it holds nothing
    but tokenizer files; a user's file or folder is never overwritten. Reads only; runs before any work.

    Args:
        out: the output folder.
        overwrite: whether an earlier tokenizer folder there may be replaced.
        option: how the caller spells the overwrite switch in messages (``--overwrite`` on the CLI).

    Raises:
        ConfigError: ``out`` is a file, a folder aimm did not write or that holds other files too, or
            an earlier tokenizer folder without ``overwrite``.
    """
    import dataclasses

    from aimm_nlp._outdir import KINDS as OUTPUTS
    from aimm_nlp._outdir import check_output_folder

    check_output_folder(out, dataclasses.replace(OUTPUTS["tokenizer"], option=option), overwrite=overwrite)
