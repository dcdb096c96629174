"""Bad input fails before training with a clear message, exit 2 and no run folder; CLI; LoRA; NaN."""

from __future__ import annotations

import json

import pytest
import yaml
from ft_helpers import LABELS, base_cfg, build_tokenizer, write_tsv

from aimm_nlp.cli import main
from aimm_nlp.finetune import FinetuneConfig, LossNotFiniteError, finetune
from ci_support import require


def _cli(tmp_path, raw, *overrides):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return main(["finetune", "--quiet", str(cfg), *overrides])


def _cls(tok_dir, data_dir, tmp_path, **extra):
    extra = {"data__text_column": "tweet", "data__labels": LABELS, **extra}
    return base_cfg("sequence_classification", tok_dir, data_dir / "tweets.tsv", tmp_path / "run", **extra)


def test_bad_inputs_exit_2_without_run_folder(tok_dir, data_dir, tmp_path, capsys):
    empty = tmp_path / "empty.tsv"
    empty.write_text("ID\ttweet\tlabel\n", encoding="utf-8")
    long_vocab = build_tokenizer(tmp_path / "big_tok", vocab_size=400)
    cases = [
        (_cls(tok_dir, data_dir, tmp_path), ["task=sentiment"], "unknown task 'sentiment'"),
        (_cls(tok_dir, data_dir, tmp_path), ["model.architecture=gpt9"], "unknown 'gpt9'"),
        (
            _cls(tok_dir, data_dir, tmp_path, data__labels=["negative", "positive"]),
            [],
            "label 'neutral' is not in",
        ),
        (_cls(tok_dir, data_dir, tmp_path), [f"data.train={empty}"], "empty"),
        (_cls(tok_dir, data_dir, tmp_path), [f"data.train={tmp_path / 'nope.tsv'}"], "no such file"),
        (
            _cls(tok_dir, data_dir, tmp_path),
            [f"model.path={tmp_path / 'no_model'}"],
            "no such local checkpoint",
        ),
        (_cls(tok_dir, data_dir, tmp_path), ["data.text_column=text"], "no column 'text'"),
        (
            _cls(tok_dir, data_dir, tmp_path),
            [f"model.tokenizer={long_vocab}", "model.overrides.vocab_size=50"],
            "vocab mismatch",
        ),
    ]
    for raw, overrides, needle in cases:
        assert _cli(tmp_path, raw, *overrides) == 2, needle
        err = capsys.readouterr().err
        assert needle in err, (needle, err)
        assert err.count("\n") >= 1 and "Traceback" not in err
        assert not (tmp_path / "run").exists(), needle


def test_long_sequences_are_truncated_and_counted(tok_dir, tmp_path, caplog):
    long = "الله يعطيك الصحة على هاد الخدمة الزوينة " * 20
    rows = [(f"t{i}", long if i % 3 == 0 else "salam 3lik", lab) for i, lab in enumerate(LABELS * 4)]
    data = write_tsv(tmp_path / "long.tsv", ["ID", "tweet", "label"], rows)
    raw = base_cfg(
        "sequence_classification",
        tok_dir,
        data,
        tmp_path / "run",
        data__text_column="tweet",
        data__labels=LABELS,
        optim__max_steps=1,
    )
    with caplog.at_level("WARNING"):
        res = finetune(FinetuneConfig.from_dict(raw))
    assert res.truncated == 4
    assert "4 of 12 samples longer than data.max_length=64 were truncated" in caplog.text


def test_existing_run_folder_is_not_overwritten(tok_dir, data_dir, tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "precious.txt").write_text("ⵜⴰⵎⴰⵣⵉⵖⵜ", encoding="utf-8")
    assert _cli(tmp_path, _cls(tok_dir, data_dir, tmp_path)) == 2
    assert "run.resume=true" in capsys.readouterr().err
    assert (tmp_path / "run" / "precious.txt").exists()


def test_cli_runs_and_prints_summary(tok_dir, data_dir, tmp_path, capsys):
    assert _cli(tmp_path, _cls(tok_dir, data_dir, tmp_path), "optim.max_steps=3", "run.seed=5") == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["steps"] == 3 and summary["output_dir"].endswith("run")
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text(encoding="utf-8"))
    assert saved["run"]["seed"] == 5 and saved["data"]["labels"] == LABELS


def test_nan_loss_names_the_step(tok_dir, data_dir, tmp_path):
    # optim.lr is capped at 10 (issue 17), so the loss is made non-finite by absurd initial weights
    raw = _cls(tok_dir, data_dir, tmp_path, optim__max_steps=30, optim__max_grad_norm=None)
    raw["model"]["overrides"]["initializer_range"] = 1e30
    with pytest.raises(LossNotFiniteError, match=r"at step \d+"):
        finetune(FinetuneConfig.from_dict(raw))


@pytest.mark.filterwarnings(
    "ignore:`is_gradient_checkpointing` is deprecated:FutureWarning"
)  # peft -> transformers
def test_lora_saves_a_merged_model_that_reloads(tok_dir, data_dir, tmp_path):
    require("peft", "LoRA fine-tuning, the `peft` extra")
    from transformers import AutoModelForCausalLM

    raw = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "run", optim__max_steps=3)
    raw["model"]["lora"] = {"enabled": True, "r": 4, "alpha": 8, "target_modules": ["q_proj", "v_proj"]}
    res = finetune(FinetuneConfig.from_dict(raw))
    files = {p.name for p in res.model_dir.iterdir()}
    assert "adapter_config.json" not in files and "model.safetensors" in files
    model = AutoModelForCausalLM.from_pretrained(res.model_dir)
    assert not any("lora" in n for n, _ in model.named_parameters())


def test_cp_lists_and_copies(tmp_path, capsys):
    assert main(["cp"]) == 0
    listing = capsys.readouterr().out
    assert "finetune/ary_sentiment" in listing
    dest = tmp_path / "mine.yaml"
    assert main(["cp", "ary_sentiment", str(dest)]) == 0
    cfg = FinetuneConfig.from_yaml(dest)
    assert cfg.task == "sequence_classification"
    assert main(["cp", "ary_sentiment", str(dest)]) == 2  # never overwrite silently
    assert main(["cp", "ary_sentimnt"]) == 2
    assert "did you mean 'ary_sentiment'" in capsys.readouterr().err
