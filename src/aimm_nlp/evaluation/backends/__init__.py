"""Model backends: load a local HF folder (or wrap an in-memory model) by its kind.

Kinds: ``causal_lm``, ``seq2seq``, ``encoder_classifier``, ``token_classifier`` and
``dummy``. Folders are read with ``use_safetensors=True`` and no remote code unless the
user passes ``trust_remote_code=True``; nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

from aimm_nlp._io import file_sha256
from aimm_nlp._registry import Registry
from aimm_nlp.errors import ModelError
from aimm_nlp.evaluation.backends.base import (  # re-exported: what the harness asks of a model
    Backend,
    ChoiceScorer,
    Classifier,
    Generator,
    RollingScorer,
    Tagger,
)

__all__ = [
    "KINDS",
    "Backend",
    "ChoiceScorer",
    "Classifier",
    "Generator",
    "RollingScorer",
    "Tagger",
    "fingerprint",
    "load_model",
    "wrap_model",
]

_SUFFIX_KIND = {
    "ForCausalLM": "causal_lm",
    "LMHeadModel": "causal_lm",
    "ForSequenceClassification": "encoder_classifier",
    "ForTokenClassification": "token_classifier",
    "ForConditionalGeneration": "seq2seq",
    "ForSeq2SeqLM": "seq2seq",
}


# backend kind -> the backend class that wraps a transformers model of that kind (imported on first use)
KINDS = Registry("backend kind")
KINDS.register("causal_lm", "aimm_nlp.evaluation.backends.causal:CausalLM")
KINDS.register("encoder_classifier", "aimm_nlp.evaluation.backends.encoders:EncoderClassifier")
KINDS.register("token_classifier", "aimm_nlp.evaluation.backends.encoders:TokenClassifier")
KINDS.register("seq2seq", "aimm_nlp.evaluation.backends.encoders:Seq2SeqLM")
# backend kind -> the transformers Auto class that loads a folder of that kind
_AUTO_CLASS = {
    "causal_lm": "AutoModelForCausalLM",
    "encoder_classifier": "AutoModelForSequenceClassification",
    "token_classifier": "AutoModelForTokenClassification",
    "seq2seq": "AutoModelForSeq2SeqLM",
}


def _kind_of(arch: str) -> str | None:
    return next((k for suffix, k in _SUFFIX_KIND.items() if arch.endswith(suffix)), None)


def _folder_digests(folder: str | os.PathLike[str]) -> dict[str, str]:
    """``{file name: sha256 of its bytes}`` for every regular file of a model folder (not its subfolders).

    Each digest is what ``sha256sum FILE`` prints, so anyone can check a results file's provenance;
    every file counts (``config.json``, ``generation_config.json``, weights, tokenizer files...), since
    transformers may read any of them and any of them can change a score.
    """
    return {p.name: file_sha256(p) for p in sorted(Path(folder).iterdir()) if p.is_file()}


def _digest_of(parts: Any) -> str:
    """sha256 of the canonical JSON of ``parts``: one fingerprint for a dict of digests and settings."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def fingerprint(model: Any, tokenizer: Any = None) -> dict[str, str]:
    """sha256 of an in-memory model: its weights (tensor bytes in name order), its config and generation
    config (``config_sha256``), and its tokenizer (vocabulary, special tokens, settings)."""
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    configs = [model.config.to_json_string(use_diff=False)]
    generation = getattr(model, "generation_config", None)
    if generation is not None:
        configs.append(generation.to_json_string(use_diff=False))
    tok = hashlib.sha256()
    if tokenizer is not None:
        tok.update(json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False).encode())
        tok.update(
            json.dumps(getattr(tokenizer, "special_tokens_map", {}), default=str, sort_keys=True).encode()
        )
    return {
        "weights_sha256": h.hexdigest(),
        "config_sha256": hashlib.sha256("\n".join(configs).encode()).hexdigest(),
        "tokenizer_sha256": tok.hexdigest(),
    }


def wrap_model(model: Any, tokenizer: Any, **kwargs: Any) -> Any:
    """Wrap an in-memory ``transformers`` model + tokenizer in the backend of its kind."""
    arch = type(model).__name__
    kind = _kind_of(arch)
    if kind is None:
        raise ModelError(
            f"cannot evaluate a {arch}: expected a *ForCausalLM, *ForSequenceClassification, "
            "*ForTokenClassification or seq2seq model"
        )
    backend = KINDS.get(kind)(model, tokenizer, **kwargs)
    backend.provenance = fingerprint(model, tokenizer)
    backend.fingerprint = _digest_of(backend.provenance)
    return backend


