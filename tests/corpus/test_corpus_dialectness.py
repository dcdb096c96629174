"""clean(dialectness=(lo, hi), priors=...): Darija-only / MSA-only corpora from Arabic-script text, other
scripts untouched, bad options listed at once before any row is read (issue 19)."""

from __future__ import annotations

import pytest
from datasets import Dataset

from aimm_nlp.corpus import clean
from aimm_nlp.errors import ConfigError
from aimm_nlp.text import dialectness

DARIJA = ["واش كاين شي حد فالدار؟ بغيت نهضر معاك", "هاد الفيلم زوين بزاف، خاصك تشوفو"]
MSA = ["أعلنت الحكومة عن خطة جديدة لدعم التعليم في المناطق القروية", "هذه القناة لا تحترم عقول المشاهدين"]
OTHER = ["salam 3likom kidayrin", "Je pense que c'est une bonne idée", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵉⴽ"]


def make(texts: list[str]) -> Dataset:
    return Dataset.from_dict({"text": texts, "lang": [None] * len(texts)})


@pytest.mark.parametrize(
    ("window", "kept_arabic"),
    [((0.5, 1.0), DARIJA), ((0.0, 0.5), MSA), ((0.0, 1.0), DARIJA + MSA), ((1.0, 1.0), [])],
)
def test_dialectness_window_keeps_arabic_in_range_and_other_scripts(window, kept_arabic) -> None:
    texts = DARIJA + MSA + OTHER
    out, report = clean(
        make(texts), dialectness=window, normalize=None, quality=None, dedup=None, allow_empty=True
    )
    expected = [t for t in texts if t in kept_arabic or t in OTHER]
    assert list(out["text"]) == expected
    lang = next(s for s in report.steps if s.name == "lang")
    assert lang.removed == len(DARIJA + MSA) - len(kept_arabic)
    assert all(e.startswith(("واش", "هاد", "أعلنت", "هذه")) for e in lang.examples)
    assert report.config["dialectness"] == window


def test_dialectness_window_matches_the_function() -> None:
    texts = [*DARIJA, *MSA, "الله يرحمه", "شكرا بزاف خويا"]
    out, _ = clean(
        make(texts), dialectness=(0.3, 0.7), normalize=None, quality=None, dedup=None, allow_empty=True
    )
    assert list(out["text"]) == [t for t in texts if 0.3 <= dialectness(t) <= 0.7]


def test_priors_reach_the_identifier_and_the_dialectness() -> None:
    text = "الله يرحمه"
    plain, _ = clean(make([text]), normalize=None, quality=None, dedup=None)
    msa, _ = clean(make([text]), normalize=None, quality=None, dedup=None, priors={"arb_Arab": 0.99})
    dar, _ = clean(make([text]), normalize=None, quality=None, dedup=None, priors={"ary_Arab": 0.99})
    assert (msa["lang"][0], dar["lang"][0]) == ("arb_Arab", "ary_Arab")
    assert plain["lang"][0] in ("arb_Arab", "ary_Arab")
    keep = (0.0, 0.5)
    out, _ = clean(make([text]), dialectness=keep, priors={"arb_Arab": 0.99}, normalize=None, quality=None)
    assert out.num_rows == 1
    out, _ = clean(
        make([text]),
        dialectness=keep,
        priors={"ary_Arab": 0.99},
        normalize=None,
        quality=None,
        allow_empty=True,
    )
    assert out.num_rows == 0


@pytest.mark.parametrize(
    ("kwargs", "messages"),
    [
        ({"dialectness": (0.7, 0.2)}, ["dialectness: must be a pair (lo, hi) with 0 <= lo <= hi <= 1"]),
        ({"dialectness": (-0.1, 0.5)}, ["dialectness: must be a pair"]),
        ({"dialectness": (0.5, 1.5)}, ["dialectness: must be a pair"]),
        ({"dialectness": 0.5}, ["dialectness: must be a pair"]),
        ({"dialectness": (0.1, 0.2, 0.3)}, ["dialectness: must be a pair"]),
        ({"dialectness": ("0", "1")}, ["dialectness: must be a pair"]),
        ({"dialectness": (float("nan"), 1)}, ["dialectness: must be a pair"]),
        ({"priors": {"arb_Arab": 1.5}}, ["priors['arb_Arab'] must be a number in (0, 1)"]),
        ({"priors": {"msa": 0.7}}, ["unknown label 'msa'"]),
        ({"priors": {"arb_Arab": 0.7}, "identify": lambda t: "ary_Arab"}, ["priors: apply to aimm's own identifier"]),
        ({"dialectness": (1, 0), "priors": {"x": 2}, "min_lang_score": 2},
         ["dialectness: must be", "unknown label 'x'", "min_lang_score: must be in [0, 1]"]),
    ],
)  # fmt: skip
def test_bad_options_are_all_listed(kwargs: dict, messages: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        clean(make(DARIJA), **kwargs)
    assert all(m in str(info.value) for m in messages), str(info.value)
    assert len(info.value.errors) == len(messages)


def test_corpus_config_carries_dialectness_and_priors() -> None:
    from aimm_nlp.corpus.config import config_from_dict

    base = {"sources": [{"path": "x.txt"}], "output": {"dir": "out"}}
    cfg = config_from_dict(base, overrides=["clean.dialectness=[0.5, 1]", "clean.priors={arb_Arab: 0.7}"])
    assert (cfg.clean.dialectness, cfg.clean.priors) == ([0.5, 1.0], {"arb_Arab": 0.7})
    with pytest.raises(ConfigError) as info:
        config_from_dict({**base, "clean": {"dialectness": [0.8, 0.2], "priors": {"arb_Arab": 2}}})
    assert len(info.value.errors) == 2
    assert "clean.dialectness: must be a pair" in str(info.value) and "clean.priors['arb_Arab']" in str(
        info.value
    )
