"""What :func:`aimm_nlp.corpus.clean` removed, step by step.

For an in-memory ``Dataset`` the report is final when ``clean`` returns. For an
``IterableDataset`` nothing has been read yet, so the report is a live view of
counters that fill while the cleaned stream is consumed (for example by
:func:`save_corpus`); ``complete`` turns true at the end of the stream, and a new
pass (another epoch) starts the counts afresh. With DataLoader workers the counting
happens in the workers, so read the report from a single-process pass.

Examples:
    >>> tally = Tally(("length", "exact_dup"))
    >>> tally.add_input(3); tally.remove("length", "ok"); tally.finish()
    >>> report = CleanReport(tally=tally)
    >>> report.n_input, report.n_output, [(s.name, s.removed) for s in report.steps]
    (3, 2, [('length', 1), ('exact_dup', 0)])
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aimm_nlp.errors import DataError

__all__ = ["STEPS", "CleanReport", "StepReport", "Tally"]

#: Removal steps, in the order they run; a document is counted by the first step that drops it.
STEPS = ("malformed", "length", "quality", "lang", "exact_dup", "near_dup")
_MAX_EXAMPLES = 5


@dataclass(frozen=True)
class StepReport:
    """One step: how many documents it removed, a few of them, and sub-reasons (quality rules)."""

    name: str
    removed: int
    examples: tuple[str, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)


class Tally:
    """Mutable counters behind a :class:`CleanReport` (shared with streaming filters)."""

    def __init__(self, steps: tuple[str, ...], config: dict[str, Any] | None = None) -> None:
        self.steps = steps
        self.config = dict(config or {})
        self.n_input = 0
        self.removed: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {s: [] for s in steps}
        self.reasons: dict[str, Counter[str]] = {s: Counter() for s in steps}
        self.complete = False

    def reset(self) -> None:
        """Start a new pass over a streaming dataset (counts describe the latest pass)."""
        self.n_input = 0
        self.removed.clear()
        for step in self.steps:
            self.examples[step].clear()
            self.reasons[step].clear()
        self.complete = False

    def add_input(self, n: int) -> None:
        self.n_input += n

    def remove(self, step: str, example: str | None, reason: str = "", count: int = 1) -> None:
        self.removed[step] += count
        if reason:
            self.reasons[step][reason] += count
        if example is not None and len(self.examples[step]) < _MAX_EXAMPLES:
            self.examples[step].append(example[:200])

    def finish(self) -> None:
        self.complete = True


@dataclass(frozen=True)
class CleanReport:
    """Counts per step that add up: ``n_input - sum(removed) == n_output``."""

    tally: Tally = field(repr=False)

    @property
    def n_input(self) -> int:
        return self.tally.n_input

    @property
    def n_output(self) -> int:
        return self.tally.n_input - sum(self.tally.removed.values())

    @property
    def complete(self) -> bool:
        """False while a streaming dataset has not been read to the end."""
        return self.tally.complete

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.tally.config)

    @property
    def steps(self) -> tuple[StepReport, ...]:
        t = self.tally
        return tuple(
            StepReport(s, t.removed[s], tuple(t.examples[s]), dict(t.reasons[s].most_common()))
            for s in t.steps
        )

    def __repr__(self) -> str:
        removed = ", ".join(f"{s.name}={s.removed}" for s in self.steps)
        return f"CleanReport(n_input={self.n_input}, n_output={self.n_output}, removed: {removed})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (used in manifests)."""
        return {
            "n_input": self.n_input,
            "n_output": self.n_output,
            "complete": self.complete,
            "config": self.config,
            "steps": [
                {"name": s.name, "removed": s.removed, "reasons": s.reasons, "examples": list(s.examples)}
                for s in self.steps
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_markdown(self) -> str:
        """A Markdown table of the steps with one example each."""
        lines = [
            f"documents in: {self.n_input:,} · out: {self.n_output:,}",
            "",
            "| step | removed | share | example |",
            "|---|---:|---:|---|",
        ]
        for s in self.steps:
            share = s.removed / self.n_input if self.n_input else 0.0
            example = (s.examples[0] if s.examples else "").replace("|", "\\|").replace("\n", " ")[:80]
            lines.append(f"| {s.name} | {s.removed:,} | {share:.1%} | {example} |")
        return "\n".join(lines) + "\n"

    def raise_if_empty(self) -> None:
        """Raise :class:`DataError` naming the step that removed the last documents."""
        if self.n_output > 0:
            return
        if self.n_input == 0:
            raise DataError("the input corpus has no documents; check the source paths and split")
        last = [s for s in self.steps if s.removed][-1]
        counts = ", ".join(f"{s.name}={s.removed}" for s in self.steps if s.removed)
        hint = {
            "malformed": "every line is malformed: check the format and text_column",
            "length": "lower min_chars or raise max_chars",
            "quality": "relax the quality rules or pass quality=None",
            "lang": f"no document is in langs={self.config.get('langs')}; check the labels or the identifier",
        }.get(last.name, "")
        raise DataError(
            f"cleaning removed all {self.n_input:,} documents; step {last.name!r} removed the last "
            f"{last.removed:,} (removed per step: {counts}); {hint}".rstrip("; ")
        )
