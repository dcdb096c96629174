"""Run files shared by the report tests and the `aimm report` CLI tests.

Imported by name (``from report_samples import run_json``): tests/report/conftest.py and tests/cli/conftest.py
put this folder on ``sys.path``.
"""

from __future__ import annotations

import json
import os

# a run file with one task, stored next to (or inside) a report folder
GOOD = {"results": {"ary_sentiment": {"alias": "ary_sentiment", "acc,none": 0.8, "f1,none": 0.7}}}

# (how the run file is stored in the report folder, under the name of a file the report writes)
PLACES = [
    (how, name)
    for how in ("file", "symlink", "hard link")
    for name in (
        "leaderboard.md",
        "leaderboard.html",
        "leaderboard.csv",
        "leaderboard.json",
        "scores_by_group.png",
    )
]


def place_run(tmp_path, how, name):
    """The run file, stored in the report folder as ``name`` (a copy, a symlink or a hard link)."""
    out = tmp_path / "report"
    out.mkdir()
    text = json.dumps(GOOD, ensure_ascii=False)
    if how == "file":
        (out / name).write_text(text, encoding="utf-8")
        return out / name, out
    (tmp_path / "run.json").write_text(text, encoding="utf-8")
    (os.symlink if how == "symlink" else os.link)(tmp_path / "run.json", out / name)
    return (tmp_path / "run.json" if how == "symlink" else out / name), out


def run_json(acc, bpb, lang="ary_Arab"):
    """A run with an accuracy (and its interval) on ary_sentiment and bits per byte on FLORES."""
    return {
        "results": {
            "ary_sentiment": {
                "alias": "ary_sentiment",
                "acc,none": acc,
                "acc_ci95,none": [acc - 0.05, acc + 0.05],
            },
            "flores_ary_Arab_bpb": {"bits_per_byte,none": bpb, "bits_per_byte_ci95,none": None},
        },
        "higher_is_better": {"ary_sentiment": {"acc": True}, "flores_ary_Arab_bpb": {"bits_per_byte": False}},
        "lang": {"ary_sentiment": "ary_Arab+ary_Latn", "flores_ary_Arab_bpb": lang},
    }


def write_run(path, content):
    """``content`` at ``path``: a folder for None, bytes as they are, a str as text, else as JSON."""
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path
