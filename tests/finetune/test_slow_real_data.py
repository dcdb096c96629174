"""Heavier checks (deselected by default: pytest -m slow): FSDP on 2 gloo ranks, AfriSenti vs majority."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from ft_helpers import base_cfg, torchrun_finetune

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_fsdp_two_gloo_ranks_train_and_save(tok_dir, data_dir, tmp_path):
    import yaml
    from transformers import AutoModelForCausalLM

    raw = base_cfg(
        "causal_lm",
        tok_dir,
        data_dir / "text.txt",
        tmp_path / "run",
        optim__max_steps=4,
        run__distributed="fsdp",
        run__save_every=2,
        data__max_tokens=128,
    )
    cfg = tmp_path / "fsdp.yaml"
    cfg.write_text(yaml.safe_dump(raw), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cmd = torchrun_finetune(cfg)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "model")
    assert model.config.hidden_size == 32
    losses = [json.loads(x)["loss"] for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert len(losses) == 4


@pytest.mark.slow
def test_afrisenti_tiny_encoder_beats_majority(shared, tmp_path):
    """A tiny from-scratch BERT on AfriSenti-ma: macro-F1 on dev above the majority-class baseline."""
    from ft_helpers import SPECIALS
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from aimm_nlp.finetune import FinetuneConfig, finetune

    data = shared / "data" / "afrisenti_ma"
    rows = [ln.split("\t") for ln in (data / "train.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        [r[1] for r in rows],
        trainers.BpeTrainer(vocab_size=4000, special_tokens=SPECIALS, show_progress=False),
    )
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(str(tmp_path / "tok"))
    cfg = FinetuneConfig.from_yaml(
        REPO / "src/aimm_nlp/configs/finetune/ary_sentiment.yaml",
        overrides=[
            f"model.tokenizer={tmp_path / 'tok'}",
            "model.size=tiny",
            f"data.train={data / 'train.tsv'}",
            f"data.eval={data / 'dev.tsv'}",
            f"run.output_dir={tmp_path / 'run'}",
            "optim.epochs=4",
            "optim.lr=1e-3",
            "run.eval_every=0",
            "run.save_every=0",
            "run.early_stopping_metric=null",
        ],
    )
    res = finetune(cfg)
    dev = [ln.split("\t")[2] for ln in (data / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    majority = Counter(r[2] for r in rows).most_common(1)[0][0]
    share = sum(lab == majority for lab in dev) / len(dev)
    majority_f1 = (2 * share / (1 + share)) / 3  # F1 of the majority class, 0 for the two others
    print(json.dumps({"macro_f1": res.metrics["eval_macro_f1"], "majority_macro_f1": round(majority_f1, 4)}))
    assert res.metrics["eval_macro_f1"] > majority_f1 + 0.1
