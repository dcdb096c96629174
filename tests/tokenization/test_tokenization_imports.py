from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest


def test_import_is_light() -> None:
    code = (
        "import sys, aimm_nlp.tokenization as t; t.__dir__(); "
        "print([m for m in ('torch', 'transformers', 'tokenizers', 'datasets') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# Modules with runnable examples. Left out: extend and _load (their examples need a real model's
# tokenizer file, so they are all +SKIP) and _corpus (no examples); tests/test_docstring_examples.py
# still runs every module's doctests.
@pytest.mark.parametrize("module", ["__init__", "_pretok", "metrics", "evaluate", "train"])
def test_docstring_examples_run(module: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes must not write into the checkout
    name = "aimm_nlp.tokenization" if module == "__init__" else f"aimm_nlp.tokenization.{module}"
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0, result
