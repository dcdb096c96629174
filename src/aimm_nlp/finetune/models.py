"""Tokenizer and model building: a local checkpoint folder, or an architecture + size preset.

Everything is local: ``local_files_only=True`` always, so a missing folder is a clear
:class:`~aimm_nlp.errors.ModelError`, never a download. Weights are read from ``*.safetensors`` only
(``use_safetensors=True``): a folder with only ``pytorch_model.bin`` is refused, since unpickling can
run code; weights whose shapes differ from ``config.json`` are a ModelError naming the folder. A folder written by the ``tokenizers``
library alone (just ``tokenizer.json``) is accepted too, so tokenizers trained with
``aimm_nlp.tokenization`` or by hand work for from-scratch models.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError, ModelError

__all__ = ["build_model", "load_tokenizer"]

log = logging.getLogger(__name__)

# (hidden, layers, heads, feed-forward) per size preset; base = BERT-base / the 134M Llama anchor shape
SIZE_PRESETS = {"tiny": (128, 2, 4, 512), "small": (512, 6, 8, 2048), "base": (768, 12, 12, 3072)}
_SPECIAL_NAMES = {
    "pad_token": ["<pad>", "[PAD]", "<|pad|>"],
    "unk_token": ["<unk>", "[UNK]"],
    "bos_token": ["<s>", "<bos>", "[BOS]", "<|begin_of_text|>"],
    "eos_token": ["</s>", "<eos>", "[EOS]", "<|endoftext|>", "<|end_of_text|>"],
    "cls_token": ["[CLS]", "<cls>"],
    "sep_token": ["[SEP]", "<sep>"],
    "mask_token": ["[MASK]", "<mask>"],
}
_TASK_AUTO = {
    "sequence_classification": "AutoModelForSequenceClassification",
    "token_classification": "AutoModelForTokenClassification",
    "causal_lm": "AutoModelForCausalLM",
    "masked_lm": "AutoModelForMaskedLM",
    "seq2seq": "AutoModelForSeq2SeqLM",
}


def load_tokenizer(folder: str, *, trust_remote_code: bool = False):
    """Load a tokenizer from a local folder (or a ``tokenizer.json`` file); fill missing special tokens."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    p = Path(folder)
    if not p.exists():
        raise ModelError(
            f"tokenizer {folder}: no such folder (model.tokenizer / model.path); nothing is downloaded"
        )
    file = p if p.is_file() else p / "tokenizer.json"
    try:
        if p.is_dir() and (p / "tokenizer_config.json").exists():
            tok = AutoTokenizer.from_pretrained(
                str(p), local_files_only=True, trust_remote_code=trust_remote_code
            )
        elif file.is_file():
            tok = PreTrainedTokenizerFast(tokenizer_file=str(file))
        else:
            tok = AutoTokenizer.from_pretrained(
                str(p), local_files_only=True, trust_remote_code=trust_remote_code
            )
    except Exception as exc:  # the Rust tokenizers library raises a bare Exception on a malformed file
        raise ModelError(
            f"tokenizer {folder}: cannot load ({_first_line(exc)}); pass a folder saved by save_pretrained "
            "or a tokenizer.json"
        ) from None
    vocab = tok.get_vocab()
    for attr, names in _SPECIAL_NAMES.items():
        if getattr(tok, attr, None) is None:
            found = next((n for n in names if n in vocab), None)
            if found is not None:
                setattr(tok, attr, found)
    if tok.pad_token is None:  # causal LMs often ship without one; padding never reaches the loss
        tok.pad_token = tok.eos_token or tok.unk_token or next(iter(vocab))
    return tok


