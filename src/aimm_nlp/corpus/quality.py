"""Quality heuristics for tweets and web text, as versioned rule sets (``quality.yaml``).

Examples:
    >>> rules = quality_rules("web.v1")
    >>> check_quality("واش نتا مزيان؟ الله يعطيك الصحة", rules)
    ''
    >>> check_quality("😂😂😂 !!!", rules), check_quality("https://t.co/x @user", rules)
    ('letters', 'link_only')
    >>> check_quality("Tous droits réservés © 2024", rules)
    'boilerplate'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from aimm_nlp._registry import Registry
from aimm_nlp.errors import ConfigError

__all__ = ["QualityRules", "check_quality", "quality_names", "quality_rules"]

_LINKS = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+|\[(?:URL|EMAIL|USER|HASHTAG|NUM)\]")


@dataclass(frozen=True)
class QualityRules:
    """Thresholds of one quality rule set; see ``quality.yaml`` for the meaning of each."""

    name: str = "custom"
    min_letter_share: float = 0.5
    max_char_run: int = 8
    drop_link_only: bool = True
    boilerplate: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        errors = []
        if not 0.0 <= self.min_letter_share <= 1.0:
            errors.append(f"min_letter_share must be in [0, 1], got {self.min_letter_share}")
        if self.max_char_run < 1:
            errors.append(f"max_char_run must be >= 1, got {self.max_char_run}")
        errors += [f"boilerplate phrase {p!r} is empty" for p in self.boilerplate if not p.strip()]
        if errors:
            raise ConfigError(f"invalid quality rules {self.name!r}:", errors=errors)


@lru_cache(maxsize=1)
def _sets() -> Registry:
    import yaml

    raw = yaml.safe_load(resources.files("aimm_nlp.corpus").joinpath("quality.yaml").read_text("utf-8"))
    out = Registry("quality rule set")
    for name, spec in raw.items():
        spec = {k: v for k, v in spec.items() if k != "description"}
        out.register(
            name, QualityRules(name=name, **{**spec, "boilerplate": tuple(spec.get("boilerplate", ()))})
        )
    return out


def quality_names() -> list[str]:
    """The registered rule-set names (versioned)."""
    return _sets().names()


def quality_rules(name: str | QualityRules) -> QualityRules:
    """Return a registered rule set by name (a :class:`QualityRules` passes through)."""
    if isinstance(name, QualityRules):
        return name
    return _sets().get(name)  # UnknownNameError with a did-you-mean suggestion


@lru_cache(maxsize=16)
def _compiled(rules: QualityRules) -> tuple[tuple[str, ...], re.Pattern[str] | None, re.Pattern[str]]:
    phrases = tuple(p.casefold() for p in rules.boilerplate)
    words = "|".join(re.escape(p) for p in phrases)
    boiler = re.compile(rf"(?<!\w)(?:{words})(?!\w)") if phrases else None
    return phrases, boiler, re.compile(rf"(.)\1{{{rules.max_char_run},}}", re.S)


def check_quality(text: str, rules: QualityRules) -> str:
    """Return ``""`` when ``text`` passes, else the rule that fails it.

    The reasons, checked in this order, are ``link_only``, ``char_run``, ``letters`` (too few
    letters) and ``boilerplate``. Written for speed (stdlib ``re``, substring gates): it runs on
    every document of the corpus.
    """
    phrases, boiler, run = _compiled(rules)
    if rules.drop_link_only and (
        "@" in text or "#" in text or "[" in text or "http" in text or "www." in text
    ):
        rest = _LINKS.sub("", text)
        if rest != text and not any(map(str.isalpha, rest)):
            return "link_only"
    if run.search(text):
        return "char_run"
    chars = len(text) - text.count(" ")
    if chars and sum(map(str.isalpha, text)) < rules.min_letter_share * chars:
        return "letters"
    if boiler is not None:
        low = text.casefold()
        if any(p in low for p in phrases) and boiler.search(low):
            return "boilerplate"
    return ""