def load_model(path: str | os.PathLike[str], *, device: str = "cpu", trust_remote_code: bool = False) -> Any:
    """Load a local model folder (config.json + safetensors + tokenizer) as a backend.

    A fine-tuning run folder is read from its ``model/`` subfolder. A peft LoRA adapter folder
    (``adapter_config.json`` + ``adapter_model.safetensors``, as ``aimm finetune`` saves with
    ``lora.merge: false``) needs the ``peft`` extra: its base model (``base_model_name_or_path``, a
    local folder) is loaded and the adapter merged into it.

    Raises:
        ModelError: not a folder, no config.json, no safetensors weights, an architecture
            aimm cannot evaluate, or an adapter whose base model is not a local folder.
    """
    folder = Path(path)
    for sub in ("model", "final"):  # fine-tuning run folders keep the model one level down
        if not _is_model(folder) and _is_model(folder / sub):
            folder = folder / sub
    if (folder / _ADAPTER).is_file() and not (folder / "config.json").is_file():
        return _load_adapter(folder, device=device, trust_remote_code=trust_remote_code)
    if not folder.is_dir() or not (folder / "config.json").is_file():
        raise ModelError(f"{path}: not a model folder (no config.json); pass a local HF model directory")
    weights = sorted(folder.glob("*.safetensors"))
    if not weights:
        raise ModelError(f"{folder}: no *.safetensors weights (aimm loads safetensors only, never pickles)")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    arch = (config.get("architectures") or [""])[0]
    kind = _kind_of(arch)
    if kind is None:
        raise ModelError(f"{folder}: architecture {arch!r} is not a causal LM, classifier or seq2seq model")
    import transformers

    auto = getattr(transformers, _AUTO_CLASS[kind])
    kw = {"use_safetensors": True, "trust_remote_code": trust_remote_code, "local_files_only": True}
    model = auto.from_pretrained(folder, **kw).to(device)
    tokenizer = transformers.AutoTokenizer.from_pretrained(
        folder, trust_remote_code=trust_remote_code, local_files_only=True
    )
    backend = wrap_model(model, tokenizer)
    # every file of the folder, by content: config.json and generation_config.json change scores too
    files = _folder_digests(folder)
    backend.provenance = {"model_path": str(folder.resolve()), "files_sha256": files}
    backend.fingerprint = _digest_of(files)
    return backend


_ADAPTER = "adapter_config.json"  # a peft (LoRA) adapter folder: fine-tuning with lora.merge: false


def _is_model(folder: Path) -> bool:
    return (folder / "config.json").is_file() or (folder / _ADAPTER).is_file()


def _load_adapter(folder: Path, *, device: str, trust_remote_code: bool) -> Any:
    """A peft adapter folder: its base model (``base_model_name_or_path``: absolute, or relative to the
    adapter folder, else to the working directory) loaded with the adapter merged in."""
    from aimm_nlp._deps import require

    require("peft", extra="peft")
    import peft

    try:
        base_ref = json.loads((folder / _ADAPTER).read_text(encoding="utf-8"))["base_model_name_or_path"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{folder / _ADAPTER}: cannot read base_model_name_or_path ({exc})") from None
    if not isinstance(base_ref, str) or not base_ref:
        raise ModelError(f"{folder / _ADAPTER}: no base_model_name_or_path: the adapter's base is unknown")
    base = Path(base_ref) if Path(base_ref).is_absolute() else folder / base_ref
    if not (base / "config.json").is_file() and (Path(base_ref) / "config.json").is_file():
        base = Path(base_ref)
    if not (base / "config.json").is_file():
        raise ModelError(
            f"{folder}: a LoRA adapter whose base model {base_ref!r} is not a local model folder "
            f"(no config.json); nothing is downloaded: set base_model_name_or_path in {folder / _ADAPTER} "
            "to the base model's folder, or save the run with lora.merge: true"
        )
    if not any(folder.glob("adapter_model.safetensors")):
        raise ModelError(
            f"{folder}: no adapter_model.safetensors (aimm loads safetensors only, never pickles)"
        )
    base_backend = load_model(base, device=device, trust_remote_code=trust_remote_code)
    with (
        warnings.catch_warnings()
    ):  # peft <= 0.21 reads transformers 5's deprecated is_gradient_checkpointing
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
        model = peft.PeftModel.from_pretrained(base_backend.model, str(folder), local_files_only=True)
    model = model.merge_and_unload().to(device).eval()
    import transformers

    tok_dir = folder if (folder / "tokenizer_config.json").is_file() else base
    tokenizer = transformers.AutoTokenizer.from_pretrained(
        tok_dir, trust_remote_code=trust_remote_code, local_files_only=True
    )
    backend = wrap_model(model, tokenizer)
    files = {"adapter": _folder_digests(folder), "base": base_backend.provenance["files_sha256"]}
    backend.provenance = {
        "model_path": str(folder.resolve()),
        "base_model_path": str(base.resolve()),
        "files_sha256": files,
    }
    backend.fingerprint = _digest_of(files)
    return backend
