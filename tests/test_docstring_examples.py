"""Guard: every docstring example in the package runs (STYLE: examples in docstrings are tested)."""

import doctest
import importlib
import pkgutil

import pytest

import aimm_nlp

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(aimm_nlp.__path__, "aimm_nlp.")
    if not info.name.endswith("__main__")  # importing it would run the CLI
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes must not write into the checkout
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
