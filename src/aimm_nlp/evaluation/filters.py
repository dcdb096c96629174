"""lm-eval's ``filter_list``: post-process a generated answer before it is scored.

A task may name one filter pipeline (lm-eval runs several side by side and reports
``metric,<filter name>``; aimm scores one, so a second pipeline is refused). Each step is one of
lm-eval's filters, with its arguments and behaviour:

- ``regex`` (``regex_pattern``, default ``#### (\\-?[0-9\\.\\,]+)``; ``group_select``, default 0;
  ``fallback``, default ``[invalid]``): the ``group_select``-th match (its first non-empty group
  when the pattern has groups), stripped; ``fallback`` when nothing matches;
- ``take_first``: the first response (aimm generates one response per doc: ``repeats: 1``);
- ``majority_vote``: the most frequent response (first seen on ties, as ``collections.Counter``);
- ``lowercase``, ``uppercase``, ``remove_whitespace`` (strips both ends);
- ``custom`` with ``filter_fn: !function module.fn`` (a trusted task only): ``fn(resps, docs)``.

The response before the filters is kept in the per-item log as ``resp``; ``pred`` is the filtered
answer the metrics score.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

__all__ = ["FILTERS", "apply_filters", "check_filter_list"]

_ARGS = {
    "regex": {"regex_pattern", "group_select", "fallback"},
    "take_first": set(),
    "majority_vote": set(),
    "lowercase": set(),
    "uppercase": set(),
    "remove_whitespace": set(),
    "custom": {"filter_fn"},
}
FILTERS = tuple(_ARGS)


def check_filter_list(value: Any, where: str) -> list[str]:
    """The errors of a ``filter_list`` (shape, filter names, arguments)."""
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        return [f"{where}: filter_list: expected a list of {{name: NAME, filter: [{{function: ...}}]}}"]
    if len(value) > 1:
        names = [p.get("name") if isinstance(p, dict) else p for p in value]
        return [
            f"{where}: filter_list: {len(value)} filter pipelines ({names}); aimm scores one answer per doc: "
            "keep the pipeline whose scores you report"
        ]
    pipe = value[0]
    steps = pipe.get("filter") if isinstance(pipe, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return [
            f"{where}: filter_list[0]: expected {{name: NAME, filter: [{{function: NAME, ...}}]}}, got {pipe!r}"
        ]
    errors = []
    for i, step in enumerate(steps):
        name = step.get("function")
        if name not in _ARGS:
            from aimm_nlp._registry import did_you_mean

            errors.append(f"{where}: filter_list[0].filter[{i}]: function {name!r} is not one of "
                          f"{', '.join(FILTERS)}{did_you_mean(str(name), FILTERS)}")  # fmt: skip
            continue
        extra = sorted(set(step) - {"function"} - _ARGS[name])
        if extra:
            errors.append(f"{where}: filter_list[0].filter[{i}]: {name} takes no {', '.join(extra)}")
        if name == "regex":
            try:
                re.compile(step.get("regex_pattern", ""))
            except re.error as exc:
                errors.append(f"{where}: filter_list[0].filter[{i}].regex_pattern: not a regex ({exc})")
            if not isinstance(step.get("group_select", 0), int):
                errors.append(f"{where}: filter_list[0].filter[{i}].group_select: expected an integer")
        if name == "custom" and not callable(step.get("filter_fn")):
            errors.append(f"{where}: filter_list[0].filter[{i}].filter_fn: expected !function module.fn")
    return errors


def _regex(resps: list[str], pattern: str = r"#### (\-?[0-9\.\,]+)", group_select: int = 0,
           fallback: str = "[invalid]") -> list[str]:  # fmt: skip
    """lm-eval's ``RegexFilter`` on one doc's responses."""
    out = []
    for resp in resps:
        found = re.findall(pattern, resp if isinstance(resp, str) else "")
        if not found:
            out.append(fallback)
            continue
        match = found[group_select]
        if isinstance(match, tuple):
            match = next((m for m in match if m), fallback)
        out.append(match.strip())
    return out


def apply_filters(filter_list: list[dict[str, Any]] | None, resp: str, doc: dict[str, Any] | None) -> Any:
    """The answer scored for one doc: ``resp`` through the task's filter pipeline (unchanged without one).

    Examples:
        >>> steps = [{"function": "regex", "regex_pattern": r"الجواب: (\\w)"}, {"function": "take_first"}]
        >>> apply_filters([{"name": "letter", "filter": steps}], "الجواب: B. ايجابي 😍", None)
        'B'
        >>> apply_filters([{"name": "low", "filter": [{"function": "lowercase"}]}], "SALAM Labas", None)
        'salam labas'
    """
    if not filter_list:
        return resp
    resps: list[Any] = [resp]
    for step in filter_list[0]["filter"]:
        name = step["function"]
        if name == "regex":
            resps = _regex(resps, step.get("regex_pattern", r"#### (\-?[0-9\.\,]+)"),
                           step.get("group_select", 0), step.get("fallback", "[invalid]"))  # fmt: skip
        elif name == "take_first":
            resps = resps[0]
        elif name == "majority_vote":
            resps = [Counter(resps).most_common(1)[0][0]]
        elif name in ("lowercase", "uppercase", "remove_whitespace"):
            op = {"lowercase": str.lower, "uppercase": str.upper, "remove_whitespace": str.strip}[name]
            resps = [op(r) for r in resps]
        else:  # custom: lm-eval calls fn(resps of every doc, docs); here, one doc
            resps = next(iter(step["filter_fn"]([resps], [doc])))
    return resps[0] if isinstance(resps, list) else resps
