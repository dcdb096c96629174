"""`aimm demo` refuses bad options and foreign --out folders before any work; nothing is written then.

These tests never run the demo: its first step is replaced by one that records it was reached.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.demo import DEMO_MARKER, run_demo
from aimm_nlp.errors import ConfigError


class Started(Exception):
    """Raised by the stubbed first step: validation passed and the demo began its work."""


@pytest.fixture(autouse=True)
def no_heavy_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def first_step(*args, **kwargs):
        raise Started

    monkeypatch.setattr("aimm_nlp.demo._stages.step_corpus", first_step)


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def demo(out: Path, *options: str) -> int:
    return main(["demo", "--out", str(out), "--no-progress", *options])


def earlier_demo(out: Path) -> Path:
    """A folder shaped like a finished demo's (marker, corpus, tokenizer, runs, report)."""
    from datasets import Dataset

    from aimm_nlp.corpus import save_corpus

    out.mkdir()
    (out / DEMO_MARKER).write_text('{"written_by": "aimm_nlp.demo", "format_version": 1}\n', encoding="utf-8")
    ds = Dataset.from_dict({"text": ["salam labas"], "lang": ["ary_Latn"], "source": ["mini"]})
    save_corpus(ds, out / "corpus", progress=False)
    (out / "tokenizer").mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (out / "tokenizer" / name).write_text("{}", encoding="utf-8")
    card = '{"format_version": 1, "aimm_nlp": "0.1.0", "kind": "bpe"}'
    (out / "tokenizer" / "tokenizer_card.json").write_text(card, encoding="utf-8")
    for name in ("ary_sentiment_tiny", "ary_causal_lm_tiny"):
        run = out / "runs" / name
        (run / "model").mkdir(parents=True)
        (run / ".aimm_run.json").write_text('{"written_by": "aimm_nlp.finetune"}', encoding="utf-8")
        (run / "metrics.jsonl").write_text('{"step": 5, "loss": 1.2}\n', encoding="utf-8")
    (out / "report").mkdir()
    (out / "report" / "index.html").write_text("<html></html>\n", encoding="utf-8")
    return out


def test_a_user_folder_is_refused_untouched(tmp_path: Path, capsys) -> None:
    proj = tmp_path / "myproj"
    (proj / "tokenizer").mkdir(parents=True)
    (proj / "tokenizer" / "NOTES.md").write_text("# ملاحظات\nⴰⵣⵓⵍ\n", encoding="utf-8")
    (proj / "corpus").mkdir()
    (proj / "corpus" / "tweets.txt").write_text("salam labas 3lik\n", encoding="utf-8")
    before = snapshot(proj)
    assert demo(proj) == 2
    err = capsys.readouterr().err
    assert f"--out {proj}" in err and "not a folder an earlier `aimm demo` wrote" in err
    assert "Traceback" not in err
    assert snapshot(proj) == before


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("tokenizer/NOTES.md", "aimm did not write (NOTES.md)"),
        ("corpus/notes.txt", "aimm did not write (notes.txt)"),
        ("runs/ary_sentiment_tiny/analysis.ipynb", "aimm did not write (analysis.ipynb)"),
    ],
)
def test_user_files_inside_an_earlier_demo_are_refused(
    tmp_path: Path, capsys, where: str, needle: str
) -> None:
    out = earlier_demo(tmp_path / "aimm_demo")
    (out / where).write_text("ⵜⴰⵎⴰⵣⵉⵖⵜ\n", encoding="utf-8")
    before = snapshot(out)
    assert demo(out) == 2
    err = capsys.readouterr().err
    assert needle in err and str(out / where.split("/")[0]) in err
    assert snapshot(out) == before


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


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_bad_seed_exits_2_before_any_work(tmp_path: Path, capsys, seed: str) -> None:
    out = tmp_path / "aimm_demo"
    assert demo(out, "--seed", seed) == 2
    err = capsys.readouterr().err
    assert f"--seed: must be an integer from 0 to 4294967295, got {seed}" in err and "Traceback" not in err
    assert not out.exists()


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


def test_out_is_a_file_or_below_a_file(tmp_path: Path, capsys) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapitre 1\n", encoding="utf-8")
    assert demo(thesis) == 2
    assert f"--out {thesis}: is a file" in capsys.readouterr().err
    assert demo(thesis / "demo") == 2
    assert f"{thesis} is a file" in capsys.readouterr().err
    assert thesis.read_text(encoding="utf-8") == "chapitre 1\n"


def test_data_folder_without_the_public_sets_is_refused(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    out = tmp_path / "aimm_demo"
    assert demo(out, "--data", str(data)) == 2
    assert "afrisenti_ma" in capsys.readouterr().err
    assert not out.exists()
