"""The numeric and precision options of :func:`~aimm_nlp.evaluation.evaluate` (and of ``aimm eval``): ranges,
choices and checks.

Every option is checked before any work, all errors listed at once; the device is parsed with torch
and looked up on this machine, so a bad one fails before a model loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimm_nlp.evaluation.schema import NUMERIC_KEYS

__all__ = [
    "DTYPES",
    "OPTION_RANGES",
    "SOFTMAX_DTYPES",
    "check_device",
    "check_options",
    "range_problem",
    "set_precision",
]

# The model dtypes (``dtype=`` / ``--dtype``; lm-eval's ``dtype=``): "auto" keeps the dtype the model was saved in.
DTYPES = ("auto", "float32", "bfloat16", "float16", "float64")
# The dtypes of a causal LM's log-softmax and log-likelihood sums (``softmax_dtype=`` / ``--softmax-dtype``).
SOFTMAX_DTYPES = ("float32", "float64")


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
    dtype: Any = "auto",
    softmax_dtype: Any = None,
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
    if dtype not in DTYPES:
        errors.append(f"dtype={dtype!r}: expected one of {', '.join(DTYPES)}")
    if softmax_dtype is not None and softmax_dtype not in SOFTMAX_DTYPES:
        errors.append(
            f"softmax_dtype={softmax_dtype!r}: expected one of {', '.join(SOFTMAX_DTYPES)} (or None)"
        )
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


def set_precision(backend: Any, *, dtype: str = "auto", softmax_dtype: str | None = None) -> None:
    """Cast a backend's torch model to ``dtype`` (``"auto"``: leave it) and set its ``softmax_dtype``
    (``None``: leave it); backends without a torch model (pipelines, baselines) are left as they are."""
    model = getattr(backend, "model", None)
    if dtype != "auto" and callable(getattr(model, "to", None)):
        import torch

        model.to(getattr(torch, dtype))
    if softmax_dtype is not None and hasattr(backend, "softmax_dtype"):
        backend.softmax_dtype = softmax_dtype
