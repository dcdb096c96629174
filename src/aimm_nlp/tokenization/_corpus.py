"""Turn a user's corpus into ``{lang: [text, ...]}`` and sample languages by temperature.

A corpus is an iterable of strings, ``(text, lang)`` pairs, file paths (one text per
line), a ``{lang: texts}`` mapping, or a ``datasets.Dataset`` with a ``text`` column
and an optional ``lang`` column. Texts without a language are grouped by their
dominant script (``und_Arab``, ``und_Latn``, ``und_Tfng``, ...), so sampling still
balances scripts.

Strings or paths (:func:`collect` applies this rule, see :data:`PATH_SUFFIXES`):

- a single ``str`` or ``Path`` is a file;
- ``Path`` items are files, ``(text, lang)`` pairs are texts;
- ``str`` items are files when *every* one of them names an existing file, and texts when none does;
  a list where some do and some do not is refused (say which with ``Path`` objects);
- ``str`` items that all look like file names (no whitespace, a suffix of :data:`PATH_SUFFIXES`)
  while none exists are refused as missing files, not trained on as text.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aimm_nlp._io import iter_lines
from aimm_nlp._surrogates import surrogate_problem
from aimm_nlp.errors import ConfigError, DataError, InputFileError

__all__ = ["PATH_SUFFIXES", "collect", "corpus_sha256", "read_sources", "sample_by_language", "source_errors"]

PATH_SUFFIXES = (".txt", ".tsv", ".csv", ".jsonl", ".json", ".gz")
"""Suffixes that make a whitespace-free string look like a file name rather than a text."""


def _script_lang(text: str) -> str:
    from aimm_nlp.langs import UND
    from aimm_nlp.text import dominant_script

    return f"{UND}_{dominant_script(text)}"


def _lang_of_file(path: Path) -> str | None:
    from aimm_nlp.langs import LANGS

    return path.stem if path.stem in LANGS else None


def _looks_like_path(text: str) -> bool:
    return bool(text) and not any(c.isspace() for c in text) and text.lower().endswith(PATH_SUFFIXES)


def _files_or_texts(items: list[Any]) -> list[Any]:
    """``items`` with its ``str`` items turned into ``Path`` when they are files (module docstring rule)."""
    strings = [(i, s) for i, s in enumerate(items, 1) if isinstance(s, str)]
    if not strings:
        return items
    files = [(i, s) for i, s in strings if Path(s).is_file()]
    if files and len(files) < len(strings):
        texts = [(i, s) for i, s in strings if not Path(s).is_file()]
        raise DataError(
            f"corpus mixes file paths and texts: item {files[0][0]} ({files[0][1]!r}) is an existing file but "
            f"item {texts[0][0]} ({texts[0][1][:40]!r}) is not; pass every file as a pathlib.Path "
            "(then str items are texts), or only existing file paths"
        )
    if files:
        return [Path(s) if isinstance(s, str) else s for s in items]
    if all(_looks_like_path(s) for _, s in strings):
        raise InputFileError(
            f"{strings[0][1]}: no such file (corpus item {strings[0][0]}); every str item looks like a file "
            "name, so none is trained on as text: fix the path, or pass the texts themselves",
            path=strings[0][1],
        )
    return items


def collect(corpus: Any) -> dict[str, list[str]]:
    """Group the non-empty texts of ``corpus`` by language, keeping order.

    ``str`` items are read as files only when all of them are existing files (see the module
    docstring); a single ``str`` is a file.

    Raises:
        DataError: the corpus holds no text, an item is not a string, a text holds a lone surrogate
            (``"\\ud800"``, what ``json.loads`` gives for half an emoji; the message counts the text), or
            ``str`` items mix existing files and texts.
        InputFileError: a file is missing or not UTF-8, or every ``str`` item looks like a file name
            (``data/x.txt``) and none exists.
    """
    out: dict[str, list[str]] = {}
    count = 0

    def add(text: Any, lang: str | None) -> None:
        nonlocal count
        count += 1
        if not isinstance(text, str):
            raise DataError(
                f"corpus item {text!r} is not a string; pass texts, (text, lang) pairs or file paths"
            )
        problem = surrogate_problem(text)
        if problem:  # Rust (tokenizers, sentencepiece) cannot take it: say which text, not UnicodeEncodeError
            where = f" (language {lang})" if lang else ""
            raise DataError(f"corpus text {count}{where} {text[:40]!r}: {problem}")
        if text.strip():
            out.setdefault(lang or _script_lang(text), []).append(text)

    if isinstance(corpus, (str, os.PathLike)):
        if not Path(corpus).exists():
            raise InputFileError(
                f"{str(corpus)[:80]}: no such file; a single str or Path corpus is one file path "
                "(to train on texts, pass a list of them)",
                path=str(corpus),
            )
        corpus = [Path(corpus)]
    if hasattr(corpus, "column_names"):  # datasets.Dataset
        if "text" not in corpus.column_names:
            raise DataError(f"dataset has no 'text' column (columns: {corpus.column_names})")
        langs = corpus["lang"] if "lang" in corpus.column_names else [None] * len(corpus)
        for text, lang in zip(corpus["text"], langs, strict=False):
            add(text, lang)
    elif isinstance(corpus, Mapping):
        for lang, texts in corpus.items():
            for text in [texts] if isinstance(texts, str) else texts:
                add(text, lang)
    else:
        for item in _files_or_texts(list(corpus)):
            if isinstance(item, Path):
                for line in iter_lines(item):
                    add(line, _lang_of_file(item))
            elif isinstance(item, tuple) and len(item) == 2:
                add(*item)
            else:
                add(item, None)
    if not out:
        raise DataError("corpus is empty: no non-blank text to train on; check the paths, column or filters")
    return out


def corpus_sha256(by_lang: Mapping[str, list[str]]) -> str:
    """sha256 of the corpus (languages sorted, texts in order, ``lang\\ttext\\n`` lines)."""
    h = hashlib.sha256()
    for lang in sorted(by_lang):
        for text in by_lang[lang]:
            h.update(f"{lang}\t{text}\n".encode())
    return h.hexdigest()


def sample_by_language(
    by_lang: Mapping[str, list[str]],
    *,
    temperature: float = 1.0,
    lang_weights: Mapping[str, float] | None = None,
    seed: int = 0,
) -> tuple[list[str], dict[str, dict[str, float]]]:
    """Resample texts so language l gets a share of characters proportional to
    ``weight_l * (chars_l / total) ** (1 / temperature)``; the total stays the same.

    Texts are repeated (share above natural) or subsampled (below) deterministically
    from ``seed``. ``temperature > 1`` flattens towards uniform, so low-resource
    languages get more vocabulary; ``lang_weights`` nudges single languages.

    Returns:
        ``(texts, stats)`` where ``stats[lang]`` has ``texts``, ``chars`` and ``share`` (after sampling).
    """
    if temperature <= 0:
        raise ConfigError(f"temperature must be > 0, got {temperature}")
    weights = dict(lang_weights or {})
    bad = [f"lang_weights[{k!r}] = {v} must be >= 0" for k, v in weights.items() if not v >= 0]
    if bad:
        raise ConfigError("invalid lang_weights:", errors=bad)
    chars = {lang: sum(len(t) for t in texts) for lang, texts in by_lang.items()}
    total = sum(chars.values())
    raw = {lang: weights.get(lang, 1.0) * (chars[lang] / total) ** (1.0 / temperature) for lang in chars}
    norm = sum(raw.values())
    if norm <= 0:
        raise ConfigError("lang_weights give every language weight 0: nothing left to train on")
    rng = random.Random(seed)
    texts: list[str] = []
    stats = {}
    for lang in sorted(by_lang):
        factor = raw[lang] / norm * total / chars[lang]
        whole, frac = int(factor), factor - int(factor)
        picked = [t for t in by_lang[lang] for _ in range(whole + (rng.random() < frac))]
        texts.extend(picked)
        stats[lang] = {"texts": len(picked), "chars": sum(len(t) for t in picked)}
    kept = sum(s["chars"] for s in stats.values()) or 1
    for s in stats.values():
        s["share"] = round(s["chars"] / kept, 4)
    if not texts:
        raise DataError("language sampling kept no text; raise lang_weights or the temperature")
    return texts, stats


_SOURCE_KEYS = ("path", "column", "lang", "lang_prefix", "lang_column")


def source_errors(sources: Any) -> list[str]:
    """Every problem of a config's ``data`` list (see :func:`read_sources`), without reading any file."""
    from aimm_nlp.langs import LANGS
    from aimm_nlp.tokenization._checks import lang_error

    if not isinstance(sources, list):
        return [f"data: expected a list of {{path: ..., lang: ...}} entries, got {sources!r}"]
    errors = []
    prefixes = sorted({lang.iso639_3 for lang in LANGS.values()})
    for i, src in enumerate(sources):
        if not isinstance(src, Mapping):
            errors.append(
                f"data[{i}]: expected a mapping such as {{path: ary_Arab.txt, lang: ary_Arab}}, got {src!r}"
            )
            continue
        unknown = sorted(set(map(str, src)) - set(_SOURCE_KEYS))
        if "path" not in src:
            errors.append(f"data[{i}]: missing 'path'")
        if unknown:
            errors.append(f"data[{i}]: unknown keys {unknown}; valid: {', '.join(_SOURCE_KEYS)}")
        if sum(k in src for k in ("lang", "lang_prefix", "lang_column")) != 1:
            errors.append(f"data[{i}]: give exactly one of lang, lang_prefix, lang_column")
        for key in ("path", "column", "lang_column", "lang_prefix"):
            if key in src and not (isinstance(src[key], str) and src[key]):
                errors.append(f"data[{i}].{key}: expected a non-empty string, got {src[key]!r}")
        if "lang" in src:
            bad = lang_error(src["lang"], f"data[{i}].lang")
            if bad:
                errors.append(bad)
        if isinstance(src.get("lang_prefix"), str) and src["lang_prefix"] not in prefixes:
            errors.append(
                f"data[{i}].lang_prefix: unknown language {src['lang_prefix']!r}; valid: {', '.join(prefixes)}"
            )
    return errors


