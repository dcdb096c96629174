"""Config loading: YAML + overrides, unknown keys, every error at once, shipped configs valid."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from aimm_nlp.errors import ConfigError, InputFileError
from aimm_nlp.finetune.config import FinetuneConfig


def _yaml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_and_overrides(tmp_path):
    p = _yaml(
        tmp_path,
        "task: sequence_classification\nmodel: {architecture: bert, tokenizer: tok}\n"
        "data: {train: ary.tsv, labels: [negative, neutral, positive]}\n",
    )
    cfg = FinetuneConfig.from_yaml(
        p,
        overrides=[
            "optim.lr=3e-5",
            "run.seed=7",
            "data.packing=false",
            "model.lora.r=4",
            "optim.betas=[0.9, 0.95]",
        ],
    )
    assert cfg.optim.lr == pytest.approx(3e-5)
    assert (cfg.run.seed, cfg.data.packing, cfg.model.lora.r) == (7, False, 4)
    assert cfg.optim.betas == [0.9, 0.95]
    assert cfg.data.labels == ["negative", "neutral", "positive"]


def test_every_error_reported_at_once(tmp_path):
    p = _yaml(
        tmp_path,
        "task: sequence_clasification\nmodel: {architecture: lama, sise: tiny}\n"
        "data: {train: x.tsv, max_lenght: 3}\noptim: {lr: fast}\nrunn: {}\n",
    )
    with pytest.raises(ConfigError) as exc:
        FinetuneConfig.from_yaml(p, overrides=["run.seeed=1", "optim.grad_accum=two"])
    msg = str(exc.value)
    for needle in (
        "model.sise",
        "did you mean 'size'",
        "data.max_lenght",
        "'max_length'",
        "optim.lr",
        "runn",
        "run.seeed",
        "optim.grad_accum",
    ):
        assert needle in msg, needle
    assert "did you mean 'llama'" in msg and "did you mean 'sequence_classification'" in msg
    assert len(exc.value.errors) == 9


def test_value_errors_listed_together():
    with pytest.raises(ConfigError) as exc:
        FinetuneConfig.from_dict(
            {
                "task": "sequence_clasification",
                "model": {"architecture": "lama"},
                "optim": {"lr": -1},
                "data": {"max_tokens": 8, "max_length": 64},
                "run": {"seed": -1},
            }
        )
    msg = str(exc.value)
    assert "run.seed: must be in [0, 2**32 - 1], got -1" in msg
    assert "did you mean 'sequence_classification'" in msg
    assert "did you mean 'llama'" in msg
    assert "data.train" in msg and "optim.lr" in msg and "data.max_tokens" in msg
    assert "model.tokenizer" in msg  # from scratch needs a tokenizer


@pytest.mark.parametrize("raw", ["[1, 2]", "just text", ""])
def test_top_level_must_be_mapping(tmp_path, raw):
    p = _yaml(tmp_path, raw)
    if raw == "":
        with pytest.raises(ConfigError, match=r"data\.train"):
            FinetuneConfig.from_yaml(p)
    else:
        with pytest.raises(ConfigError, match="mapping"):
            FinetuneConfig.from_yaml(p)


def test_missing_file_and_bad_override(tmp_path):
    with pytest.raises(ConfigError, match="no such config"):
        FinetuneConfig.from_yaml(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"expected key\.sub=value"):
        FinetuneConfig.from_dict({}, overrides=["optim.lr"])


def test_roundtrip_to_dict():
    cfg = FinetuneConfig.from_dict(
        {"task": "causal_lm", "model": {"path": "m"}, "data": {"train": "ary.txt"}}
    )
    again = FinetuneConfig.from_dict(cfg.to_dict())
    assert again == cfg


SHIPPED = sorted(
    p.name for p in (files("aimm_nlp") / "configs" / "finetune").iterdir() if p.name.endswith(".yaml")
)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_validate(name):
    text = (files("aimm_nlp") / "configs" / "finetune" / name).read_text(encoding="utf-8")
    assert text.startswith("#") and "aimm finetune" in text.split("\n\n")[0]  # starts with how to run it
    path = Path(str(files("aimm_nlp") / "configs" / "finetune" / name))
    cfg = FinetuneConfig.from_yaml(path)
    assert cfg.task in text


def test_at_least_one_config_per_task():
    tasks = {
        FinetuneConfig.from_yaml(Path(str(files("aimm_nlp") / "configs/finetune" / n))).task for n in SHIPPED
    }
    assert tasks == {"sequence_classification", "token_classification", "causal_lm", "masked_lm", "seq2seq"}


def test_finetune_package_and_config_are_light():
    import subprocess
    import sys

    code = (
        "import sys, aimm_nlp.finetune as f; f.FinetuneConfig.from_dict({'task': 'causal_lm', 'model': {'path': 'm'},"
        " 'data': {'train': 'ary.txt'}}); print([m for m in ('torch', 'transformers', 'datasets') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


# --- key.sub=value overrides: parsing and type coercion (found by mutation testing)

BASE = {
    "task": "sequence_classification",
    "model": {"architecture": "bert", "tokenizer": "tok"},
    "data": {"train": "ary.tsv", "labels": ["salbi", "mohayid", "ijabi"]},
}


def load(*overrides: str) -> FinetuneConfig:
    import copy

    return FinetuneConfig.from_dict(copy.deepcopy(BASE), overrides=list(overrides))


@pytest.mark.parametrize(
    ("override", "path", "expected"),
    [
        ("optim.lr=3e-5", "optim.lr", 3e-5),  # YAML reads 3e-5 as a string: coerced to float
        ("optim.lr=1", "optim.lr", 1.0),
        ("optim.epochs=2", "optim.epochs", 2.0),
        ("run.seed=7", "run.seed", 7),
        ("data.packing=false", "data.packing", False),
        ("data.limit=null", "data.limit", None),
        ("data.limit=", "data.limit", None),  # empty value: None
        ("optim.max_grad_norm=null", "optim.max_grad_norm", None),
        ("data.labels=[salbi, ijabi]", "data.labels", ["salbi", "ijabi"]),
        ("data.labels=auto", "data.labels", "auto"),
        ("run.output_dir=runs/lr=3e-5", "run.output_dir", "runs/lr=3e-5"),  # split at the first '='
        (" optim.lr =0.5", "optim.lr", 0.5),  # spaces around the key
        ("model.overrides.hidden_dropout_prob=0", "model.overrides", {"hidden_dropout_prob": 0}),
        ("data.source_prefix=ary_Arab->eng_Latn", "data.source_prefix", "ary_Arab->eng_Latn"),
    ],
)
def test_override_is_parsed_and_coerced(override: str, path: str, expected) -> None:
    value = load(override)
    for part in path.split("."):
        value = getattr(value, part)
    assert value == expected
    assert type(value) is type(expected)  # 1 becomes 1.0 for a float field, 7 stays an int


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("run.seed=true", "run.seed: expected int, got True"),  # a bool is not an int
        ("run.seed=1.5", "run.seed: expected int, got 1.5"),
        ("optim.lr=fast", "optim.lr: expected float, got 'fast'"),
        ("optim.lr=true", "optim.lr: expected float, got True"),
        ("data.packing=1", "data.packing: expected bool, got 1"),
        ("optim.lr.x=1", "optim.lr: expected float"),  # lr becomes a mapping: rejected by type
        ("optim", "expected key.sub=value"),
        ("=3", "expected key.sub=value"),
    ],
)
def test_bad_override_is_a_config_error(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(override)
    assert message in str(info.value) or any(message in e for e in info.value.errors)


def test_finetune_config_loader_raises_input_file_error(tmp_path):
    from aimm_nlp.finetune import FinetuneConfig

    cfg = tmp_path / "cfg.yaml"
    cfg.write_bytes(b"\xff\xfe")
    with pytest.raises(InputFileError) as exc:
        FinetuneConfig.from_yaml(cfg)
    assert exc.value.path == str(cfg) and exc.value.line == 1
