"""aimm_nlp._progress: a tqdm bar on a terminal, plain meter lines otherwise, nothing under quiet()."""

from __future__ import annotations

import io
import re

import pytest

from aimm_nlp import _progress
from aimm_nlp._progress import Progress, quiet, track

METER = re.compile(r"\d+/\d+ \[\d\d:\d\d<\d\d:\d\d")  # done/total [elapsed<ETA


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def err(capsys):
    """Reads what was written to stderr so far (pytest's capture: not a terminal)."""

    class _Err:
        def getvalue(self) -> str:
            captured = capsys.readouterr()
            assert captured.out == ""  # progress never writes to stdout
            return captured.err

    return _Err()


@pytest.mark.parametrize(
    ("total", "items", "lines"),
    [
        (3, ["salam", "ⴰⵣⵓⵍ", "مزياااان 😂"], 2),  # after the first item (its ETA) and at the end
        (1, [""], 2),
        (0, [], 0),  # nothing to count: no line
    ],
)
def test_plain_lines_when_stderr_is_not_a_terminal(err, total, items, lines):
    assert list(track(iter(items), total=total, desc="eval ary_sentiment")) == items
    text = err.getvalue()
    out = text.splitlines()
    assert len(out) == lines and "\r" not in text
    for line in out:
        assert line.startswith("eval ary_sentiment: ") and METER.search(line), line
    if lines:
        assert f"{total}/{total} [" in out[-1]


def test_interval_limits_lines_and_postfix_and_resume_are_shown(err, monkeypatch):
    monkeypatch.setenv("AIMM_PROGRESS_INTERVAL", "3600")
    bar = Progress(total=50, initial=10, desc="finetune", unit="step")
    for k in range(40):
        bar.update(loss=1.0 / (k + 1))
    bar.close()
    out = err.getvalue().splitlines()
    assert len(out) == 2  # the first step, then only the end (the interval is an hour)
    assert "loss=1" in out[0] and "loss=0.025" in out[-1]
    assert "40/40 [" in out[-1] and out[-1].endswith("(50/50)") and "step/s" in out[-1]


def test_bar_on_a_terminal(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(_progress.sys, "stderr", tty)
    bar = Progress(total=4, desc="finetune", unit="step")
    for _ in range(4):
        bar.update(loss=2.5)
    bar.close()
    text = tty.getvalue()
    assert "\r" in text and "finetune: 100%" in text and "4/4 [" in text and "loss=2.5" in text


@pytest.mark.parametrize("tty", [False, True])
def test_quiet_silences_and_is_restored(monkeypatch, tty):
    stream = _Tty() if tty else io.StringIO()
    monkeypatch.setattr(_progress.sys, "stderr", stream)
    with quiet():
        assert list(track(range(5), total=5, desc="eval")) == [0, 1, 2, 3, 4]
        with quiet(False):  # an inner block cannot turn it back on
            list(track(range(2), total=2, desc="eval"))
    assert stream.getvalue() == ""
    with quiet(False):
        list(track(range(2), total=2, desc="eval"))
    assert "2/2 [" in stream.getvalue()


@pytest.mark.parametrize("value", ["", "abc", "-5"])
def test_bad_interval_falls_back(err, monkeypatch, value):
    monkeypatch.setenv("AIMM_PROGRESS_INTERVAL", value)
    list(track(range(3), total=3, desc="eval"))
    assert "3/3 [" in err.getvalue()  # the default interval of 30 s
