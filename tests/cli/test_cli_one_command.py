"""``aimm COMMAND ...`` builds the parser of that command alone: the same help and parsing as the full
parser, without importing the other commands' modules."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.cli import build_parser, main


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


COMMANDS = sorted(_commands(build_parser()))


def test_every_command_is_listed() -> None:
    assert {"translit", "normalize", "langid", "eval", "tokenizer", "finetune", "report"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_one_command_parser_equals_the_full_one(command: str) -> None:
    one = _commands(build_parser(command))
    assert list(one) == [command]
    assert one[command].format_help() == _commands(build_parser())[command].format_help()


@pytest.mark.parametrize(
    "first",
    [None, "", "--help", "--version", "nope", "TRANSLIT", "_types", "-h", "__init__", "translit.py", "a b"],
)
def test_anything_else_gets_the_full_parser(first: str | None) -> None:
    assert sorted(_commands(build_parser(first))) == COMMANDS


def test_an_unknown_command_still_lists_them_all(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["nope"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err and all(repr(c) in err for c in COMMANDS)


def test_a_bad_option_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["translit", "--src", "ary_Latn", "--dst", "ary_Arab", "--bogus"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def _translit_in_a_fresh_process(tmp_path: Path, options: list[str], then: str) -> tuple[list, str]:
    """``aimm translit OPTIONS IN -o OUT`` through ``main()`` in a new interpreter on four real lines;
    ``then`` is Python run after it that prints one JSON value (``rc`` is the exit code). Returns that
    value and OUT."""
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("3afak sift liya lmghrib\nwaaa3er 😂\n\nl réunion demain\n", encoding="utf-8")
    args = ["translit", "--src", "ary_Latn", "--dst", "ary_Arab", *options, str(src), "-o", str(out)]
    code = f"import json, sys\nfrom aimm_nlp.cli import main\nrc = main({args!r})\n{then}"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(run.stdout), out.read_text(encoding="utf-8")


def test_a_command_imports_no_other_command(tmp_path: Path) -> None:
    then = "print(json.dumps([rc, sorted(m for m in sys.modules if m.startswith('aimm_nlp.cli.'))]))"
    (rc, loaded), out = _translit_in_a_fresh_process(tmp_path, ["--phonetic"], then)
    assert rc == 0 and loaded == ["aimm_nlp.cli.translit"]
    assert out == "عافاك سيفت ليا لمغريب\nواعر 😂\n\nل réunion demain\n"


def test_a_short_phonetic_run_loads_no_dataclasses_nor_pkgutil(tmp_path: Path) -> None:
    """``aimm translit --phonetic --no-keep-foreign FILE``, the fastest whole run (benchmarks/bench_translit.py):
    no dataclasses (the Lang table, the result types), no pkgutil listing of the commands (it imports
    inspect); they cost ~15 ms of a ~90 ms run. The results still load where they are used."""
    then = (
        "loaded = [m for m in ('dataclasses', 'inspect', 'pkgutil') if m in sys.modules]\n"
        "from aimm_nlp.langs import LANGS\nfrom aimm_nlp.text.translit import candidates\n"
        "c = candidates('3lach', src='ary_Latn', dst='ary_Arab', k=1)[0]\n"
        "print(json.dumps([rc, loaded, LANGS['ary_Latn'].script, type(c).__name__, 'dataclasses' in sys.modules]))"
    )
    got, out = _translit_in_a_fresh_process(tmp_path, ["--phonetic", "--no-keep-foreign"], then)
    assert got == [0, [], "Latn", "Candidate", True]
    assert out == "عافاك سيفت ليا لمغريب\nواعر 😂\n\nل ريونيون دماين\n"
