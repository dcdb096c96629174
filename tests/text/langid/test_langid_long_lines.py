"""langid on very long texts: bounded memory (issue 17: one 20 MB line peaked at 1.26 GB), the same
results as before on texts up to ``MAX_CHARS``, and word tags that still cover every word.

About internals: the sampling of long texts (``langid._sample``) and the private batched tagger
(``aimm_nlp.text.langid._words.tag_batch``) are checked directly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from aimm_nlp.cli import main
from aimm_nlp.text import langid
from aimm_nlp.text.langid import identify, identify_batch, load_langid_model, tag_words
from aimm_nlp.text.langid._words import tag_batch

WORDS = (
    "salam labas 3lik wach nta mzyan ana ghadi l dar je suis fatigué aujourd'hui send me the file "
    "واش نتا مزيان الله يعطيك الصحة أعلنت الحكومة عن خطة ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ bzzzaaaf 😂 2024"
).split()


def long_text(n_words: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n_words))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3",
        "😂",
        "wach nta mzyan? ana ghadi l dar",
        "واااش نتا مزياااان؟",
        "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
        "safi ghadi nmchi, je suis fatigué",
        long_text(2_000, 1),
        "bzaf " * (langid.MAX_CHARS // 5),  # exactly MAX_CHARS characters: still the whole text
    ],
    ids=lambda t: f"{len(t)} chars",
)
def test_texts_up_to_the_bound_are_scored_whole(text: str) -> None:
    """Up to MAX_CHARS the model sees the text itself: the same label and score as the model's own
    prediction on it (what identify() returned before the bound)."""
    assert len(text) <= langid.MAX_CHARS
    assert langid._sample(text) is text
    m = load_langid_model()
    probs, script, counts = m.predict_proba([text])
    guess = identify(text)
    if counts.sum() == 0:
        assert guess.lang == "und"
    elif script[0] == 2:
        assert guess.lang == "zgh_Tfng"
    else:
        assert (guess.lang, guess.score) == (m.labels[int(probs[0].argmax())], float(probs[0].max()))
    assert guess == identify_batch([text, "salam"])[0]


@pytest.mark.parametrize("limit", [200, 401, 4000])  # windows of limit // 8 characters, longer than any word
def test_the_sample_of_a_long_text_is_bounded_whole_words_from_start_to_end(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(langid, "MAX_CHARS", limit)
    text = long_text(3_000, 2)
    sample = langid._sample(text)
    assert len(sample) <= limit + 8
    words = set(text.split())
    assert set(sample.split()) <= words  # no word cut in two
    assert sample.split()[0] == text.split()[0] and sample.split()[-1] == text.split()[-1]


@pytest.mark.parametrize("text", ["ⵣ" * 5000, "bzaf" * 3000, "واش" * 2000 + " " + "x" * 3000])
def test_the_sample_of_text_without_spaces_is_bounded_and_not_empty(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(langid, "MAX_CHARS", 400)
    sample = langid._sample(text)
    assert 0 < len(sample) <= 408 and set(sample) <= set(text) | {" "}


def test_a_long_text_keeps_its_label(monkeypatch: pytest.MonkeyPatch) -> None:
    arabizi = " ".join(["wach nta mzyan ana ghadi l dar 3afak sift liya"] * 40_000)  # 1.9M characters
    assert len(arabizi) > langid.MAX_CHARS
    guess = identify(arabizi)
    assert guess.lang == "ary_Latn" and guess.score > 0.9 and not guess.mixed


@pytest.mark.parametrize("limit", [30, 200])
def test_long_texts_are_word_tagged_window_by_window(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    text = long_text(400, 3) + " " + "x" * (limit * 3)  # and one "word" longer than a window
    whole = tag_batch([text], load_langid_model())[0]
    monkeypatch.setattr(langid, "MAX_CHARS", limit)
    tags = tag_words(text)
    assert all(text[t.start : t.end] == t.text for t in tags)
    assert [t.text for t in tags if len(t.text) < limit] == [t.text for t in whole if len(t.text) < limit]
    assert [t.start for t in tags] == sorted(t.start for t in tags)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_cli_words_on_a_long_line_match_tag_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    monkeypatch.setattr(langid, "MAX_CHARS", 50)
    src = tmp_path / "in.txt"
    lines = [long_text(120, 4), "", "salam", long_text(30, 5)]
    src.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["langid", "--words", "--format", fmt, str(src)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(lines)
    for line, row in zip(lines, out, strict=True):
        tags = tag_words(line)
        if fmt == "jsonl":
            assert json.loads(row)["words"] == [[t.text, t.lang] for t in tags]
        else:
            assert row.split("\t")[2] == " ".join(f"{t.text}/{t.lang}" for t in tags)


def test_memory_stays_bounded_on_one_huge_line(tmp_path: Path) -> None:
    """Peak RSS growth of identify() on a 10M-character line, in a fresh process (before: ~500 MB)."""
    script = textwrap.dedent(
        """
        import resource, sys
        from aimm_nlp.text.langid import identify
        identify("salam")
        words = "salam labas 3lik wach nta mzyan واش نتا مزيان الله يعطيك ⴰⵣⵓⵍ je suis 😂".split()
        line = " ".join(words[i % len(words)] for i in range(1_800_000))[:10_000_000]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        guess = identify(line)
        guess.mixed
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(guess.lang, (after - before) // 1024)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lang, grown_mb = proc.stdout.split()
    assert lang in {"ary_Latn", "ary_Arab"}
    assert int(grown_mb) < 120, f"identify() on a 10M-character line grew the process by {grown_mb} MB"
