"""Hub-ready card helpers (issue 20 D): language codes, license ids, base model ids, local save."""

from __future__ import annotations

import json

import pytest
import yaml

from aimm_nlp._hubcard import hub_languages, hub_license, hub_model_id, save_card


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["ary_Arab"], ["ary"]),
        (["ary_Latn", "ary_Arab"], ["ary"]),
        (["arb_Arab", "fra_Latn", "eng_Latn"], ["ar", "fr", "en"]),
        (["zgh_Tfng", "ber_Latn", "tzm_Tfng", "kab_Latn", "taq_Tfng"], ["zgh", "ber", "tzm", "kab", "taq"]),
        (["und_Arab", "und_Latn", "xx_Yyyy", ""], []),
        ([], []),
    ],
)
def test_hub_languages(codes, expected):
    assert hub_languages(codes) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apache-2.0, same as the project.", "apache-2.0"),
        ("Apache License, Version 2.0", "apache-2.0"),
        ("CC BY-SA 4.0 (full text in LICENSE).", "cc-by-sa-4.0"),
        ("CC BY 4.0", "cc-by-4.0"),
        ("CC BY-NC 4.0 (LICENSE). Non-commercial only", "cc-by-nc-4.0"),
        ("CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0"),
        ("CC BY-SA 3.0", "cc-by-sa-3.0"),
        ("MIT", "mit"),
        ("CC0", "cc0-1.0"),
        ("Apache-2.0 (morocco-mini) AND CC BY 4.0 (afrisenti_ma) AND CC BY-SA 4.0 (nllb)", "other"),
        ("unknown (no README or LICENSE beside the data file): check before sharing the model", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
        ("رخصة مفتوحة", "unknown"),
    ],
)
def test_hub_license(text, expected):
    assert hub_license(text) == expected


def test_hub_model_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert hub_model_id("MBZUAI-Paris/Atlas-Chat-2B") == "MBZUAI-Paris/Atlas-Chat-2B"
    assert hub_model_id("bert-base-multilingual-cased") is None  # no org: could be a local folder name
    for local in [
        str(tmp_path / "runs" / "model"),
        "runs/ary/model",
        "./model",
        "../x/y",
        "~/m/n",
        "C:\\m\\n",
    ]:
        assert hub_model_id(local) is None, local
    (tmp_path / "org" / "name").mkdir(parents=True)  # a local folder that looks like a Hub id
    assert hub_model_id("org/name") is None
    (tmp_path / "org" / "name" / "config.json").write_text(
        json.dumps({"_name_or_path": "atlasia/darija-bert"})
    )
    assert hub_model_id("org/name") == "atlasia/darija-bert"  # the Hub id a local copy records
    (tmp_path / "org" / "name" / "config.json").write_text(json.dumps({"_name_or_path": str(tmp_path)}))
    assert hub_model_id("org/name") is None
    assert hub_model_id(None) is None and hub_model_id("") is None


def test_save_card_writes_front_matter_locally(tmp_path):
    from huggingface_hub import ModelCard

    path = tmp_path / "README.md"
    save_card(path, {"license": "apache-2.0", "language": ["ary", "zgh"], "base_model": None, "datasets": []},
              "# نموذج ديال الدارجة\n\nⴰⵣⵓⵍ")  # fmt: skip
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front == {"license": "apache-2.0", "language": ["ary", "zgh"]}
    assert ModelCard.load(path).data.language == ["ary", "zgh"] and "ⴰⵣⵓⵍ" in text
