"""The corpus build config on the config engine: every problem at once, overrides, shipped configs valid."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from aimm_nlp.corpus import CorpusConfig
from aimm_nlp.corpus.config import config_from_dict, load_config
from aimm_nlp.errors import ConfigError, InputFileError


def test_config_reports_all_errors_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(
            {"sources": [{"name": "doda", "path": "x.txt"}], "clean": {"min_chars": "3"}, "colour": 1}
        )
    text = str(err.value)
    assert "sources[0]: give exactly one" in text and "clean.min_chars: expected int" in text
    assert "unknown key 'colour'" in text and "output.dir: required" in text


def test_shipped_configs_validate() -> None:
    folder = resources.files("aimm_nlp.configs").joinpath("corpus")
    shipped = [p for p in folder.iterdir() if p.name.endswith(".yaml")]
    assert shipped
    for path in shipped:
        cfg = load_config(Path(str(path)))
        assert set(cfg.clean.langs or []) == {"ary_Arab", "ary_Latn"}
        assert all(
            src.name != "flores200" for src in cfg.sources
        )  # evaluation-only, never built into a corpus


@pytest.mark.parametrize(
    ("override", "path", "expected"),
    [
        ("clean.dedup=near", ("clean", "dedup"), "near"),
        ("clean.dedup=null", ("clean", "dedup"), None),
        ("clean.langs=[ary_Arab, ary_Latn]", ("clean", "langs"), ["ary_Arab", "ary_Latn"]),
        ("clean.switches.digits=false", ("clean", "switches"), {"digits": False}),
        ("sources.0.lang=zgh_Tfng", ("sources", 0, "lang"), "zgh_Tfng"),  # list items by index
        ("output.shard_rows=1000", ("output", "shard_rows"), 1000),
        ("clean.min_lang_score=1", ("clean", "min_lang_score"), 1.0),  # an int is a float
    ],
)
def test_overrides_reach_the_config(override: str, path: tuple, expected) -> None:
    raw = {"sources": [{"path": "ary.txt", "lang": "ary_Latn"}], "output": {"dir": "out"}}
    node = CorpusConfig.from_dict(raw, overrides=[override])
    for part in path:
        node = node[part] if isinstance(part, int) else getattr(node, part)
    assert node == expected


@pytest.mark.parametrize(
    ("overrides", "needles"),
    [
        (["sources.3.name=doda"], ["override 'sources.3.name=doda': cannot apply (list index out of range)"]),
        (["clean.dedup=[near"], ["override 'clean.dedup=[near': invalid YAML value"]),
        (["dedup"], ["override 'dedup': expected key.sub=value, e.g. clean.dedup=near"]),
        (["output.shard_rows=0", "clean.dedupe=near"],
         ["output.shard_rows: must be in [1, 10**9], got 0", "unknown key 'clean.dedupe' (did you mean 'dedup'?)"]),
        (["on_error=ignore", "streaming=yes please"],
         ["on_error: must be raise or skip, got 'ignore'", "streaming: expected bool, got 'yes please'"]),
    ],
)  # fmt: skip
def test_bad_overrides_are_listed_at_once(overrides: list[str], needles: list[str]) -> None:
    raw = {"sources": [{"path": "ary.txt"}], "output": {"dir": "out"}}
    with pytest.raises(ConfigError) as err:
        CorpusConfig.from_dict(raw, overrides=overrides)
    assert len(err.value.errors) == len(needles)
    for needle in needles:
        assert needle in str(err.value)


def test_from_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such config file"):
        CorpusConfig.from_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "corpus.yaml"
    bad.write_text("sources: [{path: ary.txt}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{bad}: invalid corpus config \(1 problem\)") as err:
        CorpusConfig.from_yaml(bad)
    assert err.value.errors == ["output.dir: required (the folder to write)"]
