"""Guard: the light entry points never pull torch, transformers or datasets."""

import subprocess
import sys

HEAVY = ("torch", "transformers", "datasets")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys; {code}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()


def test_import_aimm_nlp_and_text_is_light() -> None:
    assert _loaded_after("import aimm_nlp, aimm_nlp.text; aimm_nlp.text.normalize('واااش')") == []


def test_cli_parser_is_light() -> None:
    assert _loaded_after("from aimm_nlp.cli import build_parser; build_parser()") == []
