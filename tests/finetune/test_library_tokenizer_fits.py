"""Issue 20 A: a tokenizer trained by the library with default options fits the shipped configs.

Before, the default ``aimm tokenizer train`` output had no mask token and added no CLS/SEP: the
shipped ``ary_mlm_pretrain.yaml`` exited 2 with it, and BERT classifiers pooled the first word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ft_helpers import TWEETS, base_cfg, corpus_lines, write_tsv

from aimm_nlp.cli import main
from aimm_nlp.finetune import FinetuneConfig
from aimm_nlp.finetune.data import encode_records
from aimm_nlp.finetune.models import load_tokenizer
from aimm_nlp.tokenization import train_tokenizer

SHIPPED = Path(__file__).parents[2] / "src/aimm_nlp/configs/finetune"


@pytest.fixture(scope="module")
def lib_tok(tmp_path_factory) -> Path:
    """``train_tokenizer`` with every option at its default but the vocabulary size."""
    out = tmp_path_factory.mktemp("libtok") / "tok"
    return train_tokenizer(corpus_lines() * 4, out_dir=out, vocab_size=1400).path


def test_the_shipped_mlm_config_trains_with_the_library_tokenizer(lib_tok, tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    argv = ["finetune", "--quiet", str(SHIPPED / "ary_mlm_pretrain.yaml"), f"model.tokenizer={lib_tok}",
            "model.size=tiny", f"data.train={corpus}", "optim.max_steps=2", "optim.warmup_steps=0",
            f"run.output_dir={out}", "run.threads=1", "run.save_every=0"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any("loss" in m for m in metrics)
    saved = load_tokenizer(str(out / "model"))
    assert saved.mask_token == "<mask>" and saved("واش نتا مزيان؟")["input_ids"][0] == saved.cls_token_id


@pytest.mark.parametrize(
    "text",
    ["واش نتا مزيان؟", "3lach ma jitich lbareh?", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "مزياااان 😍", "و", "salam ⵜⴰⵎⴰⵣⵉⵖⵜ شكرا"],
)
def test_a_bert_classifier_sees_cls_first(lib_tok, tmp_path, text):
    tok = load_tokenizer(str(lib_tok))
    raw = base_cfg("sequence_classification", lib_tok, tmp_path / "t.tsv", tmp_path / "run",
                   data__labels=["negative", "neutral", "positive"])  # fmt: skip
    records = [{"text": text, "label": "neutral"}, *({"text": t, "label": lab} for t, lab in TWEETS[:3])]
    enc = encode_records(
        records,
        FinetuneConfig.from_dict(raw),
        tok,
        source="t.tsv",
        label_names=["negative", "neutral", "positive"],
    )
    assert tok.cls_token is not None
    assert [ids[0] for ids in enc.input_ids] == [tok.cls_token_id] * len(records)
    assert tok.decode(enc.input_ids[0], skip_special_tokens=True) == text


def test_a_bert_classifier_trains_and_its_saved_tokenizer_adds_cls(lib_tok, tmp_path, capsys):
    import yaml

    train = write_tsv(tmp_path / "t.tsv", ["text", "label"], TWEETS)
    raw = base_cfg("sequence_classification", lib_tok, train, tmp_path / "run", optim__max_steps=2,
                   data__labels=["negative", "neutral", "positive"])  # fmt: skip
    cfg = tmp_path / "ft.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["finetune", "--quiet", str(cfg)]) == 0, capsys.readouterr().err
    from transformers import pipeline

    clf = pipeline("text-classification", model=str(tmp_path / "run" / "model"), device="cpu")
    assert clf.tokenizer("3lach ma jitich?")["input_ids"][0] == clf.tokenizer.cls_token_id
    assert clf("3lach ma jitich?")[0]["label"] in ("negative", "neutral", "positive")
