"""The C kernels (``_ckernels.c`` through ``_native``): the very results of the Python search and of the
keep-foreign checks, on real Arabizi and on hostile words, and the fallbacks where they are missing."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimm_nlp.text.translit import Transliterator, _native
from aimm_nlp.text.translit._foreign import _BY_KIND, ForeignDetector
from aimm_nlp.text.translit._model import RuleRanker, default_model
from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._rules import _case_fold

ROOT = Path(__file__).resolve().parents[3]
CODESWITCH = ROOT / "tests" / "data" / "codeswitch_translit.tsv"

# "", one letter, emoji, elongation, capitals, digits, apostrophes, other scripts, a shadda, NUL, over 64 letters
HOSTILE = [
    "", "a", "3", "x", "😂", "bzzzzzzaaaaaaf", "BZAF", "tkhSiS", "KHDMT", "İstanbul", "ΣΑΣ", "ß", "7na",
    "l'école", "l’école", "aujourd'hui", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "سلام", "\u0651a", "a\u0651", "\x00", "a\x00b",
    "h" * 64, "h" * 65, "ha" * 40, "3afak", "réunion", "ça", "9ahwa", "wa7d", "'", "''", "x'", "2020",
]  # fmt: skip


def _ranker() -> RuleRanker:
    model = default_model()
    assert isinstance(model, RuleRanker)
    return model


def _like(ranker: RuleRanker, **changes: object) -> SimpleNamespace:
    """What ``_native.search`` reads of a ranker, with some parts changed."""
    parts = ("table", "lm", "vocab", "lm_weight", "vocab_bonus", "beam")
    return SimpleNamespace(**{**{p: getattr(ranker, p) for p in parts}, **changes})


def _require_native() -> None:
    """The kernels are part of the install under test: CI must have built them (a skip there would hide a
    broken build hook); elsewhere a checkout without a C compiler skips, saying why."""
    if os.environ.get("AIMM_NO_NATIVE"):
        pytest.skip("AIMM_NO_NATIVE is set: the C kernels are off on purpose")
    if _native.kernels() is None:
        if os.environ.get("CI"):
            pytest.fail("aimm_nlp.text.translit._ckernels is not built: `pip install -e .` compiles it")
        pytest.skip("the C kernels are not built here (no C compiler at install)")


@pytest.fixture(scope="module")
def real_words(shared: Path) -> list[str]:
    """Latin-script words of DODa's word list and sentences and of the code-switched test file."""
    words: set[str] = set()
    with open(shared / "data/doda/words_translit.tsv", encoding="utf-8", newline="") as fh:
        words |= {r["latin"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    with open(shared / "data/doda/sentences.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            words.update(row["darija_latin"].split())
    words.update(CODESWITCH.read_text(encoding="utf-8").split())
    picked = sorted(words)
    random.Random(7).shuffle(picked)
    return picked[:6000]


def test_ci_builds_the_kernels() -> None:
    _require_native()
    assert _native.kernels().SOURCE_SHA256 == _native.source_digest()  # type: ignore[union-attr]


def test_the_search_gives_the_python_spelling_of_every_word(real_words: list[str]) -> None:
    _require_native()
    ranker = _ranker()
    search = _native.search(ranker)
    assert search is not None
    words = [w if w.islower() else _case_fold(w) for w in [*real_words, *HOSTILE] if w]
    got = search.best_many(words, [w.lower() for w in words])
    held = {w for w, g in zip(words, got, strict=True) if g is None}
    # only what the arrays cannot hold goes back to Python: over 64 letters, or another length in lowercase
    assert held == {w for w in words if len(w) > 64 or len(w.lower()) != len(w)}
    for word, spelled in zip(words, got, strict=True):
        if spelled is not None:
            assert spelled == ranker.rank(word, k=1)[0][0] or word in ranker.table.lexicon, word


@pytest.mark.parametrize("beam", [1, 3, 12, 40])
def test_the_search_follows_the_beam(real_words: list[str], beam: int) -> None:
    _require_native()
    from aimm_nlp.text.translit._rules import rank_rules

    ranker = _ranker()
    knobs = {"lm_weight": 0.7, "vocab_bonus": 2.0, "beam": beam}
    search = _native.search(_like(ranker, **knobs))  # type: ignore[arg-type]
    words = [w.lower() for w in real_words[:400]]
    for word, spelled in zip(words, search.best_many(words, words), strict=True):  # type: ignore[union-attr]
        if word in ranker.table.lexicon:  # best_many answers those from the lexicon, before any search
            continue
        if spelled is None:  # a layer over 256 hypotheses (beam x options): the caller ranks it in Python
            assert beam > 12, word
            continue
        expected = rank_rules(word, table=ranker.table, lm=ranker.lm, vocab=ranker.vocab, k=1, **knobs)
        assert spelled == expected[0][0], word


_LETTERS = "abcdefghijklmnopqrstuvwxyzKHSDTZ2345789'’-éçœ" + "عحⵣ😂\u0651İßΣ\u200f"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=_LETTERS, min_size=1, max_size=14), min_size=1, max_size=40))
def test_random_words_get_the_python_spelling_and_verdicts(words: list[str]) -> None:
    _require_native()
    ranker = _ranker()
    search = _native.search(ranker)
    folded = [w if w.islower() else _case_fold(w) for w in words]
    for word, spelled in zip(folded, search.best_many(folded, [w.lower() for w in folded]), strict=True):  # type: ignore[union-attr]
        if spelled is not None and word not in ranker.table.lexicon:
            assert spelled == ranker.rank(word, k=1)[0][0], word
    detector = ranker.foreign
    kinds, lowered, todo, ratios = _native.foreign(detector).batch(words)  # type: ignore[union-attr]
    for i, word in enumerate(words):
        evidence = detector._lexical(word)
        assert (
            (kinds[i], lowered[i]) == (0, evidence)
            if isinstance(evidence, str)
            else _BY_KIND[kinds[i]] == evidence
        )
    assert ratios == [detector.llr(lowered[i]) for i in todo]


