"""The Jinja sandbox task templates run in: lm-eval's environment, with sizes bounded.

Task files come from other people, so every template and ``doc_filter`` expression of a task
(:mod:`aimm_nlp.evaluation.templates`, :mod:`aimm_nlp.evaluation.data`) is compiled here.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["compile_template", "jinja_env"]

# Results above these sizes are refused, so a template cannot exhaust memory or time (`'a' * 10**10`).
_MAX_REPEAT = 10_000_000
_MAX_POWER_BITS = 4096
_SIZING_FILTERS = ("center", "indent", "wordwrap", "batch", "slice")  # output size set by an argument


def _sandbox() -> Any:
    """The class of :func:`jinja_env`: jinja2's immutable sandbox, with bounded ``*`` and ``**``."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class TaskSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                if right * abs(left).bit_length() > _MAX_POWER_BITS:
                    raise SecurityError(f"{left} ** {right} is too large for a template")
            if operator == "*":
                seq, n = (left, right) if isinstance(right, int) else (right, left)
                if (
                    isinstance(seq, (str, bytes, list, tuple))
                    and isinstance(n, int)
                    and len(seq) * n > _MAX_REPEAT
                ):
                    raise SecurityError(f"repeating a sequence {n} times is too large for a template")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _check_sizes(__obj, args, kwargs)  # text.ljust(10**9), lipsum(n=10**7)
            return super().call(__context, __obj, *args, **kwargs)

    return TaskSandbox


def _check_sizes(what: Any, args: Any, kwargs: Any) -> None:
    """Refuse a call or filter given an integer beyond :data:`_MAX_REPEAT` (a width, a count)."""
    from jinja2.exceptions import SecurityError

    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_REPEAT:
            name = getattr(what, "__name__", type(what).__name__)
            raise SecurityError(f"{name}() with {value} is too large for a template")


def _bounded(fn: Any) -> Any:
    """A filter that refuses huge integer arguments (``text | center(10**9)``)."""

    @functools.wraps(fn)  # keeps jinja's pass_context / pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_sizes(fn, args[1:], kwargs)
        return fn(*args, **kwargs)

    return guarded


@functools.lru_cache(maxsize=1)
def jinja_env() -> Any:
    """lm-eval's template environment (StrictUndefined, trailing newlines kept, ``regex_replace``), sandboxed.

    Task files come from other people, so templates run in ``jinja2.sandbox.ImmutableSandboxedEnvironment``:
    a template reads the doc's columns and calls filters and harmless methods (``text.strip()``), but
    attributes starting with ``_`` (``cycler.__init__.__globals__``), methods that change data, huge
    ``*`` / ``**`` results and calls or sizing filters given integers over 10 million
    (``text.ljust(10**9)``, ``text | center(10**9)``) raise ``jinja2.exceptions.SecurityError``
    instead of running.
    """
    import jinja2

    env = _sandbox()(loader=jinja2.BaseLoader(), undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    for name in _SIZING_FILTERS:
        env.filters[name] = _bounded(env.filters[name])
    env.filters["regex_replace"] = lambda s, pattern, repl, count=0: re.sub(pattern, repl, s, count=count)
    from aimm_nlp.text import dominant_script

    env.filters["dominant_script"] = lambda s: dominant_script(str(s))
    return env


@functools.lru_cache(maxsize=256)
def compile_template(template: str) -> Any:
    """Compiled once per template string (lm-eval recompiles it for every doc)."""
    return jinja_env().from_string(template)
