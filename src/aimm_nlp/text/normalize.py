"""Non-destructive normalization of Moroccan text, one switch per operation.

A *preset* (``arb.v1``, ``ary_arab.v1``, ``ary_latn.v1``, ``fra.v1``,
``zgh_tfng.v1``, ``auto.v1``) names the scripts it targets and the switches it
turns on; both live as data in ``maps/presets.json``. Every rule is built to
touch only characters of the scripts it targets, so ``auto.v1`` normalizes
each script run with its own rules and code-switched text keeps its French,
its Tifinagh and its emoji. Script-neutral cleanup (bidi/format controls,
whitespace) applies under every preset.

Speed comes from doing all character-level maps (controls, tatweel,
diacritics, alef/yeh/teh folds, digits, punctuation, presentation forms,
lowercase) in one precompiled regex pass with a dict lookup, then one regex
pass for elongation; see ``benchmarks/bench_normalize.py``.

Examples:
    >>> normalize("واااش نتا مزيااااان؟ الله يعطيك الصحة")
    'واش نتا مزيان؟ الله يعطيك الصحة'
    >>> normalize("ana ghadi l réunion demain, 3afak sift liya le document bzzzaaaf")
    'ana ghadi l réunion demain, 3afak sift liya le document bzaf'
    >>> normalize("إِنَّ الكِتابَ على الطاولةِ", preset="arb.v1")
    'ان الكتاب علي الطاوله'
    >>> normalize("ڭاع ⴰⵣⵓⵍ 🙂", fold_moroccan=True)
    'كاع ⴰⵣⵓⵍ 🙂'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from aimm_nlp._registry import did_you_mean
from aimm_nlp.errors import ConfigError, UnknownNameError
from aimm_nlp.text._classes import ARAB_CLASS, LATN_CLASS, TFNG_CLASS
from aimm_nlp.text._pkgdata import read_text

__all__ = ["SWITCHES", "Normalizer", "describe_preset", "normalize", "normalize_batch", "preset_names"]

# ---------------------------------------------------------------- preset data


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = read_text("maps/presets.json")
    return json.loads(text)


def preset_names() -> list[str]:
    """The registered preset names (versioned), sorted."""
    return sorted(_data()["presets"])


def describe_preset(name: str) -> dict[str, Any]:
    """Return ``{"name", "description", "scripts", "switches"}`` of a preset (aliases allowed)."""
    key = _resolve(name)
    spec = _data()["presets"][key]
    return {
        "name": key,
        "description": spec["description"],
        "scripts": list(spec["scripts"]),
        "switches": {**_data()["defaults"], **spec["switches"]},
    }


def _resolve(name: str) -> str:
    data = _data()
    if not isinstance(name, str):
        raise UnknownNameError(
            f"preset must be a name such as 'auto.v1', got {name!r}; valid presets: {', '.join(preset_names())}",
            name=str(name),
            choices=preset_names(),
        )
    key = data["aliases"].get(name, name)
    if key not in data["presets"]:
        names = [*data["presets"], *data["aliases"]]
        raise UnknownNameError(
            f"unknown normalizer preset {name!r}{did_you_mean(name, names)}; "
            f"valid presets: {', '.join(preset_names())}",
            name=name,
            choices=preset_names(),
        )
    return key


#: Every switch name with its one-line documentation.
SWITCHES: Mapping[str, str] = _data()["switches"]

# ---------------------------------------------------------------- character tables

_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u200b\u00ad\u2060"
_ZW = re.compile(
    "(?<![\U0001f000-\U0001faff\u2600-\u27bf\ufe0f])[\u200c\u200d]|[\u200c\u200d](?![\U0001f000-\U0001faff\u2600-\u27bf])"
)
_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_QURANIC = "".join(map(chr, range(0x0653, 0x0660))) + "".join(map(chr, range(0x06D6, 0x06EE)))
_ARAB_MARKS = _DIACRITICS + _QURANIC
_FOLDS: dict[str, dict[str, str]] = {
    "tatweel": {"\u0640": ""},
    "alef": {c: "\u0627" for c in "\u0623\u0625\u0622\u0671"},
    "hamza": {"\u0624": "\u0648", "\u0626": "\u064a"},
    "alef_maksura": {"\u0649": "\u064a"},
    "teh_marbuta": {"\u0629": "\u0647"},
    "letter_variants": {"\u06a9": "\u0643", "\u06cc": "\u064a", "\u06d5": "\u0647"},
    "fold_moroccan": {"\u06ad": "\u0643", "\u06af": "\u0643", "\u06a4": "\u0641", "\u067e": "\u0628"},
    "digits": {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    },
    "punctuation": {"\u060c": ",", "\u061b": ";", "\u061f": "?", "\u066a": "%"},
    "diacritics": dict.fromkeys(_DIACRITICS, ""),
    "quranic_marks": dict.fromkeys(_QURANIC, ""),
}
_FREQUENT = "\u0623\u0625\u0622\u0671\u0649\u0629\u0640"  # أ إ آ ٱ ى ة ـ
_PRESENTATION = [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)]
_AR_LETTERS = "\u0621-\u063a\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff"
_KEEP_DOUBLE = frozenset("\u0644\u0647lsmnrtpfcbdgLSMNRTPFCBDG")
_MARKS_BY_SCRIPT = {"Arab": _ARAB_MARKS, "Latn": "\u0300-\u036f", "Tfng": "\u0300-\u036f\u2d7f"}
_CLASS_BY_SCRIPT = {"Arab": ARAB_CLASS, "Latn": LATN_CLASS, "Tfng": TFNG_CLASS}

# \w plus combining marks: "@user" followed by a diacritic is one token before and after normalizing
_W = r"\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_URL = r"(?:https?://|www\.)\S+"
_EMAIL = rf"[{_W}.+-]+@[{_W}-]+(?:\.[{_W}-]+)+"
_MENTION = rf"@[{_W}]+"
_MASK_TOKEN = r"\[(?:URL|EMAIL|USER|HASHTAG|NUM)\]"
_PROTECTED = re.compile(f"(?P<EMAIL>{_EMAIL})|(?P<URL>{_URL})|(?P<USER>{_MENTION})|(?P<TOKEN>{_MASK_TOKEN})")
_HASHTAG = re.compile(rf"#[{_W}]+")
_NUMBER = re.compile(r"(?<!\w)\d+(?:[.,\u066b\u066c]\d+)*(?!\w)")
_CONTROLS_RE = re.compile(f"[{_CONTROLS}]")
_TFNG_LABIAL = re.compile("(?<=[\u2d30-\u2d6e])[\u02b7\u1d42]")


def _lower_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for ch in re.findall(f"[{LATN_CLASS}]", "".join(map(chr, range(0x20, 0x10000)))):
        low = ch.lower()
        if low != ch and re.fullmatch(f"[{LATN_CLASS}]+", low):
            out[ch] = low
    return out


class Normalizer:
    """A reusable normalizer built once from a preset and switch overrides.

    Args:
        preset: preset name or alias (``"auto"`` means ``"auto.v1"``).
        **overrides: switch name -> bool, e.g. ``teh_marbuta=True``; see :data:`SWITCHES`.

    Raises:
        UnknownNameError: unknown preset.
        ConfigError: unknown switch or non-boolean value (all problems listed at once).

    Examples:
        >>> norm = Normalizer("ary_arab.v1", mask_urls=True)
        >>> norm("شوف هادشي https://example.ma/x 👍")
        'شوف هادشي [URL] 👍'
        >>> norm.batch(["", "ـ", "سلاااام"])
        ['', '', 'سلام']
    """

    def __init__(self, preset: str = "auto", **overrides: bool) -> None:
        key = _resolve(preset)
        spec = _data()["presets"][key]
        switches = {**_data()["defaults"], **spec["switches"]}
        errors = []
        for name, value in overrides.items():
            if name not in switches:
                errors.append(f"unknown switch {name!r}{did_you_mean(name, switches)}")
            elif not isinstance(value, bool):
                errors.append(f"switch {name!r} takes true/false, got {value!r}")
        if errors:
            raise ConfigError(
                f"invalid options for normalizer preset {key!r} (valid switches: {', '.join(switches)}):",
                errors=errors,
            )
        switches.update(overrides)
        self.preset: str = key
        self.scripts: tuple[str, ...] = tuple(spec["scripts"])
        self.switches: dict[str, bool] = switches
        self._build()

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.switches.items() if describe_preset(self.preset)["switches"][k] != v}
        extra = "".join(f", {k}={v}" for k, v in changed.items())
        return f"Normalizer({self.preset!r}{extra})"

    # -------------------------------------------------------- construction

    def _build(self) -> None:
        sw, arab = self.switches, "Arab" in self.scripts
        cmap: dict[str, str] = {}
        if sw["controls"]:
            cmap.update(dict.fromkeys(_CONTROLS, ""))
        if arab:
            for name, table in _FOLDS.items():
                if sw[name]:
                    cmap.update(table)
        if sw["lowercase"] and "Latn" in self.scripts:
            cmap.update(_lower_map())
        if arab and sw["presentation_forms"]:
            for cp in _PRESENTATION:
                ch = chr(cp)
                decomposed = unicodedata.normalize("NFKC", ch)
                if decomposed != ch:
                    cmap[ch] = "".join(cmap.get(c, c) for c in decomposed)
        # Frequent folds go through str.replace (C speed, skipped when absent); the rest through one
        # regex whose callback runs only on the rare characters it finds. Map values are fixed
        # points of the whole map, so the order of the two passes does not matter.
        self._frequent = [(c, cmap.pop(c)) for c in _FREQUENT if c in cmap]
        self._cmap = cmap
        self._lookup = lambda m: cmap[m.group()]
        self._cmap_re = re.compile("[" + "".join(re.escape(c) for c in sorted(cmap)) + "]") if cmap else None

        self._nfc_re = None
        if sw["unicode"]:
            parts = [f"[{_CLASS_BY_SCRIPT[s]}][{_MARKS_BY_SCRIPT[s]}]+" for s in self.scripts]
            self._nfc_re = re.compile("|".join(parts))

        self._elong_re = None
        if sw["elongation"]:
            letters = (_AR_LETTERS if arab else "") + (LATN_CLASS if "Latn" in self.scripts else "")
            if letters:
                self._elong_re = re.compile(f"([{letters}])\\1\\1+")

        self._labial = "Tfng" in self.scripts and sw["unicode"]

    # -------------------------------------------------------- application

    def __call__(self, text: str) -> str:
        """Normalize one string. Never raises on a ``str`` (``None`` and ``""`` come back as they are).

        Raises:
            TypeError: ``text`` is not a string.
        """
        if not text:
            return text
        if not isinstance(text, str):
            raise TypeError(f"normalize() takes a str, got {type(text).__name__}: {text!r:.60}")
        if "@" in text or "://" in text or "www." in text or "[" in text:
            if self.switches["controls"]:  # a control inside "@user" must not split it in two
                text = _CONTROLS_RE.sub("", text)
                if "\u200d" in text or "\u200c" in text:
                    text = _ZW.sub("", text)
            text = self._with_protection(text)
        else:
            text = self._core(text)
        if self.switches["whitespace"]:
            text = " ".join(text.split())
        return text

    def batch(self, texts: Iterable[str]) -> list[str]:
        """Normalize many strings (a list, a generator, a ``datasets`` column).

        Raises:
            TypeError: ``texts`` is one string (its characters would be normalized one by one).
        """
        if isinstance(texts, str):
            raise TypeError("batch() takes a list of texts, not one str; call the normalizer on it instead")
        return [self(t) for t in texts]

    def _core(self, text: str) -> str:
        sw = self.switches
        if sw["controls"] and ("\u200d" in text or "\u200c" in text):
            text = _ZW.sub("", text)
        if self._nfc_re is not None and not unicodedata.is_normalized("NFC", text):
            text = self._nfc_re.sub(lambda m: unicodedata.normalize("NFC", m.group()), text)
        text = self._maps(text)
        # ʷ after a Tifinagh letter becomes ⵯ, a Tifinagh letter: marks after it now compose (ⵯ + U+0344).
        if self._labial and ("\u02b7" in text or "\u1d42" in text):
            text = _TFNG_LABIAL.sub("\u2d6f", text)
        # Deleting a tatweel or control can bring a letter and a combining mark together.
        if self._nfc_re is not None and not unicodedata.is_normalized("NFC", text):
            text = self._maps(self._nfc_re.sub(lambda m: unicodedata.normalize("NFC", m.group()), text))
        if self._elong_re is not None:
            text = self._elong_re.sub(_collapse, text)
        if sw["mask_hashtags"] and "#" in text:
            text = _HASHTAG.sub("[HASHTAG]", text)
        if sw["mask_numbers"]:
            text = _NUMBER.sub("[NUM]", text)
        return text

    def _maps(self, text: str) -> str:
        for char, repl in self._frequent:
            if char in text:
                text = text.replace(char, repl)
        if self._cmap_re is not None:
            text = self._cmap_re.sub(self._lookup, text)
        return text

    def _with_protection(self, text: str) -> str:
        sw = self.switches
        out, last = [], 0
        for m in _PROTECTED.finditer(text):
            out.append(self._core(text[last : m.start()]))
            kind = m.lastgroup
            masked = (kind == "URL" and sw["mask_urls"]) or (kind == "EMAIL" and sw["mask_emails"])
            masked = masked or (kind == "USER" and sw["mask_mentions"])
            out.append(f"[{kind}]" if masked else m.group())
            last = m.end()
        out.append(self._core(text[last:]))
        return "".join(out)


def _collapse(m: re.Match[str]) -> str:
    ch = m.group(1)
    return ch + ch if ch in _KEEP_DOUBLE else ch


@lru_cache(maxsize=64)
def _cached(preset: str, items: tuple[tuple[str, bool], ...]) -> Normalizer:
    return Normalizer(preset, **dict(items))


def normalize(text: str, *, preset: str = "auto", **overrides: bool) -> str:
    """Normalize ``text`` with a preset and optional switch overrides.

    Args:
        text: any string; ``""`` comes back as ``""``.
        preset: ``arb.v1``, ``ary_arab.v1``, ``ary_latn.v1``, ``fra.v1``, ``zgh_tfng.v1`` or
            ``auto.v1`` (default; the unversioned names are aliases of ``.v1``).
        **overrides: switches to change, e.g. ``teh_marbuta=True, mask_urls=True``.

    Returns:
        The normalized string. Characters of scripts the preset does not target are unchanged.

    Raises:
        UnknownNameError: unknown preset. ConfigError: unknown switch.

    Examples:
        >>> normalize("سلاااام ⵜⴰⵎⴰⵣⵉⵖⵜ", preset="ary_arab.v1")
        'سلام ⵜⴰⵎⴰⵣⵉⵖⵜ'
    """
    return _cached(preset, tuple(sorted(overrides.items())))(text)


def normalize_batch(
    batch: Iterable[str] | Mapping[str, list[Any]],
    *,
    preset: str = "auto",
    column: str = "text",
    **overrides: bool,
) -> list[str] | dict[str, list[Any]]:
    """Normalize a list of strings, or a ``datasets`` batch dict in place of its ``column``.

    Use it with ``Dataset.map(normalize_batch, batched=True, fn_kwargs={"preset": "ary_arab.v1"})``.

    Examples:
        >>> normalize_batch(["واااش", "bzzzaaaf"])
        ['واش', 'bzaf']
        >>> normalize_batch({"text": ["ـسلامـ"], "lang": ["ary_Arab"]})
        {'text': ['سلام'], 'lang': ['ary_Arab']}
    """
    norm = _cached(preset, tuple(sorted(overrides.items())))
    if isinstance(batch, Mapping):  # a dict, or the LazyBatch that Dataset.map passes
        if column not in batch:
            raise KeyError(f"batch has no column {column!r}; columns: {', '.join(batch)}")
        return {**batch, column: norm.batch(batch[column])}
    return norm.batch(batch)
