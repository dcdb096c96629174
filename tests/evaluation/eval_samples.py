"""Tiny tasks, data rows and cache files shared by the evaluation tests and the `aimm eval` CLI tests.

Imported by name (``from eval_samples import write_task``): tests/evaluation/conftest.py and
tests/cli/conftest.py put this folder on ``sys.path``.
"""

from __future__ import annotations

import sqlite3

_TASK = """\
task: tiny_script
output_type: pipeline
pipeline: dominant_script
dataset_path: csv
dataset_kwargs:
  data_files:
    test: {data}
  delimiter: "\\t"
{test_split}doc_to_text: text
doc_to_target: script
metric_list:
  - metric: acc
{extra}"""
ROWS = "text\tscript\nsalam 3lik\tLatn\nواش نتا مزيان؟\tArab\nⴰⵣⵓⵍ\tTfng\n"


def write_task(
    folder, data: bytes | str = ROWS, *, extra: str = "", name: str = "tiny.yaml", test_split: bool = True
):
    """A pipeline task over ``data.tsv`` in ``folder``; returns the task path.

    ``extra`` is YAML appended after the last line; ``test_split=False`` leaves out the ``test_split:``
    line (then ``extra`` starts on line 13).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    (folder / "data.tsv").write_bytes(raw)
    path = folder / name
    split = "test_split: test\n" if test_split else ""
    path.write_text(_TASK.format(data="data.tsv", test_split=split, extra=extra), encoding="utf-8")
    return path


def eval_argv(task, out, *extra):
    """``aimm eval`` over one task file, without the cache."""
    return ["eval", "--tasks", str(task), "--output", str(out), "--no-cache", *extra]


def corrupt_cache(path):
    """A file at ``path`` that is not an sqlite database (the user's notes)."""
    path.write_bytes(b"this is not an sqlite file, it holds the user's notes" * 20)
    return path


def foreign_db(path):
    """An sqlite database at ``path`` that is not an aimm cache (someone else's table)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.execute("INSERT INTO notes VALUES ('mine')")
    db.commit()
    db.close()
    return path


# tweets with an id and a label, in every script (a multiple-choice task's data)
TWEETS = [
    (1, "واش نتا مزيان؟", "positive"),
    (2, "salam labas 3lik", "positive"),
    (3, "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "neutral"),
    (4, "الجو خايب اليوم", "negative"),
    (5, "had lfilm khayb bzaf", "negative"),
    (6, "كنبغي نمشي للدار", "neutral"),
    (7, "mzyan bzaf a sa7bi", "positive"),
]


def tsv(rows) -> str:
    """``rows`` of (id, tweet, label) as a TSV file's text, with its header."""
    return "id\ttweet\tlabel\n" + "".join(f"{i}\t{t}\t{lab}\n" for i, t, lab in rows)
