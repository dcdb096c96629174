"""What ``evaluate(model, ...)`` accepts as a model, turned into a :class:`Backend`.

A backend is used as is; a folder is loaded (unreadable weights, config or tokenizer files become
:class:`~aimm_nlp.errors.ModelError` naming the file and the fix); an in-memory ``transformers``
model is wrapped with its tokenizer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aimm_nlp.evaluation.backends.base import Backend

__all__ = ["as_backend"]


def _load_folder(model: str | os.PathLike[str], device: str) -> Backend:
    """:func:`load_model`, with unreadable weights, config or tokenizer files turned into ``ModelError``."""
    from aimm_nlp.errors import AimmError, ModelError
    from aimm_nlp.evaluation.backends import load_model

    try:
        from safetensors import SafetensorError
    except ImportError:  # older safetensors
        from safetensors._safetensors_rust import SafetensorError

    try:
        return load_model(model, device=device)
    except AimmError:
        raise
    except SafetensorError as exc:
        from safetensors import safe_open

        bad = []
        for sub in ("", "model", "final"):
            for f in sorted((Path(model) / sub).glob("*.safetensors")):
                try:
                    with safe_open(str(f), framework="pt"):
                        pass
                except SafetensorError:
                    bad.append(str(f))
        where = ", ".join(bad) or f"the *.safetensors files of {model}"
        raise ModelError(
            f"{where}: cannot read the weights ({exc}); the file is truncated or corrupt: "
            "copy or save the model again"
        ) from None
    except RuntimeError as exc:  # transformers: tensor shapes differ from what config.json describes
        if "mismatch" not in str(exc):
            raise
        raise ModelError(
            f"{model}: config.json does not match the weights{_shape_hint(Path(model))}: the config.json was "
            "edited or belongs to another model; restore the config.json saved with these weights "
            "(or save the model again)"
        ) from None
    # OSError/ValueError: config.json that is not JSON or UTF-8, tokenizer files transformers cannot read
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{model}: cannot load the model ({exc}); check the folder's config and tokenizer files"
        ) from None


def _shape_hint(folder: Path) -> str:
    """`` (config.json says hidden_size=64, the weights are 32 wide: ...)`` when that is the mismatch, else ``""``."""
    import json

    from safetensors import safe_open

    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        size_key = next(k for k in ("hidden_size", "d_model", "n_embd", "dim") if isinstance(cfg.get(k), int))
        for f in sorted(folder.glob("*.safetensors")):
            with safe_open(str(f), framework="pt") as st:
                for name in st.keys():
                    if "embed" in name and "position" not in name:
                        shape = st.get_slice(name).get_shape()
                        if shape and shape[-1] != cfg[size_key]:
                            return (
                                f" (config.json says {size_key}={cfg[size_key]}, the weights are {shape[-1]} "
                                f"wide: {name} {list(shape)} in {f.name})"
                            )
                        return ""
    except Exception:  # only a hint: the error names the folder and the fix without it
        return ""
    return ""


def as_backend(model: Any, tokenizer: Any, device: str) -> Backend | None:
    """``model`` as a backend: ``None`` and backends as they are, a folder loaded, a ``transformers`` model wrapped."""
    if model is None or isinstance(model, Backend):
        return model
    if isinstance(model, (str, os.PathLike)):
        return _load_folder(model, device)
    from aimm_nlp.evaluation.backends import wrap_model

    return wrap_model(model, tokenizer)
