"""Issue 20 D: fine-tuning, tokenizer training and the demo write Hub-ready cards (front-matter with
license, language, pipeline_tag, base_model, datasets, metrics/model-index; no local paths in the body;
``library_name: peft`` for LoRA adapters), built and saved locally with ``huggingface_hub.ModelCard``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ft_helpers import TWEETS, base_cfg, corpus_lines, write_jsonl, write_tsv

from aimm_nlp.finetune import FinetuneConfig, finetune


def _front(readme: Path) -> dict:
    from huggingface_hub import ModelCard

    text = readme.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    card = ModelCard.load(readme)  # local file: parsed, nothing fetched
    assert card.data.to_dict() == front
    return front


def _no_local_paths(readme: Path, *roots: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    for root in roots:
        assert str(root) not in text and str(root.resolve()) not in text, root


@pytest.fixture(scope="module")
def licensed_data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cc_data")
    write_tsv(d / "tweets.tsv", ["text", "label"], TWEETS)
    write_tsv(d / "heldout.tsv", ["text", "label"], TWEETS[::3])
    (d / "text.txt").write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    (d / "README.md").write_text("# Tweets\n\n- **License: CC BY-SA 4.0** (`LICENSE`)\n", encoding="utf-8")
    return d


def test_classifier_card(tok_dir, licensed_data, tmp_path):
    raw = base_cfg("sequence_classification", tok_dir, licensed_data / "tweets.tsv", tmp_path / "ary_sentiment",
                   data__eval=str(licensed_data / "heldout.tsv"), data__labels="auto", optim__max_steps=2)  # fmt: skip
    finetune(FinetuneConfig.from_dict(raw))
    for readme in (
        tmp_path / "ary_sentiment" / "README.md",
        tmp_path / "ary_sentiment" / "model" / "README.md",
    ):
        front = _front(readme)
        assert front["license"] == "cc-by-sa-4.0" and front["pipeline_tag"] == "text-classification"
        assert front["library_name"] == "transformers" and "base_model" not in front  # from scratch
        assert {"ary", "fr"} <= set(front["language"]) <= {"ary", "ar", "fr", "en", "zgh", "ber"}
        assert front["datasets"] == ["tweets.tsv", "heldout.tsv"]
        assert {"accuracy", "macro_f1"} <= set(front["metrics"])
        (index,) = front["model-index"]
        assert index["name"] == "ary_sentiment"
        (result,) = index["results"]
        assert result["task"]["type"] == "text-classification" and result["dataset"]["name"] == "heldout.tsv"
        assert {m["type"] for m in result["metrics"]} == set(front["metrics"])
        _no_local_paths(readme, tmp_path, licensed_data, tok_dir)
    # the card says how batches were formed: a classifier's default is bucketed, not a token budget
    body = (tmp_path / "ary_sentiment" / "README.md").read_text(encoding="utf-8")
    assert "- batches: bucketed (equal sample counts" in body and "random; each computed in" in body


def _causal_base(tok_dir, data: Path, out: Path, hub_id: str | None) -> Path:
    raw = base_cfg("causal_lm", tok_dir, data / "text.txt", out, optim__max_steps=1)
    model = finetune(FinetuneConfig.from_dict(raw)).model_dir
    if hub_id is not None:  # a local copy of a Hub model records where it came from
        config = json.loads((model / "config.json").read_text(encoding="utf-8"))
        (model / "config.json").write_text(json.dumps({**config, "_name_or_path": hub_id}), encoding="utf-8")
    return model


@pytest.mark.parametrize(
    ("hub_id", "merge", "library"),
    [(None, True, "transformers"), ("atlasia/darija-llama-tiny", False, "peft"), (None, False, "peft")],
)
def test_causal_and_lora_cards(tok_dir, licensed_data, tmp_path, hub_id, merge, library):
    pytest.importorskip("peft")
    base = _causal_base(tok_dir, licensed_data, tmp_path / "base", hub_id)
    raw = base_cfg("causal_lm", tok_dir, licensed_data / "text.txt", tmp_path / "lora", optim__max_steps=1)
    raw["model"] = {"path": str(base), "lora": {"enabled": True, "r": 2, "alpha": 4, "merge": merge}}
    finetune(FinetuneConfig.from_dict(raw))
    readme = tmp_path / "lora" / "model" / "README.md"
    front = _front(readme)
    assert front["library_name"] == library and front["pipeline_tag"] == "text-generation"
    assert front.get("base_model") == hub_id and "lora" in front["tags"]
    assert "model-index" not in front  # no evaluation data: no results claimed
    body = readme.read_text(encoding="utf-8")
    assert (f"`{hub_id}`" if hub_id else "local checkpoint `model` (not on the Hub)") in body
    assert ("LoRA adapter" in body) == (not merge)
    assert "- batches: packed rows" in body or "- batches: token budget" in body
    _no_local_paths(readme, tmp_path, licensed_data, tok_dir)


def test_unlicensed_data_is_unknown_not_guessed(tok_dir, tmp_path):
    data = write_jsonl(tmp_path / "pairs.jsonl", [{"source": e, "target": a} for e, a in
                                                  [("I am going home", "أنا غادي للدار"), ("thank you", "شكرا")] * 4])  # fmt: skip
    raw = base_cfg("seq2seq", tok_dir, data, tmp_path / "run", optim__max_steps=1)
    finetune(FinetuneConfig.from_dict(raw))
    front = _front(tmp_path / "run" / "README.md")
    assert front["license"] == "unknown" and front["pipeline_tag"] == "text2text-generation"
    assert front["datasets"] == ["pairs.jsonl"]
    _no_local_paths(tmp_path / "run" / "README.md", tmp_path, tok_dir)


def test_tokenizer_card(tmp_path):
    from aimm_nlp.tokenization import train_tokenizer

    texts = [(t, "ary_Arab") for t in corpus_lines()] + [("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "zgh_Tfng"), ("bonjour", "fra_Latn")]
    tok = train_tokenizer(texts * 3, out_dir=tmp_path / "tok", vocab_size=1500, for_model="encoder")
    front = _front(tok.path / "README.md")
    assert front["language"] == ["ary", "fr", "zgh"] and front["library_name"] == "transformers"
    assert "encoder" in front["tags"] and "license" not in front  # the corpus's license is not known
    body = (tok.path / "README.md").read_text(encoding="utf-8")
    assert "`[CLS] text [SEP]`" in body and "add it to this card" in body
    _no_local_paths(tok.path / "README.md", tmp_path)


def test_demo_cards_name_its_own_apache_data(tmp_path):
    """The demo's fine-tuning step (2 steps each): its morocco-mini data is Apache-2.0, not unknown."""
    from aimm_nlp._paths import mini_root
    from aimm_nlp.demo._stages import step_finetune
    from aimm_nlp.tokenization import train_tokenizer

    out = tmp_path / "demo"
    tok = train_tokenizer(corpus_lines() * 3, out_dir=out / "tokenizer", vocab_size=1500).path
    runs = step_finetune(out, tok, mini_root(), corpus_lines(), seed=0, max_steps=2)
    for name, model_dir in runs.items():
        readme = model_dir / "README.md"
        front = _front(readme)
        assert front["license"] == "apache-2.0", name
        body = readme.read_text(encoding="utf-8")
        assert "Apache-2.0 (the hand-written morocco-mini sets" in body and "unknown" not in body
        _no_local_paths(readme, tmp_path)
