"""Guard: the light entry points never pull torch, transformers or datasets."""

import subprocess
import sys

HEAVY = ("torch", "transformers", "datasets")


def _loaded_after(code: str, names: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of ``names`` a fresh interpreter has loaded after running ``code``."""
    probe = f"import sys; {code}; print(' '.join(m for m in {names!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()


def test_import_aimm_nlp_and_text_is_light() -> None:
    assert _loaded_after("import aimm_nlp, aimm_nlp.text; aimm_nlp.text.normalize('واااش')") == []


def test_cli_parser_is_light() -> None:
    assert _loaded_after("from aimm_nlp.cli import build_parser; build_parser()") == []


# What a first normalize() call must not load (each costs 10-30 ms of start-up; see bench_startup.py).
NOT_FOR_NORMALIZE = (
    "aimm_nlp.text.translit",
    "aimm_nlp.text.langid",
    "aimm_nlp.text.scripts",
    "importlib.resources",
    "dataclasses",
    "pathlib",
    "difflib",
    "numpy",
)
# What transliterating (any pair, Arabizi included) must not load: training, scoring, the pair reader.
NOT_FOR_TRANSLIT = (
    "aimm_nlp.text.translit._train",
    "aimm_nlp.text.translit._joint",
    "aimm_nlp.text.translit._pairs",
    "importlib.resources",
    "logging",
    "numpy",
)


def test_first_normalize_loads_only_normalize() -> None:
    code = "from aimm_nlp.text import normalize; normalize('واااش نتا مزيان؟ 😂')"
    assert _loaded_after(code, NOT_FOR_NORMALIZE) == []


def test_transliterate_does_not_load_training() -> None:
    code = (
        "from aimm_nlp.text import transliterate; transliterate('مرحبا', src='arb_Arab', dst='bw'); "
        "transliterate('3afak sift liya lmghrib', src='ary_Latn', dst='ary_Arab')"
    )
    assert _loaded_after(code, NOT_FOR_TRANSLIT) == []


def test_lazy_names_still_resolve() -> None:
    import aimm_nlp.text as text
    import aimm_nlp.text.translit as translit

    assert text.transliterate is translit.transliterate
    assert text.script_runs("salam")[0].script == "Latn"
    assert text.translit is translit
    assert translit.train is translit.train_transliterator
    assert translit.evaluate is translit.evaluate_transliteration
    assert {"train", "read_pairs", "Pair", "Transliterator"} <= set(dir(translit))
    assert {"transliterate", "script_runs", "identify"} <= set(dir(text))


def test_buckwalter_and_tifinagh_do_not_load_the_arabizi_engine() -> None:
    code = (
        "from aimm_nlp.text import transliterate; transliterate('مرحبا', src='arb_Arab', dst='bw'); "
        "transliterate('ⴰⵣⵓⵍ', src='zgh_Tfng', dst='zgh_Latn')"
    )
    engine = (
        "aimm_nlp.text.translit._model",
        "aimm_nlp.text.translit._foreign",
        "aimm_nlp.text.translit._context",
        "aimm_nlp.text.translit._backoff",
        "aimm_nlp.text.translit._fast",
    )
    assert _loaded_after(code, engine + NOT_FOR_TRANSLIT) == []