def _scratch_config(arch: str, size: str, tok, task: str, max_length: int, overrides: dict[str, Any]):
    from transformers import AutoConfig

    d, n_layers, heads, ff = SIZE_PRESETS[size]
    if arch == "llama" and size == "base":
        ff = 2048  # the 134M Llama shape of the speed anchors
    ids = {
        "vocab_size": len(tok),
        "pad_token_id": tok.pad_token_id,
        "bos_token_id": tok.bos_token_id if tok.bos_token_id is not None else tok.cls_token_id,
        "eos_token_id": tok.eos_token_id if tok.eos_token_id is not None else tok.sep_token_id,
    }
    positions = max(512, max_length + 2)
    if arch == "llama":
        kw = dict(
            hidden_size=d,
            num_hidden_layers=n_layers,
            num_attention_heads=heads,
            num_key_value_heads=heads,
            intermediate_size=ff,
            max_position_embeddings=positions,
            tie_word_embeddings=True,
        )
    elif arch in ("bert", "roberta"):
        kw = dict(
            hidden_size=d,
            num_hidden_layers=n_layers,
            num_attention_heads=heads,
            intermediate_size=ff,
            max_position_embeddings=positions + (2 if arch == "roberta" else 0),
        )
    elif arch == "t5":
        kw = dict(
            d_model=d,
            num_layers=n_layers,
            num_decoder_layers=n_layers,
            num_heads=heads,
            d_kv=d // heads,
            d_ff=ff,
            decoder_start_token_id=tok.pad_token_id,
        )
    else:  # bart
        kw = dict(
            d_model=d,
            encoder_layers=n_layers,
            decoder_layers=n_layers,
            encoder_attention_heads=heads,
            decoder_attention_heads=heads,
            encoder_ffn_dim=ff,
            decoder_ffn_dim=ff,
            max_position_embeddings=positions,
            decoder_start_token_id=ids["eos_token_id"],
        )
    kw.update(ids)
    kw.update(overrides)
    if arch == "llama" and "num_attention_heads" in overrides and "num_key_value_heads" not in overrides:
        kw["num_key_value_heads"] = overrides["num_attention_heads"]
    return AutoConfig.for_model(arch, **kw)


def build_model(cfg, tok, *, label_names: list[str]):
    """Build the model for ``cfg.task``; checks vocab sizes before any training starts."""
    import transformers

    m, task = cfg.model, cfg.task
    auto = getattr(transformers, _TASK_AUTO[task])
    label_kw: dict[str, Any] = {}
    if task in ("sequence_classification", "token_classification"):
        label_kw = dict(
            num_labels=len(label_names),
            id2label=dict(enumerate(label_names)),
            label2id={n: i for i, n in enumerate(label_names)},
        )
    if m.path is not None:
        path = Path(m.path)
        if not (path / "config.json").is_file():
            raise ModelError(
                f"model.path {m.path}: no such local checkpoint (config.json missing); nothing is downloaded. "
                "Pass a folder written by save_pretrained, or use model.architecture to start from scratch"
            )
        check_weights(path)
        try:
            config = transformers.AutoConfig.from_pretrained(
                str(path),
                local_files_only=True,
                trust_remote_code=m.trust_remote_code,
                **label_kw,
                **m.overrides,
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"model.path {m.path}: cannot read config.json ({exc})") from None
    else:
        config = _scratch_config(m.architecture, m.size, tok, task, cfg.data.max_length, m.overrides)
        for k, v in label_kw.items():
            setattr(config, k, v)
    vocab = getattr(config, "vocab_size", None) or getattr(
        getattr(config, "text_config", None), "vocab_size", None
    )
    if vocab is not None and len(tok) > vocab:
        raise ModelError(
            f"tokenizer/model vocab mismatch: the tokenizer has {len(tok)} tokens but the model embeds only {vocab}; "
            "use the tokenizer the model was trained with, or start from scratch with this tokenizer"
        )
    if getattr(config, "pad_token_id", "absent") is None and tok.pad_token_id is not None:
        # GPT-2/Llama checkpoints ship without one: classifiers need it to find each row's last token,
        # and load_tokenizer has already made the tokenizer's pad the eos token
        config.pad_token_id = tok.pad_token_id
    # "auto": transformers' own choice (sdpa where the architecture supports it, else eager: Gemma2)
    attn = None if m.attn_implementation == "auto" else m.attn_implementation
    try:
        if m.path is not None:
            model = auto.from_pretrained(
                m.path,
                config=config,
                local_files_only=True,
                use_safetensors=True,  # never unpickle: pytorch_model.bin can run code when loaded
                trust_remote_code=m.trust_remote_code,
                attn_implementation=attn,
            )
        else:
            model = auto.from_config(config, attn_implementation=attn)
    except ValueError as exc:
        if "Unrecognized configuration class" in str(exc):
            raise ConfigError(
                f"task {task!r} is not available for architecture {config.model_type!r}: {str(exc).splitlines()[0]}"
            ) from None
        where = f"model.path {m.path}: " if m.path is not None else ""
        raise ModelError(f"{where}cannot build the model: {_first_line(exc)}") from None
    except (RuntimeError, OSError) as exc:  # a weight shape that differs from config.json; a damaged file
        if m.path is None:
            raise
        detail = _shape_mismatch(Path(m.path), config, auto) or _first_line(exc)
        raise ModelError(
            f"model.path {m.path}: the weights do not match its config.json or cannot be read "
            f"({detail}); the folder's config.json and *.safetensors must come from the same "
            "save_pretrained call: copy or save the model again (model.overrides cannot change a trained shape)"
        ) from None
    if task == "seq2seq" and getattr(model.config, "decoder_start_token_id", None) is None:
        model.config.decoder_start_token_id = tok.pad_token_id
    if m.lora.enabled:
        model = _wrap_lora(model, m.lora, task)
    return model


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    mismatch = next((line for line in lines if "size mismatch" in line or "shape" in line), None)
    return (mismatch or (lines[0] if lines else type(exc).__name__))[:500]


