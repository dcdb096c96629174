"""Hub-ready model cards (``README.md`` with YAML front-matter), built locally with
``huggingface_hub.ModelCard`` / ``ModelCardData``: nothing is pushed or downloaded.

Shared by fine-tuning (:mod:`aimm_nlp.finetune.card`), tokenizer training and the demo. Language
codes are the project's FLORES-style codes turned into the Hub's (ISO 639-1 where one exists:
``arb_Arab`` -> ``ar``; ISO 639-3 otherwise: ``ary_Latn`` -> ``ary``); licenses are Hub license ids;
a base model is named only when it is a Hub id (``org/name``), never a local path.

Examples:
    >>> hub_languages(["ary_Arab", "ary_Latn", "arb_Arab", "fra_Latn", "zgh_Tfng", "und_Latn"])
    ['ary', 'ar', 'fr', 'zgh']
    >>> hub_license("CC BY-SA 4.0 (full text in LICENSE)"), hub_license("Apache-2.0, same as the project.")
    ('cc-by-sa-4.0', 'apache-2.0')
    >>> hub_model_id("MBZUAI-Paris/Atlas-Chat-2B"), hub_model_id("/home/me/runs/model")
    ('MBZUAI-Paris/Atlas-Chat-2B', None)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["HUB_LANGUAGE", "hub_languages", "hub_license", "hub_model_id", "save_card"]

HUB_LANGUAGE = {"arb": "ar", "fra": "fr", "eng": "en"}
"""ISO 639-3 codes of the project with an ISO 639-1 code, which the Hub prefers."""

# (pattern over the lower-cased license text, Hub license id); the first match wins, so the
# more specific CC variants come first
_LICENSES = [
    (r"cc[ -]?by[ -]nc[ -]sa[ -]?4\.0", "cc-by-nc-sa-4.0"),
    (r"cc[ -]?by[ -]nc[ -]?4\.0", "cc-by-nc-4.0"),
    (r"cc[ -]?by[ -]sa[ -]?4\.0", "cc-by-sa-4.0"),
    (r"cc[ -]?by[ -]sa[ -]?3\.0", "cc-by-sa-3.0"),
    (r"cc[ -]?by[ -]?4\.0", "cc-by-4.0"),
    (r"cc[ -]?by[ -]?3\.0", "cc-by-3.0"),
    (r"cc[ -]?by[ -]?2\.0", "cc-by-2.0"),
    (r"cc0", "cc0-1.0"),
    (r"apache[ -]?(license)?[ -,]*(version )?2\.0|apache-2", "apache-2.0"),
    (r"\bmit\b", "mit"),
]
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


def hub_languages(codes: Iterable[str]) -> list[str]:
    """Hub language codes of FLORES-style codes, in first-seen order; ``und_*`` and unknown codes dropped."""
    from aimm_nlp.langs import LANGS

    out: dict[str, None] = {}
    for code in codes:
        lang = LANGS.get(code)
        if lang is not None:
            out[HUB_LANGUAGE.get(lang.iso639_3, lang.iso639_3)] = None
    return list(out)


def hub_license(text: str | None) -> str:
    """The Hub license id a license text names, ``"other"`` when it names several (data under
    different licenses), or ``"unknown"``.

    Examples:
        >>> hub_license("Apache-2.0 (morocco-mini) AND CC BY 4.0 (afrisenti_ma)")
        'other'
    """
    low = (text or "").lower()
    if low.startswith("unknown"):
        return "unknown"
    found = {hub for pattern, hub in _LICENSES if re.search(pattern, low)}
    return found.pop() if len(found) == 1 else "other" if found else "unknown"


def hub_model_id(name: str | os.PathLike[str] | None) -> str | None:
    """``name`` when it is a Hub model id (``org/name``, not an existing local path), else the Hub id a
    local checkpoint records (``config.json``'s ``_name_or_path``), else ``None``: never a local path."""
    if not name:
        return None
    text, path = str(name), Path(name)
    if path.is_dir():
        try:
            recorded = json.loads((path / "config.json").read_text(encoding="utf-8")).get("_name_or_path")
        except (OSError, ValueError, AttributeError):
            return None
        return hub_model_id(recorded) if isinstance(recorded, str) and not Path(recorded).exists() else None
    return text if _HUB_ID.match(text) and not path.exists() else None


def save_card(path: str | os.PathLike[str], data: Mapping[str, Any], body: str) -> None:
    """Write ``path`` (a ``README.md``): ``data`` as ``ModelCardData`` front-matter (empty values left
    out), then ``body``. Local only: ``ModelCard.save`` writes a file, nothing reaches the Hub."""
    from huggingface_hub import ModelCard, ModelCardData

    fields = {k: v for k, v in data.items() if v not in (None, [], {}, "")}
    card = ModelCard(f"---\n{ModelCardData(**fields).to_yaml()}\n---\n\n{body.strip()}\n")
    card.save(str(path))
