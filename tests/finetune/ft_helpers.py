"""Tiny Darija/Arabizi/French/Tifinagh data, a 300-token tokenizer and config helpers for the tests."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

TWEETS = [
    ("الله يعطيك الصحة على هاد الخدمة الزوينة", "positive"),
    ("مزيان بزاف هاد الفيلم عجبني", "positive"),
    ("salam labas 3lik khouya, kolchi mzyan hamdoullah", "positive"),
    ("had lmakla bnina bzzaaaaf 😍", "positive"),
    ("merci bcp c'était top, wa3r had chi", "positive"),
    ("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ ⵉⵖⵓⴷⴰ ⵓⵔⴰⵔ", "positive"),
    ("هاد الشي خايب بزاف ما عجبنيش", "negative"),
    ("3yit mn had rwina, walo ma khdam", "negative"),
    ("c'est nul, ma3endhom ta ma y9olo", "negative"),
    ("الحكومة ما دارت والو للشعب", "negative"),
    ("khayb bzaaaaaf had service 😡", "negative"),
    ("ⵓⵔ ⵉⵖⵓⴷ ⵓⵍⴰ ⵢⴰⵏ", "negative"),
    ("غدا غادي نمشي للدار البيضاء", "neutral"),
    ("chkoun li ja lyoum l match?", "neutral"),
    ("le train part à 8h demain mn rabat", "neutral"),
    ("شنو سميتك؟", "neutral"),
    ("ⴰⴷ ⵏⴷⴷⵓ ⵙ ⵜⵎⴷⵉⵏⵜ", "neutral"),
    ("wach kayn chi jdid f lkhdma?", "neutral"),
]
PARALLEL = [
    ("I am going home", "أنا غادي للدار", "ⴷⴷⵓⵖ ⵙ ⵜⴰⴷⴷⴰⵔⵜ"),
    ("the weather is nice today", "الجو زوين اليوم", "ⵉⴼⵓⵍⴽⵉ ⵓⵏⵣⴰⵔ ⵖⴰⵙⵙⴰ"),
    ("where is the market", "فين كاين السوق", "ⵎⴰⵏⵉⴳ ⵉⵍⵍⴰ ⵓⵙⵡⵉⵇ"),
    ("thank you very much", "شكرا بزاف", "ⵜⴰⵏⵎⵎⵉⵔⵜ ⴰⵟⵟⴰⵚ"),
    ("I love my country", "كنبغي بلادي", "ⵔⵉⵖ ⵜⴰⵎⵓⵔⵜ ⵉⵏⵓ"),
    ("the child is sleeping", "الدري ناعس", "ⴰⵔⵔⴰⵡ ⵉⴳⵏ"),
]
TAGGED = [
    (["هاد", "الفيلم", "زوين", "بزاف"], ["DET", "NOUN", "ADJ", "ADV"]),
    (["كنبغي", "الدار", "ديالي"], ["V", "NOUN", "PREP"]),
    (["غادي", "نمشي", "للسوق", "😍"], ["PART", "V", "NOUN", "EMOT"]),
    (["الجو", "زوين", "اليوم"], ["NOUN", "ADJ", "NOUN"]),
    (["ما", "عجبنيش", "هاد", "الشي"], ["NEG_PART", "V", "DET", "NOUN"]),
    (["شكرا", "بزاف", "خويا"], ["NOUN", "ADV", "NOUN"]),
]
LABELS = ["negative", "neutral", "positive"]
TAGS = ["ADJ", "ADV", "DET", "EMOT", "NEG_PART", "NOUN", "PART", "PREP", "V"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>"]


def corpus_lines() -> list[str]:
    lines = [t for t, _ in TWEETS]
    for e, a, z in PARALLEL:
        lines += [e, a, z]
    lines += [" ".join(w) for w, _ in TAGGED]
    return lines


def build_tokenizer(folder: Path, *, vocab_size: int = 300, transformers_api: bool = True) -> Path:
    """Train a BPE tokenizer (HF tokenizers) and save it: save_pretrained, or tokenizer.json only."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False)
    tok.train_from_iterator(corpus_lines() * 3, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    folder.mkdir(parents=True, exist_ok=True)
    if transformers_api:
        from transformers import PreTrainedTokenizerFast

        fast = PreTrainedTokenizerFast(
            tokenizer_object=tok,
            pad_token="[PAD]",
            unk_token="[UNK]",
            cls_token="[CLS]",
            sep_token="[SEP]",
            mask_token="[MASK]",
            bos_token="<s>",
            eos_token="</s>",
        )
        fast.save_pretrained(str(folder))
    else:
        tok.save(str(folder / "tokenizer.json"))
    return folder


TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}
TINY_S2S = {"d_model": 32, "num_layers": 2, "num_decoder_layers": 2, "num_heads": 2, "d_kv": 16, "d_ff": 64}


