"""Which script a character belongs to, and runs of one script in a text.

Scripts are ISO 15924 codes: ``Arab``, ``Latn``, ``Tfng``, and ``Other`` for
everything else (digits, punctuation, spaces, emoji). Assignment is by Unicode
block, so Arabic punctuation (، ؛ ؟), tatweel and Arabic-Indic digits count as
``Arab``. Combining marks (U+0300–U+036F) join the run before them, so
``"e\\u0301"`` is one Latin run.

Examples:
    >>> script_of("ڭ"), script_of("é"), script_of("ⵣ"), script_of("3")
    ('Arab', 'Latn', 'Tfng', 'Other')
    >>> [(r.script, r.text) for r in script_runs("salam سلام ⴰⵣⵓⵍ")]
    [('Latn', 'salam'), ('Other', ' '), ('Arab', 'سلام'), ('Other', ' '), ('Tfng', 'ⴰⵣⵓⵍ')]
    >>> dominant_script("ana ghadi l réunion, صافي")
    'Latn'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aimm_nlp.text._classes import ARAB_CLASS, LATN_CLASS, TFNG_CLASS
from aimm_nlp.text._classes import MARKS_CLASS as _MARKS

__all__ = [
    "ARAB_CLASS",
    "LATN_CLASS",
    "TFNG_CLASS",
    "ScriptRun",
    "dominant_script",
    "script_of",
    "script_runs",
]

_RUNS = re.compile(
    rf"(?P<Arab>[{ARAB_CLASS}][{ARAB_CLASS}{_MARKS}]*)"
    rf"|(?P<Latn>[{LATN_CLASS}][{LATN_CLASS}{_MARKS}]*)"
    rf"|(?P<Tfng>[{TFNG_CLASS}][{TFNG_CLASS}{_MARKS}]*)"
    rf"|(?P<Other>[^{ARAB_CLASS}{LATN_CLASS}{TFNG_CLASS}]+)"
)
_ONE = {
    "Arab": re.compile(f"[{ARAB_CLASS}]"),
    "Latn": re.compile(f"[{LATN_CLASS}]"),
    "Tfng": re.compile(f"[{TFNG_CLASS}]"),
}


@dataclass(frozen=True)
class ScriptRun:
    """A maximal span ``text[start:end]`` written in one ``script``."""

    start: int
    end: int
    script: str
    text: str


def script_of(ch: str) -> str:
    """Return ``"Arab"``, ``"Latn"``, ``"Tfng"`` or ``"Other"`` for one character.

    Raises:
        ValueError: ``ch`` is not exactly one character.
    """
    if len(ch) != 1:
        raise ValueError(f"script_of expects one character, got {len(ch)}: {ch!r}")
    for script, pattern in _ONE.items():
        if pattern.match(ch):
            return script
    return "Other"


def script_runs(text: str) -> list[ScriptRun]:
    """Split ``text`` into maximal runs of one script; the runs cover the text exactly."""
    return [ScriptRun(m.start(), m.end(), m.lastgroup or "Other", m.group()) for m in _RUNS.finditer(text)]


def dominant_script(text: str) -> str:
    """The script with the most letters in ``text``; ``"Other"`` when there are none.

    Ties go to ``Arab``, then ``Latn``, then ``Tfng``, wherever they occur in the text
    (``dominant_script("ana انا") == "Arab"``).
    """
    counts: dict[str, int] = {}
    for script, pattern in _ONE.items():
        n = len(pattern.findall(text))
        if n:
            counts[script] = n
    if not counts:
        return "Other"
    return max(counts, key=lambda s: counts[s])
