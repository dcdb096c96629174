"""When ``identify(text)`` runs the compiled one-text kernel (``aimm_nlp.text.langid._fast_jit``):
the ``AIMM_LANGID_JIT`` setting, the switch-over of ``auto`` after enough calls (ski rental: later when
numba must compile the kernel first), the numpy path when numba is missing or fails, and no numba
import in a process that makes few calls. Results of both paths: ``test_langid_fast.py``."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.text import identify, identify_batch
from aimm_nlp.text.langid import _fast, _fast_jit

TEXTS = ["واش كاين شي حد فالدار؟", "salam 3likom, labas?", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "شفت le film ديال البارح", "🙂", ""]


@pytest.mark.parametrize(
    ("langid_jit", "no_jit", "expected"),
    [
        (None, None, "auto"),
        (None, "1", "0"),
        ("0", None, "0"),
        ("1", "1", "1"),
        ("auto", None, "auto"),
        (" AUTO ", None, "auto"),
    ],
)
def test_mode_reads_the_environment(monkeypatch, langid_jit, no_jit, expected: str) -> None:
    for name, value in ((_fast_jit.VARIABLE, langid_jit), ("AIMM_NO_JIT", no_jit)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert _fast_jit.mode() == expected


@pytest.mark.parametrize("kernel_state", ["not_loaded", "loaded", "unavailable"])
@pytest.mark.parametrize("value", ["yes", "2", "", "numba"])
def test_a_bad_setting_is_a_clear_error(monkeypatch, kernel, value: str, kernel_state: str) -> None:
    monkeypatch.setattr(
        _fast_jit, "_kernel", {"not_loaded": None, "loaded": kernel, "unavailable": False}[kernel_state]
    )
    monkeypatch.setenv(_fast_jit.VARIABLE, value)
    with pytest.raises(ConfigError, match=r"AIMM_LANGID_JIT.*0 .*1 .*auto"):
        identify("salam")


@pytest.mark.parametrize(("cached", "first_compiled_call"), [(True, 4), (False, 9)], ids=["cached", "cold"])
def test_auto_switches_after_enough_one_text_calls(
    monkeypatch, kernel, cached: bool, first_compiled_call: int
) -> None:
    monkeypatch.delenv(_fast_jit.VARIABLE, raising=False)
    monkeypatch.delenv("AIMM_NO_JIT", raising=False)
    monkeypatch.setattr(_fast_jit, "JIT_AFTER", 4)
    monkeypatch.setattr(_fast_jit, "JIT_AFTER_COLD", 9)
    monkeypatch.setattr(_fast_jit, "_kernel", None)  # restored to the loaded kernel afterwards
    monkeypatch.setattr(_fast_jit, "_calls", 0)
    monkeypatch.setattr(_fast_jit, "_cold", None)
    monkeypatch.setattr(_fast_jit, "_cache_holds_kernel", lambda: cached)
    loads: list[int] = []

    def load():
        loads.append(len(loads))
        _fast_jit._kernel = kernel
        return kernel

    numpy_calls: list[str] = []
    numpy_predict = _fast.predict_one

    def counted(model, text, shift=None):
        numpy_calls.append(text)
        return numpy_predict(model, text, shift)

    monkeypatch.setattr(_fast_jit, "load", load)
    monkeypatch.setattr(_fast, "predict_one", counted)
    batch = identify_batch(TEXTS * 3)
    for i, text in enumerate(TEXTS * 3):
        one = identify(text)
        assert len(numpy_calls) == min(i + 1, first_compiled_call - 1)
        assert (one.lang, one.score) == (batch[i].lang, batch[i].score)
    assert loads == [0]


@pytest.mark.parametrize("failure", ["no_numba", "compile_fails"])
def test_without_numba_the_numpy_path_gives_the_same_results(monkeypatch, caplog, failure: str) -> None:
    monkeypatch.setenv(_fast_jit.VARIABLE, "1")
    monkeypatch.setattr(_fast_jit, "_kernel", None)
    if failure == "no_numba":
        monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
        monkeypatch.delitem(sys.modules, "aimm_nlp.text.langid._fast_kernel", raising=False)
    else:

        def broken(kernel):
            raise RuntimeError("LLVM error")

        monkeypatch.setattr(_fast_jit, "_warm", broken)
    batch = identify_batch(TEXTS)
    with caplog.at_level(logging.DEBUG, logger="aimm_nlp.text.langid._fast_jit"):
        guesses = [identify(t) for t in TEXTS]
    assert _fast_jit._kernel is False
    assert [(g.lang, g.score) for g in guesses] == [(g.lang, g.score) for g in batch]
    records = [r for r in caplog.records if r.name == "aimm_nlp.text.langid._fast_jit"]
    assert len(records) == 1 and records[0].levelno == logging.DEBUG and "numpy" in records[0].getMessage()


def test_the_cache_check_reads_numbas_cache(monkeypatch, kernel, tmp_path: Path) -> None:
    # The kernel was compiled (or read) into this session's NUMBA_CACHE_DIR (conftest.py): it holds it.
    assert _fast_jit._cache_holds_kernel()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert not _fast_jit._cache_holds_kernel()


@pytest.mark.parametrize("setting", [None, "0"], ids=["auto", "numpy"])
def test_a_process_with_few_calls_never_imports_numba(tmp_path: Path, setting: str | None) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in (_fast_jit.VARIABLE, "AIMM_NO_JIT")}
    if setting is not None:
        env[_fast_jit.VARIABLE] = setting
    code = (
        "import sys; from aimm_nlp.text import identify, dialectness\n"
        f"texts = {TEXTS!r} * 50\n"
        "[identify(t) for t in texts]; [dialectness(t) for t in texts]\n"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False"]
