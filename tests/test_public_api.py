"""The public surface stays put while the insides move (issue 18): every public module's ``__all__``
and every ``aimm ... --help`` text are compared with a snapshot.

Nothing may disappear from ``__all__``; additions are listed in the snapshot when it is regenerated.
After a deliberate change, regenerate with ``AIMM_UPDATE_SNAPSHOT=1 pytest tests/test_public_api.py``
and review the diff of ``tests/data/public_api.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).parent / "data" / "public_api.json"
MODULES = [
    "aimm_nlp",
    "aimm_nlp.text",
    "aimm_nlp.text.translit",
    "aimm_nlp.text.langid",
    "aimm_nlp.corpus",
    "aimm_nlp.tokenization",
    "aimm_nlp.finetune",
    "aimm_nlp.evaluation",
    "aimm_nlp.report",
    "aimm_nlp.langs",
    "aimm_nlp.resources",
    "aimm_nlp.errors",
    "aimm_nlp.testing",
]
# Commands whose options are parsed by a parser of their own after the first word.
EXTRA_COMMANDS = [["translit", "train"], ["translit", "eval"], ["langid", "train"]]


def _commands() -> list[list[str]]:
    from aimm_nlp.cli import build_parser

    found: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return sorted(found + EXTRA_COMMANDS)


def _help(command: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "100", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "aimm_nlp", *command, "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _current() -> dict[str, object]:
    exports = {name: sorted(importlib.import_module(name).__all__) for name in MODULES}
    helps = {" ".join(["aimm", *c]): _help(c) for c in _commands()}
    return {"all": exports, "help": helps}


@pytest.fixture(scope="module")
def current() -> dict[str, object]:
    return _current()


def test_snapshot_is_current_or_regenerated(current):
    if os.environ.get("AIMM_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert SNAPSHOT.is_file(), f"no snapshot: run AIMM_UPDATE_SNAPSHOT=1 pytest {__file__}"


@pytest.mark.parametrize("module", MODULES)
def test_nothing_leaves_all(current, module):
    saved = json.loads(SNAPSHOT.read_text("utf-8"))["all"]
    gone = sorted(set(saved[module]) - set(current["all"][module]))
    assert not gone, f"{module}.__all__ lost {gone}: the public API must not shrink"
    added = sorted(set(current["all"][module]) - set(saved[module]))
    assert not added, f"{module}.__all__ gained {added}: regenerate the snapshot (see module docstring)"


def test_every_public_name_resolves(current):
    for module, names in current["all"].items():
        mod = importlib.import_module(module)
        for name in names:
            assert getattr(mod, name, None) is not None, f"{module}.{name} is in __all__ but not there"


def test_cli_help_texts_unchanged(current):
    saved = json.loads(SNAPSHOT.read_text("utf-8"))["help"]
    assert sorted(saved) == sorted(current["help"]), "commands added or removed: regenerate the snapshot"
    changed = [cmd for cmd in saved if saved[cmd] != current["help"][cmd]]
    assert not changed, f"--help changed for {changed}: regenerate the snapshot if that was meant"
