"""run_demo() refuses bad options before any work and accepts new, empty and earlier demo folders.

These tests never run the demo: its first step is replaced by one that records it was reached.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimm_nlp.demo import DEMO_MARKER, run_demo
from aimm_nlp.errors import ConfigError
from demo_support import Started, earlier_demo, no_heavy_work


@pytest.fixture(autouse=True)
def _no_heavy_work(monkeypatch: pytest.MonkeyPatch) -> None:
    no_heavy_work(monkeypatch)


@pytest.mark.parametrize("state", ["missing", "empty", "earlier demo"])
def test_new_empty_and_earlier_demo_folders_are_accepted(tmp_path: Path, state: str) -> None:
    out = tmp_path / "aimm_demo"
    if state == "empty":
        out.mkdir()
    elif state == "earlier demo":
        earlier_demo(out)
        (out / "my_notes.md").write_text("kept\n", encoding="utf-8")  # the demo never writes this name
    with pytest.raises(Started):
        run_demo(out=out, progress=False, log=lambda _: None)
    marker = json.loads((out / DEMO_MARKER).read_text(encoding="utf-8"))
    assert marker["written_by"] == "aimm_nlp.demo"
    if state == "earlier demo":
        assert (out / "my_notes.md").read_text(encoding="utf-8") == "kept\n"


def test_every_bad_option_is_reported_at_once(tmp_path: Path) -> None:
    out = tmp_path / "aimm_demo"
    with pytest.raises(ConfigError) as info:
        run_demo(
            out=out, seed=-1, vocab_size=0, limit=0, max_steps=True, data=tmp_path / "nope", progress=False
        )
    message = str(info.value)
    for needle in ("--seed", "vocab_size", "limit", "max_steps", f"--data {tmp_path / 'nope'}"):
        assert needle in message, needle
    assert not out.exists()