def test_best_many_is_the_same_with_and_without_the_kernels(real_words: list[str]) -> None:
    _require_native()
    ranker = _ranker()
    words = [*real_words[:1500], *HOSTILE]
    with_c = ranker.best_many(words)
    saved = ranker.__dict__.pop("_native")
    try:
        ranker._native = None  # type: ignore[misc]
        assert ranker.best_many(words) == with_c
    finally:
        ranker._native = saved  # type: ignore[misc]


def test_the_foreign_checks_give_the_python_verdicts(real_words: list[str]) -> None:
    _require_native()
    detector = _ranker().foreign
    kernels = _native.foreign(detector)
    assert kernels is not None
    words = [*real_words, *HOSTILE, "Réunion", "DOCUMENTATION", "l'Ecole", "ⵣ", "ÉCOLE"]
    kinds, lowered, todo, ratios = kernels.batch(words)
    assert len(kinds) == len(lowered) == len(words)
    for i, word in enumerate(words):
        evidence = detector._lexical(word)
        if isinstance(evidence, str):  # the ratio decides
            assert kinds[i] == 0 and lowered[i] == evidence, word
        else:
            assert _BY_KIND[kinds[i]] == evidence, word
    assert ratios == [detector.llr(lowered[i]) for i in todo]
    assert kernels.ratios([]) == []


def test_decide_many_and_levels_are_the_same_without_the_kernels(real_words: list[str]) -> None:
    _require_native()
    data = _ranker().foreign
    plain = ForeignDetector(data.foreign_lm, data.arabizi_lm, set())
    plain._native = None  # type: ignore[misc]
    fast = ForeignDetector(data.foreign_lm, data.arabizi_lm, set())
    assert fast._native is not None
    words = [*real_words[:3000], *HOSTILE]
    assert fast.decide_many(words) == plain.decide_many(words) == [plain.decide(w) for w in words]
    assert fast.foreign_levels(words) == plain.foreign_levels(words)
    assert fast.foreign_levels([]) == [] and fast.decide_many([]) == []


def _lines() -> list[str]:
    with open(CODESWITCH, encoding="utf-8", newline="") as fh:
        return [r[0] for r in csv.reader(fh, delimiter="\t") if r]


