"""Progress with an ETA on stderr for long runs (``aimm finetune`` steps, ``aimm eval`` items).

On a terminal it is a tqdm bar. When stderr is not a terminal (CI logs, ``2> file``, a notebook's
captured stream), carriage-return redraws would make one unreadable line, so it writes a plain line
instead: after the first unit (the first ETA), then at most every ``AIMM_PROGRESS_INTERVAL`` seconds
(default 30), and at the end. Either way the text is tqdm's meter, e.g.
``eval ary_sentiment:  40%|... | 120/300 [00:10<00:15, 12.00 item/s]``; stdout (results) is never
touched. :func:`quiet` turns it off for a block (``--quiet`` on the command line).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["Progress", "quiet", "track"]

T = TypeVar("T")

_ENABLED: ContextVar[bool] = ContextVar("aimm_progress", default=True)


@contextlib.contextmanager
def quiet(flag: bool = True) -> Iterator[None]:
    """No progress output inside the block when ``flag`` is true (``--quiet``)."""
    token = _ENABLED.set(not flag and _ENABLED.get())
    try:
        yield
    finally:
        _ENABLED.reset(token)


def _interval() -> float:
    try:
        return max(0.0, float(os.environ.get("AIMM_PROGRESS_INTERVAL", "30")))
    except ValueError:
        return 30.0


class Progress:
    """``total`` units starting at ``initial``; :meth:`update` after each, :meth:`close` at the end.

    Examples:
        >>> with quiet():
        ...     bar = Progress(total=3, desc="finetune", unit="step")
        ...     bar.update(loss=0.5)
        ...     bar.close()
    """

    def __init__(self, *, total: int, desc: str, unit: str, initial: int = 0) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self.initial = initial
        self.postfix: dict[str, Any] = {}
        self.enabled = _ENABLED.get() and total > initial
        self.bar = None
        self.start = self.last = time.monotonic()
        self.tty = self.enabled and _isatty(sys.stderr)
        if self.tty:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr,
                            dynamic_ncols=True, leave=True)  # fmt: skip

    def update(self, n: int = 1, **postfix: Any) -> None:
        """Count ``n`` more units; ``postfix`` (e.g. ``loss=2.31``) is shown beside the meter."""
        if not self.enabled:
            return
        self.n += n
        if postfix:
            self.postfix.update(postfix)
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(self.postfix, refresh=False)
            self.bar.update(n)
            return
        now = time.monotonic()
        if self.n - n == self.initial or now - self.last >= _interval():
            self._line(now)

    def close(self) -> None:
        if not self.enabled:
            return
        self.enabled = False
        if self.bar is not None:
            self.bar.close()
        elif self.n > self.initial:
            self._line(time.monotonic())

    def _line(self, now: float) -> None:
        from tqdm import tqdm

        self.last = now
        post = ", ".join(f"{k}={_fmt(v)}" for k, v in self.postfix.items())
        meter = tqdm.format_meter(self.n - self.initial, self.total - self.initial, now - self.start,
                                  prefix=self.desc, unit=self.unit, postfix=post or None, ncols=0)  # fmt: skip
        done = f" ({self.n}/{self.total})" if self.initial else ""
        print(meter + done, file=sys.stderr, flush=True)


def track(items: Iterable[T], *, total: int, desc: str, unit: str = "item") -> Iterator[T]:
    """Yield ``items``, counting each on a :class:`Progress` (closed when the loop ends or breaks)."""
    bar = Progress(total=total, desc=desc, unit=unit)
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
