"""Every task trains a few steps on tiny real Moroccan text and its loss falls; run folder contents."""

from __future__ import annotations

import json

import pytest
import torch
from ft_helpers import LABELS, TAGS, base_cfg

from aimm_nlp.finetune import FinetuneConfig, finetune

CASES = {  # id: (task, training file, config overrides)
    "sequence_classification": (
        "sequence_classification",
        "tweets.tsv",
        {"data__text_column": "tweet", "data__labels": LABELS, "optim__lr": 3e-3, "data__max_tokens": 1024},
    ),
    "token_classification": (
        "token_classification",
        "tags.jsonl",
        {"data__labels": TAGS, "data__label_column": "tags"},
    ),
    "causal_lm": ("causal_lm", "text.txt", {"data__max_tokens": 1024}),
    "causal_lm_unpacked": ("causal_lm", "text.txt", {"data__max_tokens": 1024, "data__packing": False}),
    "masked_lm": ("masked_lm", "text.txt", {"data__mlm_probability": 0.3, "data__max_tokens": 1024}),
    "seq2seq": ("seq2seq", "pairs.jsonl", {}),
}


def _losses(out):
    return [json.loads(x)["loss"] for x in (out / "metrics.jsonl").read_text().splitlines() if '"loss"' in x]


@pytest.mark.parametrize("case", list(CASES))
def test_loss_falls(case, tok_dir, data_dir, tmp_path):
    task, train, extra = CASES[case]
    cfg = FinetuneConfig.from_dict(base_cfg(task, tok_dir, data_dir / train, tmp_path / "run", **extra))
    res = finetune(cfg)
    losses = _losses(res.output_dir)
    assert len(losses) == 12 and res.steps == 12
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < first - 0.1, losses
    assert (res.model_dir / "config.json").is_file() and (res.model_dir / "model.safetensors").is_file()
    assert (res.model_dir / "tokenizer.json").is_file()


@pytest.mark.parametrize("packing", [False, True])
def test_causal_lm_eval_loss_is_the_models_own_next_token_loss(packing, tok_dir, data_dir, tmp_path):
    """One epoch, data.packing off and on: each sample of n tokens gives n - 1 targets, and eval_loss
    equals transformers' own (shifted) loss of the saved model on every sample alone (fp32, 1e-5)."""
    from transformers import AutoModelForCausalLM

    from aimm_nlp.finetune.models import load_tokenizer

    text = data_dir / "text.txt"
    raw = base_cfg(
        "causal_lm",
        tok_dir,
        text,
        tmp_path / "run",
        data__packing=packing,
        data__eval=str(text),
        optim__max_steps=None,
        optim__epochs=1,
    )
    res = finetune(FinetuneConfig.from_dict(raw))
    tok = load_tokenizer(str(tok_dir))
    samples = [
        tok(line)["input_ids"] + [tok.eos_token_id] for line in text.read_text(encoding="utf-8").splitlines()
    ]
    assert all(2 <= len(s) <= 64 for s in samples)  # nothing truncated or dropped
    logged = [
        json.loads(x) for x in (res.output_dir / "metrics.jsonl").read_text().splitlines() if '"loss"' in x
    ]
    assert sum(r["targets"] for r in logged) == sum(len(s) - 1 for s in samples)
    assert sum(r["real_tokens"] for r in logged) == sum(len(s) for s in samples)
    model = AutoModelForCausalLM.from_pretrained(res.model_dir).eval()
    total = 0.0
    with torch.no_grad():
        for s in samples:
            ids = torch.tensor([s])
            total += float(model(input_ids=ids, labels=ids).loss) * (len(s) - 1)
    manual = total / sum(len(s) - 1 for s in samples)
    assert abs(res.metrics["eval_loss"] - manual) < 1e-5, (res.metrics, manual)


