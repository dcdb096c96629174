"""TokenizerConfig: the shipped tokenizer configs load without the CLI, and bad ones list every problem."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from aimm_nlp.errors import ConfigError, InputFileError
from aimm_nlp.tokenization import TokenizerConfig

SHIPPED = sorted(Path(str(files("aimm_nlp") / "configs" / "tokenizer")).glob("*.yaml"))


def test_there_are_shipped_tokenizer_configs() -> None:
    assert [p.name for p in SHIPPED] == ["moroccan_32k.yaml"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_tokenizer_config_loads(path: Path) -> None:
    cfg = TokenizerConfig.from_yaml(path)
    assert cfg.kind == "bpe" and cfg.backend == "hf" and cfg.vocab_size == 32000
    assert cfg.byte_fallback is True and cfg.lang_weights["ary_Arab"] == 2.2
    assert cfg.case_augment == {"ary_Latn": 0.4}  # chosen on the dev tweets (issue 21)
    assert cfg.data and all("path" in src for src in cfg.data)


def test_overrides_and_values_are_applied_in_order() -> None:
    cfg = TokenizerConfig.from_yaml(
        SHIPPED[0], overrides=["vocab_size=16000", "lang_weights.zgh_Tfng=1.5"], values={"vocab_size": 8000}
    )
    assert cfg.vocab_size == 8000  # values (the CLI's flags) win over --set
    assert cfg.lang_weights["zgh_Tfng"] == 1.5 and cfg.lang_weights["ary_Arab"] == 2.2


@pytest.mark.parametrize(
    ("raw", "overrides", "needles"),
    [
        ({"vocab": 8000}, [], ["unknown key 'vocab' (did you mean 'vocab_size'?)"]),
        ({"kind": "wordpeice"}, [], ["kind: unknown tokenizer kind 'wordpeice'", "did you mean 'wordpiece'"]),
        ({"backend": "spm", "kind": "wordpiece"}, [], ["(it needs backend hf)"]),
        ({"temperature": 0}, ["seed=-1"], ["temperature: expected a number > 0 and <= 100, got 0",
                                          "seed: expected an integer from 0 to 2**32 - 1, got -1"]),
        ({"lang_weights": {"ary_arab": 1}}, [], ["lang_weights.ary_arab: unknown language code 'ary_arab'"]),
        ({"data": [{"path": "ⴰⵣⵓⵍ.txt", "lang": "zgh_Tfng", "lang_prefix": "zgh"}]}, [],
         ["data[0]: give exactly one of lang, lang_prefix, lang_column"]),
        ({}, ["lang_weights.a.b=1"], ["--set lang_weights.a.b: at most one level below a key"]),
        ({}, ["=3", "vocab_size"], ["--set =3: expected key.sub=value", "--set vocab_size: expected"]),
    ],
)  # fmt: skip
def test_bad_settings_are_listed_at_once(raw: dict, overrides: list[str], needles: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        TokenizerConfig.from_dict(raw, overrides=overrides)
    for needle in needles:
        assert needle in str(exc.value), (needle, str(exc.value))
    assert len(exc.value.errors) >= len(needles) - 1


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such config file"):
        TokenizerConfig.from_yaml(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- bpe\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="the config must be a mapping of keys"):
        TokenizerConfig.from_yaml(tmp_path / "list.yaml")


def test_train_from_a_config_without_the_cli(tmp_path: Path) -> None:
    texts = ["واش نتا مزيان", "salam labas 3lik", "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ", "كيداير لباس عليك", "bghit nmchi l dar"] * 20
    (tmp_path / "ary.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    cfg = TokenizerConfig.from_dict(
        {"vocab_size": 1500, "data": [{"path": "ary.txt", "lang_prefix": "ary"}]}, overrides=["seed=1"]
    )
    tok = cfg.train(tmp_path / "tok", root=tmp_path)
    assert tok.card["actual_vocab_size"] <= 1500
    assert tok.card["sampling"]["seed"] == 1  # the override reached train_tokenizer
    loaded = tok.load()
    assert loaded.decode(loaded("salam labas")["input_ids"], skip_special_tokens=True) == "salam labas"


def test_train_without_any_data_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no training data"):
        TokenizerConfig().train(tmp_path / "tok")
    assert not (tmp_path / "tok").exists()
