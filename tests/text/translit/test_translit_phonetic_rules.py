"""The phonetic reading reads the rule table alone: no model data unless keep-foreign needs it.

About internals: ``aimm_nlp.text.translit._phonetic`` (its ranker and sidecar reader) and ``_fast.rank_phonetic``
against the private ``_rules`` search with the shipped model's character model, and the modules a fresh
interpreter has loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.errors import ModelError
from aimm_nlp.text.translit import Transliterator, _fast, _phonetic
from aimm_nlp.text.translit._model import default_model
from aimm_nlp.text.translit._rules import rank_rules

WORDS = [
    "",
    "a",  # one letter, a lexicon word
    "x",
    "3lach",
    "7na",
    "bzzzaaaaf",  # elongation (the transliterator squeezes it; the search reads it as written)
    "bzaf",
    "sift",
    "lmghrib",
    "tkhSiS",  # a capital mid-word: an emphatic
    "SALAM",
    "3ammi",  # doubled consonant
    "ma3reftch",
    "kaydaaf3o",
    "l'école",  # a letter the rules do not know passes through
    "réunion",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ",  # Tifinagh: no rule applies
]


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("k", [1, 5])
def test_no_character_model_gives_the_shipped_models_ranking(word: str, k: int) -> None:
    # The reading weighs the character model by 0: the shipped model's own one gives the same spellings
    # and costs (what RuleRanker.rank_phonetic searched with before it shared this function).
    model = default_model()
    ranker = _phonetic.phonetic_model()
    with_lm = rank_rules(
        word, table=model.table, lm=model.lm, vocab={}, k=k, beam=model.beam, lm_weight=0.0, vocab_bonus=0.0
    )
    without = rank_rules(
        word, table=ranker.table, lm=_fast.NO_LM, vocab={}, k=k, beam=ranker.beam, lm_weight=0.0,
        vocab_bonus=0.0,
    )  # fmt: skip
    assert without == with_lm
    assert ranker.rank_phonetic(word, k=k) == model.rank_phonetic(word, k=k)
    if with_lm:  # the first spelling is the compiled reading
        assert ranker.rank_phonetic(word, k=k)[0][0] == (
            ranker.table.lexicon.get(ranker.compiled.fold(word)) or ranker.compiled.convert([ranker.compiled.fold(word)])[0]
        )  # fmt: skip


def test_phonetic_model_carries_the_shipped_name_and_beam() -> None:
    sidecar = json.loads(
        (Path(_phonetic.__file__).parent.parent / "models/translit_ary/model.json").read_text("utf-8")
    )
    ranker = _phonetic.phonetic_model()
    assert (ranker.name, ranker.beam) == (sidecar["name"], sidecar["config"]["beam"])
    assert _phonetic.phonetic_model() is ranker  # one per process


LINES = [
    "",
    "a",
    "3afak sift liya lmghrib",
    "ana ghadi l réunion demain, 3afak",  # code-switched
    "wa3er bzzzaaaaf 😂😂 @karim https://t.co/x",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ",
]


def _fresh(code: str, cache: Path) -> dict:
    """Run ``code`` in a fresh interpreter with an empty aimm store; it prints one JSON line."""
    env = {**os.environ, "AIMM_CACHE_DIR": str(cache), "NUMBA_CACHE_DIR": str(cache / "numba")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120, env=env
    )
    return json.loads(out.stdout)


def test_without_keep_foreign_the_model_data_is_never_read(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from aimm_nlp.text.translit import Transliterator\n"
        "t = Transliterator(src='ary_Latn', dst='ary_Arab', phonetic=True, keep_foreign=False)\n"
        f"out = t.batch({LINES!r}) + [t(line) for line in {LINES!r}]\n"
        "mods = [m for m in ('aimm_nlp.text.translit._model', 'aimm_nlp.text.translit._compact', "
        "'aimm_nlp.text.translit._foreign', 'aimm_nlp.text.translit._store', 'numpy') if m in sys.modules]\n"
        "print(json.dumps({'out': out, 'loaded': mods}))\n"
    )
    got = _fresh(code, tmp_path / "store")
    assert got["loaded"] == []
    assert not (tmp_path / "store").exists()  # nothing stored either
    same = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True, keep_foreign=False)
    assert got["out"] == same.batch(LINES) * 2
    assert got["out"][2] == "عافاك سيفت ليا لمغريب"
    assert got["out"][3] == "انا غادي ل ريونيون دماين, عافاك"  # every word spelled, French too


def test_keep_foreign_loads_the_shipped_detector() -> None:
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True)
    assert t.model.foreign is default_model().foreign
    assert t("ana ghadi l réunion demain, 3afak") == "انا غادي ل réunion demain, عافاك"
    # explain() shows the evidence without keep-foreign too: the detector loads there on first use
    plain = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=True, keep_foreign=False)
    decisions = {d.text: d for d in plain.explain("ana ghadi l réunion")}
    assert decisions["réunion"].evidence is not None and decisions["réunion"].evidence.foreign
    assert not decisions["réunion"].kept and decisions["réunion"].output == plain("réunion") == "ريونيون"


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        (None, "FileNotFoundError"),  # the file is missing
        ("", "JSONDecodeError"),
        ("{not json", "JSONDecodeError"),
        ('{"name": "translit_ary.v1"}', "KeyError"),  # no config
        ('{"config": {"beam": "wide"}}', "ValueError"),
        ("[]", "AttributeError"),  # not an object
    ],
)
def test_a_broken_sidecar_is_named(monkeypatch: pytest.MonkeyPatch, text: str | None, fails: str) -> None:
    def read_text(relpath: str) -> str:
        if text is None:
            raise FileNotFoundError(2, "No such file or directory", relpath)
        return text

    monkeypatch.setattr(_phonetic, "read_text", read_text)
    with pytest.raises(ModelError, match=rf"model\.json: unreadable \({fails}.*reinstall aimm_nlp"):
        _phonetic.phonetic_model.__wrapped__()
