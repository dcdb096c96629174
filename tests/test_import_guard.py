"""Guard: the light entry points never pull torch, transformers or datasets."""

import subprocess
import sys
import time

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


def test_help_is_fast() -> None:
    subprocess.run([sys.executable, "-m", "aimm_nlp", "--help"], capture_output=True, check=True)  # warm
    best = min(_time_help() for _ in range(3))
    # 0.3 s is the goal for `aimm --help`; allow slack for a loaded CI machine.
    assert best < 1.0, best


def _time_help() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aimm_nlp", "--help"], capture_output=True, check=True)
    return time.perf_counter() - start
