"""`aimm corpus describe --on-error skip`: malformed lines are left out of the stats and counted apart
(the error message told users to pass on_error='skip', which describe did not have)."""

from __future__ import annotations

import json

import pytest

from aimm_nlp.cli import main

LINES = [
    '{"text": "salam labas 3lik"}',
    '{"text": "\\ud800 7na hna"}',  # a lone surrogate as a JSON escape (scraped tweets)
    "not json",
    '{"text": 42}',
    '{"text": "واش نتا مزياااان؟"}',
    '{"text": "ⴰⵣⵓⵍ 😀"}',
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_default_stops_at_the_first_malformed_line_and_names_every_spelling_of_skip(corpus, tmp_path, capsys):
    assert main(["corpus", "describe", str(corpus), "--out", str(tmp_path / "s"), "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert f"{corpus}:2:" in err and "--on-error skip" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_skip_counts_malformed_lines_apart_from_the_documents(corpus, tmp_path, capsys):
    out = tmp_path / "s"
    assert (
        main(["corpus", "describe", str(corpus), "--out", str(out), "--no-plots", "--on-error", "skip"]) == 0
    )
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    assert stats["n_docs"] == 3 and stats["n_malformed"] == 3
    assert set(stats["by_script"]) == {"Latn", "Arab", "Tfng"}  # no empty "Other" rows for the bad lines
    assert "3 malformed lines skipped" in (out / "stats.md").read_text("utf-8")
