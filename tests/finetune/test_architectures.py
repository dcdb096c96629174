"""The architecture matrix: tiny random models of the common families (built from their configs, no
download) x the tasks each supports, fine-tuned a few steps with default options, saved, reloaded with
transformers and evaluated with ``aimm eval``.

Every family has a default-options case in the normal run; the other task cases are marked slow.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
import torch
from ft_helpers import build_tokenizer, write_data_dir, write_jsonl

from aimm_nlp._paths import mini_root
from aimm_nlp.cli import main
from aimm_nlp.finetune import FinetuneConfig, finetune

SFT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<s>{% endif %}"
)
DEC = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1}


def _config(family: str, tok):
    """A tiny config of ``family``; decoders get 128 positions (so model_max_length is checked)."""
    import transformers as T

    v, ids = len(tok), {"pad_token_id": tok.pad_token_id, "bos_token_id": tok.bos_token_id,
                        "eos_token_id": tok.eos_token_id}  # fmt: skip
    dec = dict(DEC, vocab_size=v, intermediate_size=64, max_position_embeddings=128, **ids)
    enc = dict(vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    s2s = dict(vocab_size=v, d_model=32, encoder_attention_heads=2, decoder_attention_heads=2, **ids)
    return {
        "bert": lambda: T.BertConfig(**enc, max_position_embeddings=128, pad_token_id=tok.pad_token_id),
        "xlm-roberta": lambda: T.XLMRobertaConfig(**enc, max_position_embeddings=130, **ids),
        # as the real GPT-2: no pad token anywhere (config nor tokenizer)
        "gpt2": lambda: T.GPT2Config(
            vocab_size=v,
            n_embd=32,
            n_layer=2,
            n_head=2,
            n_positions=128,
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
        ),
        "llama": lambda: T.LlamaConfig(**dec),
        "qwen2": lambda: T.Qwen2Config(**dec),
        "gemma2": lambda: T.Gemma2Config(**dec, head_dim=16),
        "mistral": lambda: T.MistralConfig(**dec),
        "mt5": lambda: T.MT5Config(
            vocab_size=v,
            d_model=32,
            d_kv=16,
            d_ff=64,
            num_layers=2,
            num_heads=2,
            decoder_start_token_id=tok.pad_token_id,
            **ids,
        ),
        "m2m100": lambda: T.M2M100Config(
            **{k: x for k, x in s2s.items() if k != "d_model"},
            d_model=32,
            encoder_layers=2,
            decoder_layers=2,
            encoder_ffn_dim=64,
            decoder_ffn_dim=64,
            max_position_embeddings=128,
            decoder_start_token_id=tok.eos_token_id,
        ),
    }[family]()


KIND = {"bert": "enc", "xlm-roberta": "enc", "mt5": "s2s", "m2m100": "s2s"}  # the rest: decoders
BUILD_AUTO = {"enc": "AutoModelForMaskedLM", "dec": "AutoModelForCausalLM", "s2s": "AutoModelForSeq2SeqLM"}
TASK_AUTO = {
    "sequence_classification": "AutoModelForSequenceClassification",
    "token_classification": "AutoModelForTokenClassification",
    "masked_lm": "AutoModelForMaskedLM",
    "causal_lm": "AutoModelForCausalLM",
    "sft": "AutoModelForCausalLM",
    "lora": "AutoModelForCausalLM",
    "seq2seq": "AutoModelForSeq2SeqLM",
}
EVAL_TASK = {  # what `aimm eval` runs on the saved model (masked_lm: no aimm eval backend)
    "sequence_classification": "mini_ary_sentiment",
    "token_classification": "mini_pos",
    "causal_lm": "mini_ary_Arab_bpb",
    "sft": "mini_ary_Arab_bpb",
    "lora": "mini_ary_Arab_bpb",
    "seq2seq": "mini_translation_eng_ary",
}
NORMAL = [  # one default-options case per family in the normal run
    ("bert", "sequence_classification"),
    ("xlm-roberta", "token_classification"),
    ("gpt2", "sequence_classification"),
    ("llama", "sft"),
    ("qwen2", "causal_lm"),
    ("gemma2", "causal_lm"),
    ("mistral", "lora"),
    ("mt5", "seq2seq"),
    ("m2m100", "seq2seq"),
]
TASKS = {
    "enc": ["sequence_classification", "token_classification", "masked_lm"],
    "dec": ["sequence_classification", "causal_lm", "sft", "lora"],
    "s2s": ["seq2seq"],
}
FAMILIES = ["bert", "xlm-roberta", "gpt2", "llama", "qwen2", "gemma2", "mistral", "mt5", "m2m100"]
SLOW = [(f, t) for f in FAMILIES for t in TASKS[KIND.get(f, "dec")] if (f, t) not in NORMAL]
MATRIX = [pytest.param(f, t, id=f"{f}-{t}") for f, t in NORMAL] + [
    pytest.param(f, t, id=f"{f}-{t}", marks=pytest.mark.slow) for f, t in SLOW
]


@pytest.fixture(scope="module")
def arch_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("arch")
    build_tokenizer(root / "tok")
    (root / "data").mkdir()
    write_data_dir(root / "data")
    with open(mini_root() / "pos.tsv", encoding="utf-8", newline="") as fh:  # real Darija UPOS rows
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[:30]
    write_jsonl(root / "data" / "pos.jsonl", [{"words": r["tokens"].split(), "tags": r["tags"].split()} for r in rows])  # fmt: skip
    return root


def _base_model(root: Path, family: str) -> Path:
    """Save a seeded random ``family`` model and the shared tokenizer (GPT-2: without a pad token)."""
    import transformers

    folder = root / "models" / family
    if (folder / "config.json").is_file():
        return folder
    tok = transformers.AutoTokenizer.from_pretrained(root / "tok")
    torch.manual_seed(0)
    auto = getattr(transformers, BUILD_AUTO[KIND.get(family, "dec")])
    auto.from_config(_config(family, tok)).save_pretrained(folder)
    if family == "gpt2":
        tok.pad_token = None
    tok.save_pretrained(folder)
    return folder


def _run_config(root: Path, family: str, task: str, out: Path) -> dict:
    data = root / "data"
    files = {
        "sequence_classification": ("tweets.tsv", {"text_column": "tweet", "labels": "auto"}),
        "token_classification": ("pos.jsonl", {"label_column": "tags", "labels": "auto"}),
        "masked_lm": ("text.txt", {}),
        "causal_lm": ("text.txt", {}),
        "lora": ("text.txt", {}),
        "sft": ("sft.jsonl", {"prompt_column": "prompt", "chat_template": SFT_TEMPLATE}),
        "seq2seq": ("pairs.jsonl", {}),
    }
    train, data_opts = files[task]
    model: dict = {"path": str(_base_model(root, family))}
    if task == "lora":
        model["lora"] = {"enabled": True, "merge": False}
    return {
        "task": {"sft": "causal_lm", "lora": "causal_lm"}.get(task, task),
        "model": model,
        "data": {"train": str(data / train), **data_opts},
        "optim": {"max_steps": 3},
        "run": {"output_dir": str(out), "threads": 1},
    }


@pytest.mark.parametrize(("family", "task"), MATRIX)
def test_architecture_finetunes_reloads_and_evaluates(family, task, arch_root, tmp_path, capsys):
    import transformers

    res = finetune(FinetuneConfig.from_dict(_run_config(arch_root, family, task, tmp_path / "run")))
    assert res.steps == 3 and res.final_loss is not None and res.final_loss == res.final_loss  # not NaN
    model_dir = res.model_dir
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    if task == "lora":  # lora.merge: false: a peft adapter whose base path is absolute
        adapter = json.loads((model_dir / "adapter_config.json").read_text(encoding="utf-8"))
        assert Path(adapter["base_model_name_or_path"]).is_absolute()
        import warnings

        import peft

        with warnings.catch_warnings():  # peft 0.21 reads a property transformers 5 deprecates
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
            model = peft.AutoPeftModelForCausalLM.from_pretrained(model_dir)
    else:
        model = getattr(transformers, TASK_AUTO[task]).from_pretrained(model_dir)
    positions = getattr(model.config, "max_position_embeddings", None) or getattr(
        model.config, "n_positions", None
    )
    if positions is not None and KIND.get(family) != "s2s":  # M2M100's sinusoidal positions grow
        offset = 2 if family == "xlm-roberta" else 0
        assert tok.model_max_length == positions - offset
        enc = tok(["ⴰⵣⵓⵍ salam " * 200, "واش"], truncation=True, padding=True, return_tensors="pt")
        assert enc["input_ids"].shape[1] == positions - offset
        if task == "sequence_classification":  # a padded batch of 2: needs the pad token (GPT-2)
            with torch.no_grad():
                assert model(**enc).logits.shape == (2, 3)
    if task not in EVAL_TASK:
        return
    out = tmp_path / "eval.json"
    argv = ["eval", "--model", str(res.output_dir), "--tasks", EVAL_TASK[task], "--limit", "3",
            "--bootstrap-iters", "0", "--no-cache", "--output", str(out)]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    results = json.loads(out.read_text(encoding="utf-8"))["results"][EVAL_TASK[task]]
    assert any(isinstance(v, float) and v == v for v in results.values()), results


def test_lora_adapter_loads_from_anywhere_and_a_missing_base_exits_2(arch_root, tmp_path, capsys):
    """A lora.merge: false run copied elsewhere still evaluates (absolute base path); an adapter whose
    base folder is gone, or whose base is a Hub name, is refused with exit 2 and nothing written."""
    import shutil

    raw = _run_config(arch_root, "llama", "lora", tmp_path / "run")
    raw["model"]["path"] = os.path.relpath(raw["model"]["path"])  # relative, as users type it
    res = finetune(FinetuneConfig.from_dict(raw))
    moved = shutil.copytree(res.model_dir, tmp_path / "elsewhere" / "adapter")
    argv = ["eval", "--tasks", "mini_ary_Arab_bpb", "--limit", "2", "--bootstrap-iters", "0", "--no-cache"]
    assert main([*argv, "--model", str(moved), "--output", str(tmp_path / "ok.json")]) == 0
    for base, message in (
        (str(tmp_path / "gone"), "is not a local model folder"),
        ("meta-llama/Llama-3.2-1B", "nothing is downloaded"),
    ):
        conf = json.loads((moved / "adapter_config.json").read_text(encoding="utf-8"))
        conf["base_model_name_or_path"] = base
        (moved / "adapter_config.json").write_text(json.dumps(conf), encoding="utf-8")
        capsys.readouterr()
        out = tmp_path / "bad" / "r.json"
        assert main([*argv, "--model", str(moved), "--output", str(out)]) == 2
        err = capsys.readouterr().err
        assert message in err and "adapter_config.json" in err, err
        assert not out.parent.exists()


def test_lora_without_merge_needs_a_saved_base(arch_root, tmp_path):
    from aimm_nlp.errors import ConfigError

    raw = {"task": "causal_lm", "model": {"architecture": "llama", "tokenizer": str(arch_root / "tok"),
           "lora": {"enabled": True, "merge": False}}, "data": {"train": str(arch_root / "data" / "text.txt")},
           "run": {"output_dir": str(tmp_path / "run")}}  # fmt: skip
    with pytest.raises(ConfigError, match=r"model\.lora\.merge: false needs model\.path"):
        FinetuneConfig.from_dict(raw)
    assert not (tmp_path / "run").exists()