def write_tsv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    lines = ["\t".join(header)] + ["\t".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def base_cfg(task: str, tok: Path, train: Path, out: Path, **extra) -> dict:
    """A from-scratch tiny config dict for ``task``."""
    arch = {"causal_lm": "llama", "seq2seq": "t5"}.get(task, "bert")
    over = TINY_S2S if arch == "t5" else dict(TINY)
    if arch == "bert":
        over = {**over, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
    if arch == "t5":
        over = {**over, "dropout_rate": 0.0}
    cfg = {
        "task": task,
        "model": {"architecture": arch, "tokenizer": str(tok), "overrides": over},
        "data": {"train": str(train), "max_length": 64, "max_tokens": 128},
        "optim": {"lr": 3e-3, "max_steps": 12, "warmup_steps": 0, "scheduler": "constant"},
        "run": {"output_dir": str(out), "log_every": 1, "seed": 0, "threads": 1, "precision": "fp32"},
    }
    for key, value in extra.items():
        section, _, name = key.partition("__")
        cfg[section][name] = value
    return cfg


def write_data_dir(d: Path) -> Path:
    """The shared training files in ``d``: tweets.tsv, text.txt, tags.jsonl, pairs.jsonl, sft.jsonl."""
    write_tsv(
        d / "tweets.tsv", ["ID", "tweet", "label"], [(f"t{i}", t, lab) for i, (t, lab) in enumerate(TWEETS)]
    )
    (d / "text.txt").write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    write_jsonl(d / "tags.jsonl", [{"words": w, "tags": t} for w, t in TAGGED])
    write_jsonl(d / "pairs.jsonl", [{"source": e, "target": a} for e, a, _ in PARALLEL])
    write_jsonl(d / "sft.jsonl", [{"prompt": f"translate: {e}", "response": a} for e, a, _ in PARALLEL])
    return d


# --- out-of-range numbers: (override, message), for the API and the CLI tests of issue 17

BAD_NUMBERS = [
    ("optim.lr=.nan", "optim.lr: must be in (0, 10], got nan"),
    ("optim.lr=.inf", "optim.lr: must be in (0, 10], got inf"),
    ("optim.lr=-.inf", "optim.lr: must be in (0, 10], got -inf"),
    ("optim.lr=nan", "optim.lr: must be in (0, 10], got nan"),
    ("optim.lr=0", "optim.lr: must be in (0, 10], got 0.0"),
    ("optim.lr=1e6", "optim.lr: must be in (0, 10], got 1000000.0"),
    ("optim.weight_decay=.nan", "optim.weight_decay: must be in [0, 10], got nan"),
    ("optim.weight_decay=-0.1", "optim.weight_decay: must be in [0, 10], got -0.1"),
    ("optim.eps=0", "optim.eps: must be in (0, 1], got 0.0"),
    ("optim.betas=[0.9, 1.5]", "optim.betas[1]: must be in [0, 1), got 1.5"),
    ("optim.betas=[.nan, 0.999]", "optim.betas[0]: must be in [0, 1), got nan"),
    ("optim.epochs=-1", "optim.epochs: must be in (0, 10**6], got -1.0"),
    ("optim.epochs=0", "optim.epochs: must be in (0, 10**6], got 0.0"),
    ("optim.epochs=.inf", "optim.epochs: must be in (0, 10**6], got inf"),
    ("optim.warmup_steps=-1", "optim.warmup_steps: must be in [0, 10**9], got -1"),
    ("optim.max_steps=0", "optim.max_steps: must be in [1, 10**9] or null, got 0"),
    ("optim.max_steps=1000000000000", "optim.max_steps: must be in [1, 10**9] or null, got 1000000000000"),
    ("optim.grad_accum=0", "optim.grad_accum: must be in [1, 65536], got 0"),
    ("optim.max_grad_norm=-1", "optim.max_grad_norm: must be in (0, 10**6] or null, got -1.0"),
    ("optim.max_grad_norm=.nan", "optim.max_grad_norm: must be in (0, 10**6] or null, got nan"),
    ("data.limit=-5", "data.limit: must be in [1, 10**9] or null, got -5"),
    ("data.limit=0", "data.limit: must be in [1, 10**9] or null, got 0"),
    ("data.max_length=1", "data.max_length: must be in [2, 2**20], got 1"),
    ("data.max_length=10000000", "data.max_length: must be in [2, 2**20], got 10000000"),
    ("data.max_tokens=100000000", "data.max_tokens: must be in [2, 2**24], got 100000000"),
    ("data.mlm_probability=1.0", "data.mlm_probability: must be in (0, 0.99], got 1.0"),
    ("data.mlm_probability=.nan", "data.mlm_probability: must be in (0, 0.99], got nan"),
    ("run.threads=-4", "run.threads: must be in [1, 1024] or null, got -4"),
    ("run.threads=0", "run.threads: must be in [1, 1024] or null, got 0"),
    ("run.threads=100000", "run.threads: must be in [1, 1024] or null, got 100000"),
    ("run.keep_checkpoints=-1", "run.keep_checkpoints: must be in [0, 10**6], got -1"),
    ("run.eval_every=-1", "run.eval_every: must be in [0, 10**9], got -1"),
    ("run.save_every=-10", "run.save_every: must be in [0, 10**9], got -10"),
    ("run.log_every=0", "run.log_every: must be in [1, 10**9], got 0"),
    ("run.early_stopping_patience=0", "run.early_stopping_patience: must be in [1, 10**6], got 0"),
    ("run.seed=-1", "run.seed: must be in [0, 2**32 - 1], got -1"),
    ("run.seed=4294967296", "run.seed: must be in [0, 2**32 - 1], got 4294967296"),
    ("model.lora.r=0", "model.lora.r: must be in [1, 4096], got 0"),
    ("model.lora.alpha=-16", "model.lora.alpha: must be in [1, 65536], got -16"),
    ("model.lora.dropout=1.5", "model.lora.dropout: must be in [0, 0.99], got 1.5"),
]


def write_model_dirs(root: Path) -> Path:
    """Model folders under ``root``: safetensors (good), pickle (pytorch_model.bin only), mismatch
    (config.json disagrees with the weights), empty (no weights)."""
    import torch
    import transformers

    model = transformers.BertForMaskedLM(transformers.BertConfig(vocab_size=300, **TINY))
    model.save_pretrained(root / "safetensors")
    (root / "pickle").mkdir()
    shutil.copy(root / "safetensors" / "config.json", root / "pickle")
    torch.save(model.state_dict(), root / "pickle" / "pytorch_model.bin")
    shutil.copytree(root / "safetensors", root / "mismatch")
    config = json.loads((root / "mismatch" / "config.json").read_text())
    (root / "mismatch" / "config.json").write_text(json.dumps({**config, "hidden_size": 64}))
    (root / "empty").mkdir()
    shutil.copy(root / "safetensors" / "config.json", root / "empty")
    return root


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for torch.distributed's master)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun_finetune(cfg_file: Path, nproc: int = 2) -> list[str]:
    """The argv of ``aimm finetune cfg_file --quiet`` under ``torch.distributed.run`` on ``nproc`` local ranks."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={nproc}",
        "--master_addr=127.0.0.1",
        f"--master_port={free_port()}",
        "-m",
        "aimm_nlp",
        "finetune",
        str(cfg_file),
        "--quiet",
    ]
