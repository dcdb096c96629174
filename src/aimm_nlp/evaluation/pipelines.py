"""aimm text functions that ``pipeline`` tasks score, by registered name.

Entries are ``"module:attr"`` strings, so ``langid`` / ``translit`` work as soon as those
modules land, and nothing is imported before a task runs. A pipeline returns a string, or
an object with a ``lang`` attribute (``LangGuess``), which is turned into its label.
"""

from __future__ import annotations

from typing import Any

from aimm_nlp._registry import Registry

__all__ = ["PIPELINES", "run_pipeline"]

PIPELINES = Registry("pipeline")
PIPELINES.register("dominant_script", "aimm_nlp.text:dominant_script")
PIPELINES.register("normalize", "aimm_nlp.text:normalize")
PIPELINES.register("identify", "aimm_nlp.text.langid:identify")
PIPELINES.register("transliterate", "aimm_nlp.text.translit:transliterate")


def run_pipeline(name: str, text: str, **kwargs: Any) -> str:
    """Call the pipeline ``name`` on ``text`` and return its prediction as a string.

    Examples:
        >>> run_pipeline("dominant_script", "سلام عليكم، labas?")
        'Arab'
    """
    try:
        fn = PIPELINES.get(name)
    except ModuleNotFoundError as exc:
        from aimm_nlp.errors import MissingDependencyError

        raise MissingDependencyError(
            f"pipeline {name!r} needs {exc.name}, which is not available yet"
        ) from None
    out = fn(text, **kwargs)
    return str(getattr(out, "lang", out))