@pytest.mark.parametrize("keep_foreign", [True, False])
def test_a_run_with_the_kernels_equals_one_without(keep_foreign: bool, tmp_path: Path) -> None:
    # a whole `aimm translit` run in a process of its own, with and without the kernels: the same bytes
    _require_native()
    src = tmp_path / "in.txt"
    src.write_text("\n".join([*_lines(), *(w for w in HOSTILE if "\x00" not in w)]), encoding="utf-8")
    outs = []
    for off in ("", "1"):
        out = tmp_path / f"out{off}.txt"
        cmd = [sys.executable, "-m", "aimm_nlp", "translit", str(src), "-o", str(out)]
        if not keep_foreign:
            cmd.append("--no-keep-foreign")
        env = {**os.environ, "AIMM_NO_NATIVE": off, "AIMM_CACHE_DIR": str(tmp_path / "cache")}
        subprocess.run(cmd, check=True, env=env, timeout=300)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_a_small_default_run_loads_neither_numba_nor_numpy() -> None:
    # the kernels replace numba's search (~1 s to import and load) and numpy's lexical checks
    _require_native()
    code = (
        "import sys\n"
        "from aimm_nlp.text.translit import Transliterator\n"
        "t = Transliterator(src='ary_Latn', dst='ary_Arab')\n"
        f"out = t.batch({[*_lines()[:200], *HOSTILE]!r} * 3)\n"
        "print('numba' in sys.modules, 'numpy' in sys.modules, len(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AIMM_NO_NATIVE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "False", str(3 * (len(_lines()[:200]) + len(HOSTILE)))]


@pytest.mark.parametrize("phonetic", [False, True])
def test_a_used_transliterator_still_pickles_for_worker_processes(phonetic: bool) -> None:
    # datasets.map(num_proc=...) and multiprocess send the map function, and a transliterator it holds, with
    # dill: the kernels (C memory) stay behind and the copy builds its own on first use, same outputs
    import dill

    _require_native()
    lines = [*_lines()[:40], *HOSTILE]
    t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
    expected = t.batch(lines)
    holders = [t.model, t.model.foreign] if not phonetic else [t.model.foreign]
    assert all("_native" in vars(h) for h in holders)  # built and used
    copy = dill.loads(dill.dumps(t))
    assert all(
        "_native" not in vars(h)
        for h in ([copy.model, copy.model.foreign] if not phonetic else [copy.model.foreign])
    )
    assert copy.batch(lines) == expected
    more = _lines()[40:120]  # new words: the copy scores them with kernels of its own
    assert copy.batch(more) == t.batch(more)
    assert "_native" in vars(copy.model.foreign)


def test_no_native_switches_the_kernels_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMM_NO_NATIVE", "1")
    assert _native.kernels() is None
    ranker = _ranker()
    assert _native.search(ranker) is None
    assert _native.foreign(ranker.foreign) is None


def test_a_kernel_built_from_another_source_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    _require_native()
    monkeypatch.setattr(_native, "source_digest", lambda: "0" * 64)  # the checkout's C source edited since
    _native._load.cache_clear()
    try:
        assert _native.kernels() is None
    finally:
        monkeypatch.undo()
        _native._load.cache_clear()
    assert _native.kernels() is not None


def test_a_model_the_kernels_cannot_hold_falls_back() -> None:
    _require_native()
    ranker = _ranker()
    # an n-gram whose context is no context: the state machine would not give the walk's scores
    open_lm = NgramTables(
        ranker.lm.order, {**ranker.lm.logp, "ⵣⵣⵣ": -1.0}, dict(ranker.lm.bow), ranker.lm.floor
    )
    assert (
        _native.search(_like(ranker, lm=open_lm)) is None  # type: ignore[arg-type]
    )
    deep = NgramTables(11, {"ab": -1.0}, {"a": -0.5}, -9.0)  # order over 9
    assert _native.search(_like(ranker, lm=deep, vocab={})) is None  # type: ignore[arg-type]
    other = NgramTables(3, dict(ranker.foreign.arabizi_lm.logp), dict(ranker.foreign.arabizi_lm.bow), -9.0)
    mixed = ForeignDetector(ranker.foreign.foreign_lm, other, set())
    assert _native.foreign(mixed) is None  # orders differ: llr's other formula, in Python


def test_the_transliterator_with_the_kernels_on_hostile_lines() -> None:
    _require_native()
    lines = [*HOSTILE, " ".join(HOSTILE[1:12]), "ana ghadi l réunion demain 3afak sift liya le document 😂"]
    for phonetic in (False, True):
        t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
        assert t.batch(lines) == [t(line) for line in lines]


def test_the_build_hook_compiles_whole_or_not_at_all(tmp_path: Path) -> None:
    # tools/hatch_build.py: a failed compile leaves nothing behind and says why; a good one writes the module
    if not sysconfig.get_config_var("LDSHARED"):
        pytest.skip("this Python names no C compiler")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from hatch_build import compile_kernels  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "tools"))
    bad = tmp_path / "bad.c"
    bad.write_text("this is not C\n", encoding="utf-8")
    target = tmp_path / ("bad" + sysconfig.get_config_var("EXT_SUFFIX"))
    error = compile_kernels(str(bad), str(target))
    assert error is not None and "failed" in error
    assert list(tmp_path.iterdir()) == [bad]
    good = tmp_path / ("_ckernels" + sysconfig.get_config_var("EXT_SUFFIX"))
    assert compile_kernels(str(ROOT / "src/aimm_nlp/text/translit/_ckernels.c"), str(good)) is None
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('_ckernels', {str(good)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "print(m.SOURCE_SHA256)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _native.source_digest()