def _row(header: list[str], line: str, path: Path, lineno: int) -> dict[str, str] | None:
    """One TSV row as a dict (None for a blank line); a row with another field count is a DataError."""
    if not line:
        return None
    fields = line.split("\t")
    if len(fields) != len(header):
        raise DataError(
            f"{path}:{lineno}: expected {len(header)} tab-separated fields ({', '.join(header)}), found "
            f"{len(fields)}; fix that line (a tab inside a text cannot be escaped in TSV)"
        )
    return dict(zip(header, fields, strict=True))


def read_sources(
    sources: list[Mapping[str, Any]], *, root: str | os.PathLike[str] = "."
) -> dict[str, list[str]]:
    """Read config ``data`` entries into ``{lang: texts}``, dropping exact duplicates across sources.

    Each entry has ``path`` (relative to ``root``; ``$AIMM_SHARED`` is expanded), optional ``column``
    (TSV with a header, no quoting, every row with the header's field count; without it one text per
    line) and either ``lang`` or ``lang_prefix`` (language = prefix + dominant script, e.g. ``ary`` ->
    ``ary_Arab``/``ary_Latn``).
    A ``lang_column`` names a column holding the language instead.

    Security: a config is trusted like a shell script. ``path`` expands every ``$VAR`` of the
    environment and may be absolute or climb with ``..``, so it can read any local file the user can
    read (its lines become training text). Review configs you did not write.
    """

    from aimm_nlp.text import dominant_script

    errors = source_errors(sources)
    if errors:
        raise ConfigError("invalid data sources:", errors=errors)
    seen: set[str] = set()
    out: dict[str, list[str]] = {}
    for src in sources:
        path = Path(root) / os.path.expandvars(str(src["path"]))
        lines = iter_lines(path)
        if "column" in src:
            header = next(lines, "").removeprefix("\ufeff").split("\t")  # a UTF-8 BOM is not a name
            for needed in filter(None, (src["column"], src.get("lang_column"))):
                if needed not in header:
                    raise DataError(f"{path}:1: no column {needed!r} (columns: {', '.join(header)})")
            rows = (_row(header, line, path, n) for n, line in enumerate(lines, 2))
            items = ((r.get(src["column"], ""), r.get(src.get("lang_column", ""), "")) for r in rows if r)
        else:
            items = ((line, "") for line in lines)
        for text, lang_value in items:
            text = text.strip()
            if not text or text in seen:
                continue
            seen.add(text)
            if "lang" in src:
                lang = src["lang"]
            elif "lang_prefix" in src:
                lang = f"{src['lang_prefix']}_{dominant_script(text)}"
            else:
                lang = lang_value
            out.setdefault(lang, []).append(text)
    return out