def _tweet_classifier_cfg(tok_dir, data_dir, out, **extra) -> dict:
    """A sentiment classifier over tweets.tsv, evaluated on the same file."""
    return base_cfg(
        "sequence_classification",
        tok_dir,
        data_dir / "tweets.tsv",
        out,
        data__text_column="tweet",
        data__labels=LABELS,
        data__eval=str(data_dir / "tweets.tsv"),
        **extra,
    )


def test_run_folder_is_complete(tok_dir, data_dir, tmp_path):
    raw = _tweet_classifier_cfg(tok_dir, data_dir, tmp_path / "run")
    res = finetune(FinetuneConfig.from_dict(raw))
    names = {p.name for p in res.output_dir.iterdir()}
    assert {"model", "config.yaml", "metrics.jsonl", "curve.png", "README.md", "run.json"} <= names
    assert not any(n.endswith(".tmp") for n in names)
    assert (res.output_dir / "curve.png").read_bytes()[:4] == b"\x89PNG"
    card = (res.output_dir / "README.md").read_text(encoding="utf-8")
    assert "tweets.tsv" in card and "license" in card.lower()
    assert {"eval_loss", "eval_accuracy", "eval_macro_f1"} <= set(res.metrics)
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(res.model_dir)
    assert model.config.id2label[0] == "negative"


def test_tokenizer_json_only_folder_works(data_dir, tmp_path):
    """A folder written by the `tokenizers` library alone (tokenizer.json) is enough from scratch."""
    from ft_helpers import build_tokenizer

    tok = build_tokenizer(tmp_path / "tok_raw", transformers_api=False)
    assert {p.name for p in tok.iterdir()} == {"tokenizer.json"}
    raw = base_cfg("causal_lm", tok, data_dir / "text.txt", tmp_path / "run", optim__max_steps=2)
    res = finetune(FinetuneConfig.from_dict(raw))
    assert res.steps == 2


def test_sft_trains_on_responses(tok_dir, data_dir, tmp_path):
    template = "{% for m in messages %}<s>{{ m.content }}</s>{% endfor %}{% if add_generation_prompt %}<s>{% endif %}"
    raw = base_cfg(
        "causal_lm",
        tok_dir,
        data_dir / "sft.jsonl",
        tmp_path / "run",
        data__prompt_column="prompt",
        data__chat_template=template,
    )
    res = finetune(FinetuneConfig.from_dict(raw))
    losses = _losses(res.output_dir)
    assert sum(losses[-3:]) < sum(losses[:3])


def test_early_stopping(tok_dir, data_dir, tmp_path):
    raw = _tweet_classifier_cfg(
        tok_dir,
        data_dir,
        tmp_path / "run",
        optim__lr=1e-9,
        optim__max_steps=40,
        run__eval_every=1,
        run__early_stopping_metric="eval_loss",
        run__early_stopping_patience=2,
    )
    res = finetune(FinetuneConfig.from_dict(raw))
    assert res.steps < 40


def test_accumulation_and_checkpointing_do_not_change_the_math(tok_dir, data_dir, tmp_path):
    """2 micro-batches x grad_accum=2 with activation checkpointing == the same global step unsplit."""
    base = dict(optim__max_steps=4, data__max_tokens=256)
    a = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "a", **base)
    b = base_cfg(
        "causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "b", **{**base, "data__max_tokens": 128}
    )
    b["optim"]["grad_accum"] = 2
    b["run"]["gradient_checkpointing"] = True
    la = _losses(finetune(FinetuneConfig.from_dict(a)).output_dir)
    lb = _losses(finetune(FinetuneConfig.from_dict(b)).output_dir)
    assert la != [] and max(abs(x - y) for x, y in zip(la, lb, strict=True)) < 1e-5, (la, lb)


def test_bf16_autocast_on_cpu_trains(tok_dir, data_dir, tmp_path):
    raw = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "run", data__max_tokens=1024)
    raw["run"]["precision"] = "bf16"
    res = finetune(FinetuneConfig.from_dict(raw))
    losses = _losses(res.output_dir)
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.1, losses
