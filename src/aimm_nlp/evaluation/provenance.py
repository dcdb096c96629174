"""The provenance of an evaluation run: model files and settings, data hashes, package versions, machine."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Any

from aimm_nlp.evaluation.backends.base import Backend
from aimm_nlp.evaluation.schema import Task

__all__ = ["model_provenance", "model_settings", "run_provenance"]


@functools.lru_cache(maxsize=1)
def _package_versions() -> tuple[tuple[str, str | None], ...]:
    from importlib import metadata

    versions: list[tuple[str, str | None]] = []
    for pkg in ("aimm-nlp", "torch", "transformers", "tokenizers", "sacrebleu", "seqeval", "numpy"):
        try:
            versions.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            versions.append((pkg, None))
    return tuple(versions)


def model_settings(backend: Backend | None) -> dict[str, Any]:
    """The settings that move a score, beside the model's files: part of the cache key and the provenance."""
    settings = {k: getattr(backend, k, None) for k in ("max_length", "softmax_dtype")}
    params = getattr(getattr(backend, "model", None), "parameters", None)
    first = next(iter(params()), None) if callable(params) else None
    if first is not None:  # a torch model: its dtype and device class (cpu, cuda...) move the logits
        settings["dtype"] = str(first.dtype).removeprefix("torch.")
        settings["device_type"] = first.device.type
    return settings


def model_provenance(backend: Backend | None) -> dict[str, Any]:
    prov = dict(getattr(backend, "provenance", {}) or {"fingerprint": getattr(backend, "fingerprint", None)})
    return {**prov, **{k: v for k, v in model_settings(backend).items() if v is not None}}


def run_provenance(
    backend: Backend | None, tasks: Sequence[Task], *, batch_size: Any, seed: int, device: str
) -> dict[str, Any]:
    import platform

    from aimm_nlp._io import file_sha256
    from aimm_nlp._machine import run_context

    return {
        "model": model_provenance(backend),
        "model_kind": backend.kind if backend is not None else None,
        "data_sha256": {t.name: file_sha256(t.data_file()) for t in tasks},
        "prompt_template_sha256": {t.name: t.config_hash for t in tasks},
        "packages": dict(_package_versions()),
        "python": platform.python_version(),
        "seed": seed,
        "batch_size": batch_size,
        "device": device,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **run_context(),  # command line and machine
    }
