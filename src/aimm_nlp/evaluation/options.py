"""The numeric options of :func:`~aimm_nlp.evaluation.evaluate` (and of ``aimm eval``): ranges and checks.

Every option is checked before any work, all errors listed at once; the device is parsed with torch
and looked up on this machine, so a bad one fails before a model loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimm_nlp.evaluation.schema import NUMERIC_KEYS

__all__ = ["OPTION_RANGES", "check_device", "check_options", "range_problem"]


# The documented range of each numeric option of :func:`evaluate` (and of `aimm eval`), inclusive.
OPTION_RANGES: dict[str, tuple[int, int]] = {
    "limit": (1, 10**9),
    "num_fewshot": NUMERIC_KEYS["num_fewshot"],  # the same range as a task's num_fewshot
    "seed": (0, 2**32 - 1),
    "bootstrap_iters": (0, 100_000),
    "batch_size": (1, 65_536),
}


def range_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid ``name`` (see :data:`OPTION_RANGES`), or ``None``."""
    low, high = OPTION_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"expected an integer in {low}..{high}, got {value!r}"
    return None


def check_options(
    *,
    limit: Any,
    num_fewshot: Any,
    bootstrap_iters: Any,
    seed: Any,
    data: Any,
    device: Any,
    batch_size: Any = "auto",
) -> None:
    """Reject bad option values (all at once), a missing data folder and an absent device, before any work."""
    from aimm_nlp.errors import ConfigError, InputFileError

    values = {"limit": limit, "num_fewshot": num_fewshot, "seed": seed, "bootstrap_iters": bootstrap_iters}
    if batch_size != "auto":
        values["batch_size"] = batch_size
    notes = {"limit": " (None evaluates every doc)", "bootstrap_iters": " (0: no intervals)"}
    errors = []
    for name, value in values.items():
        if value is None and name in ("limit", "num_fewshot"):
            continue
        problem = range_problem(name, value)
        if problem:
            errors.append(f"{name}={value!r}: {problem}{notes.get(name, '')}")
    if errors:
        raise ConfigError("invalid evaluation options (nothing was run):", errors=errors)
    if data is not None and not Path(data).is_dir():
        what = "is a file, not a folder" if Path(data).exists() else "no such folder"
        raise InputFileError(
            f"{data}: {what}; pass the folder that holds the suite's data files (what $AIMM_SHARED points to)",
            path=str(data),
        )
    if str(device) != "cpu":
        check_device(str(device))


def check_device(device: str) -> None:
    """Parse ``device`` with torch and check this machine has it, so a bad one fails before the model loads."""
    import torch

    from aimm_nlp.errors import ConfigError

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ConfigError(
            f"device {device!r} is not a torch device; use cpu, cuda, cuda:N, mps or xpu"
        ) from None
    if dev.type == "cpu":
        return
    backend = torch.backends.mps if dev.type == "mps" else getattr(torch, dev.type, None)
    if getattr(backend, "is_available", None) is None:
        raise ConfigError(
            f"device {device!r}: a model cannot run on {dev.type}; use cpu, cuda, cuda:N, mps or xpu"
        )
    if not backend.is_available():
        build = " (this torch is a CPU-only build)" if dev.type == "cuda" and not torch.version.cuda else ""
        raise ConfigError(
            f"device {device!r}: no {dev.type} device is available on this machine{build}; use cpu (--device cpu)"
        )
    count = backend.device_count() if hasattr(backend, "device_count") else 1
    if dev.index is not None and dev.index >= count:
        raise ConfigError(
            f"device {device!r}: this machine has {count} {dev.type} device(s), numbered 0 to {count - 1}"
        )