def _shape_mismatch(folder: Path, config: Any, auto: Any) -> str | None:
    """The first weight whose shape in ``folder``'s safetensors differs from what ``config`` builds."""
    try:
        import torch
        from safetensors import safe_open

        with torch.device("meta"):
            expected = {k: tuple(v.shape) for k, v in auto.from_config(config).state_dict().items()}
        for file in sorted(folder.glob("*.safetensors")):
            with safe_open(str(file), framework="pt") as f:
                for key in f.keys():
                    shape = tuple(f.get_slice(key).get_shape())
                    if key in expected and expected[key] != shape:
                        return f"{key} is {list(shape)} in {file.name} but config.json gives {list(expected[key])}"
    except Exception:  # only a better message is lost
        return None
    return None


_PICKLES = ("*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl")


def check_weights(folder: Path) -> None:
    """Raise unless ``folder`` holds ``*.safetensors`` weights (aimm never unpickles model weights).

    Raises:
        ModelError: only pickle weights (``pytorch_model.bin``...), named with how to convert them;
            or no weights at all.
    """
    if any(folder.glob("*.safetensors")):
        return
    pickles = sorted(p.name for pattern in _PICKLES for p in folder.glob(pattern))
    if pickles:
        first = folder / pickles[0]
        raise ModelError(
            f"model.path {folder}: holds only pickle weights ({', '.join(pickles[:3])}), which can run code "
            "when loaded; aimm loads *.safetensors only. If you trust the file, convert it once (each "
            'file of a sharded checkpoint likewise): python -c "import torch, safetensors.torch as st; '
            f"sd = torch.load('{first}', weights_only=True); st.save_file({{k: v.clone().contiguous() for k, "
            f"v in sd.items()}}, '{folder / 'model.safetensors'}', metadata={{'format': 'pt'}})\""
        )
    raise ModelError(
        f"model.path {folder}: no weights (no *.safetensors file); pass a folder written by save_pretrained"
    )


# RoBERTa-style position ids start after the padding index: two positions are never used by tokens
_OFFSET_2 = {"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "data2vec-text", "longformer"}


def max_positions(model) -> int | None:
    """The model's longest input (``max_position_embeddings`` minus special offsets), or None
    (relative positions, as in T5/mT5)."""
    config = getattr(model, "config", None)
    n = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    if not isinstance(n, int):
        return None
    return n - 2 if config.model_type in _OFFSET_2 else n


def _has_conv1d(model) -> bool:
    """GPT-2-style models store linear weights transposed (transformers' ``Conv1D``): peft needs
    ``fan_in_fan_out`` for them."""
    from transformers.pytorch_utils import Conv1D

    return any(isinstance(module, Conv1D) for module in model.modules())


@contextlib.contextmanager
def _quiet_peft():
    """peft <= 0.21 reads transformers 5's deprecated ``is_gradient_checkpointing``: a FutureWarning
    the user can do nothing about."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


def _wrap_lora(model, lora, task: str):
    from aimm_nlp._deps import require

    require("peft", extra="peft")
    import peft

    task_type = {
        "sequence_classification": peft.TaskType.SEQ_CLS,
        "token_classification": peft.TaskType.TOKEN_CLS,
        "causal_lm": peft.TaskType.CAUSAL_LM,
        "masked_lm": None,
        "seq2seq": peft.TaskType.SEQ_2_SEQ_LM,
    }[task]
    conf = peft.LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        task_type=task_type,
        fan_in_fan_out=_has_conv1d(model),
    )
    try:
        with _quiet_peft():
            return peft.get_peft_model(model, conf)
    except ValueError as exc:
        raise ConfigError(
            f"model.lora: {exc}; set model.lora.target_modules, e.g. [q_proj, v_proj]"
        ) from None
