"""case_augment: a share of a language's training lines in Title Case / ALL CAPS (issue 21)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.tokenization import TokenizerConfig, train_tokenizer
from aimm_nlp.tokenization._case import augment_case, case_variant

ARABIZI = ["salam khouya 3lach ma jitich lbareh", "wach nta mzyan? bzzzaaaf hhhhh", "kanbghik a sahbi",
           "daba nchoufou mn b3d", "l'3ylat dyal lyoum 😂", "ana f dar w nta fin"]  # fmt: skip
ARABIC = ["واش نتا مزيان؟", "كيداير لباس عليك", "بزاااااف ديال الناس"]
TIFINAGH = ["ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "ⵜⴰⵏⵎⵎⵉⵔⵜ"]
FRENCH = ["Je suis à Rabat aujourd'hui.", "c'est très bien ça"]


@pytest.mark.parametrize(
    ("text", "title", "upper"),
    [
        ("", "", ""),
        ("a", "A", "A"),
        ("salam khouya, 3lach ma jitich?", "Salam Khouya, 3lach Ma Jitich?", "SALAM KHOUYA, 3LACH MA JITICH?"),
        ("bzzzaaaf hhhhh 😂", "Bzzzaaaf Hhhhh 😂", "BZZZAAAF HHHHH 😂"),
        ("l'homme aujourd'hui ça va", "L'homme Aujourd'hui Ça Va", "L'HOMME AUJOURD'HUI ÇA VA"),
        ("wa7ed b9a", "Wa7ed B9a", "WA7ED B9A"),
        ("واش نتا مزيان؟", "واش نتا مزيان؟", "واش نتا مزيان؟"),
        ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"),
    ],
)  # fmt: skip
def test_case_variants(text: str, title: str, upper: str) -> None:
    assert case_variant(text, "title") == title
    assert case_variant(text, "upper") == upper


def test_augment_replaces_only_the_named_language_and_keeps_the_length() -> None:
    texts = ARABIC * 100 + ARABIZI * 100  # sorted language order: ary_Arab, then ary_Latn
    counts = {"ary_Arab": 300, "ary_Latn": 600}
    out = augment_case(texts, counts, {"ary_Latn": 0.5}, seed=3)
    assert len(out) == len(texts) and out[:300] == texts[:300]
    changed = [(a, b) for a, b in zip(texts[300:], out[300:], strict=True) if a != b]
    assert 0.35 < len(changed) / 600 < 0.65  # about half, Title and UPPER both present
    assert any(b == a.upper() for a, b in changed) and any(b == case_variant(a, "title") for a, b in changed)
    assert all(b.lower() == a.lower() for a, b in changed)  # the same words, only the case moved
    assert augment_case(texts, counts, {"ary_Latn": 0.5}, seed=3) == out
    assert augment_case(texts, counts, {"ary_Latn": 0.5}, seed=4) != out
    assert augment_case(texts, counts, {"ary_Latn": 0}, seed=3) == texts


@pytest.mark.parametrize(
    ("value", "needles"),
    [
        ({"ary_Latn": 1.5}, ["case_augment.ary_Latn: expected a share from 0 to 1, got 1.5"]),
        ({"ary_Latn": -0.1}, ["case_augment.ary_Latn: expected a share from 0 to 1, got -0.1"]),
        ({"ary_Latn": "half"}, ["case_augment.ary_Latn: expected a share from 0 to 1, got 'half'"]),
        ({"ary_Latn": True}, ["case_augment.ary_Latn: expected a share from 0 to 1, got True"]),
        ({"ary_Latn": float("nan")}, ["case_augment.ary_Latn: expected a share from 0 to 1, got nan"]),
        ({"ary_latn": 0.2}, ["case_augment.ary_latn: unknown language code 'ary_latn'", "did you mean"]),
        (0.2, ["case_augment: expected a mapping {language code: share} or null, got 0.2"]),
        ([0.2], ["case_augment: expected a mapping {language code: share} or null, got [0.2]"]),
    ],
)
def test_bad_case_augment_is_refused_with_the_other_errors(tmp_path: Path, value, needles) -> None:
    with pytest.raises(ConfigError) as exc:
        TokenizerConfig.from_dict({"case_augment": value, "temperature": 0})
    for needle in [*needles, "temperature: expected a number > 0"]:
        assert needle in str(exc.value), (needle, str(exc.value))
    with pytest.raises(ConfigError, match="case_augment") as exc:
        train_tokenizer(ARABIZI, out_dir=tmp_path / "tok", vocab_size=1500, case_augment=value)
    assert not (tmp_path / "tok").exists()  # refused before any work


def test_config_passes_case_augment_to_training(tmp_path: Path) -> None:
    cfg = TokenizerConfig.from_dict({"vocab_size": 2000}, overrides=["case_augment.ary_Latn=0.3"])
    assert cfg.case_augment == {"ary_Latn": 0.3} and cfg.settings()["case_augment"] == {"ary_Latn": 0.3}


@pytest.fixture(scope="module")
def cased(tmp_path_factory: pytest.TempPathFactory):
    corpus = {
        "ary_Latn": ARABIZI * 30,
        "ary_Arab": ARABIC * 30,
        "zgh_Tfng": TIFINAGH * 20,
        "fra_Latn": FRENCH * 20,
    }
    out = tmp_path_factory.mktemp("case")
    plain = train_tokenizer(corpus, out_dir=out / "plain", vocab_size=1500)
    aug = train_tokenizer(corpus, out_dir=out / "aug", vocab_size=1500, case_augment={"ary_Latn": 0.5})
    again = train_tokenizer(corpus, out_dir=out / "again", vocab_size=1500, case_augment={"ary_Latn": 0.5})
    return plain, aug, again


def test_case_augment_makes_capitalised_arabizi_cheaper_and_is_deterministic(cased) -> None:
    plain, aug, again = cased
    assert aug.card["sampling"]["case_augment"] == {"ary_Latn": 0.5}
    assert plain.card["sampling"]["case_augment"] == {}
    assert "ALL CAPS (case_augment): ary_Latn 50%" in (aug.path / "README.md").read_text("utf-8")
    assert "case_augment" not in (plain.path / "README.md").read_text("utf-8")
    assert (aug.path / "tokenizer.json").read_bytes() == (again.path / "tokenizer.json").read_bytes()
    vocab = json.loads((aug.path / "tokenizer.json").read_text("utf-8"))["model"]["vocab"]
    assert any(piece.strip().isupper() and len(piece.strip()) > 2 for piece in vocab)  # capitals were learned
    lines = [case_variant(t, form) for t in ARABIZI for form in ("title", "upper")]
    n_plain = sum(len(plain.load()(t, add_special_tokens=False)["input_ids"]) for t in lines)
    n_aug = sum(len(aug.load()(t, add_special_tokens=False)["input_ids"]) for t in lines)
    assert n_aug < n_plain


@pytest.mark.parametrize(
    "text",
    ["", "a", *ARABIZI, "SALAM KHOUYA", "Wach Nta Mzyan?", *ARABIC, *TIFINAGH, "😂🔥 ❤️", "Bzzzaaaaaf  hhhh\t!",
     "ⴰⵣⵓⵍ salam واش"],
)  # fmt: skip
def test_augmented_tokenizer_round_trips_exactly(cased, text: str) -> None:
    hf = cased[1].load()
    assert hf.decode(hf(text)["input_ids"], skip_special_tokens=True) == text
