"""The request builder (evaluation/requests.py): few-shot pools, from the test docs or the training split.

About internals: these call ``prepare`` directly to read the rendered contexts; the cases were
found by mutation testing.
"""

from __future__ import annotations

import pytest
from eval_samples import TWEETS as ROWS
from eval_samples import tsv

from aimm_nlp.evaluation.requests import prepare
from aimm_nlp.evaluation.task import load_task
from aimm_nlp.testing import DummyModel

TASK = """task: t
output_type: multiple_choice
dataset_path: csv
dataset_kwargs: {data_files: {test: data.tsv, train: train.tsv}, delimiter: "\\t"}
test_split: test
doc_to_choice: ["negative", "neutral", "positive"]
doc_to_target: label
doc_to_text: '{{tweet}}'
"""
TRAIN = [(11, "bghit nmchi l bhar", "positive"), (12, "الماكلة باردة", "negative")]


def shots_of(ctx: str) -> tuple[list[str], str]:
    *shots, own = ctx.split("\n\n")
    return sorted(shots), own


@pytest.mark.parametrize("n_shot", [6, 7, 20])
def test_fewshot_from_the_test_docs_never_uses_the_doc_itself(tmp_path, n_shot) -> None:
    """No training split: every other doc is an example (as many as there are), never the doc itself.

    Asking for as many shots as there are docs or more used to raise a bare ValueError from
    random.sample (the size was capped by the pool, not by the pool without the doc).
    """
    (tmp_path / "data.tsv").write_text(tsv(ROWS), encoding="utf-8")
    task = load_task(_write(tmp_path, TASK.replace(", train: train.tsv", "")))
    prep = prepare(task, DummyModel(), limit=None, num_fewshot=n_shot, seed=0)
    for (_, text, _), (ctx, _choices) in zip(ROWS, prep.requests, strict=True):
        shots, own = shots_of(ctx)
        assert own == text
        assert shots == sorted(f"{t} {lab}" for _, t, lab in ROWS if t != text)


def test_fewshot_from_the_test_docs_with_fewer_shots(tmp_path) -> None:
    (tmp_path / "data.tsv").write_text(tsv(ROWS[:3]), encoding="utf-8")
    task = load_task(_write(tmp_path, TASK.replace(", train: train.tsv", "")))
    prep = prepare(task, DummyModel(), limit=None, num_fewshot=2, seed=3)
    for (_, text, _), (ctx, _choices) in zip(ROWS[:3], prep.requests, strict=True):
        shots, own = shots_of(ctx)
        assert own == text and shots == sorted(f"{t} {lab}" for _, t, lab in ROWS[:3] if t != text)


def test_fewshot_examples_come_from_the_training_split(tmp_path) -> None:
    (tmp_path / "data.tsv").write_text(tsv(ROWS[:3]), encoding="utf-8")
    (tmp_path / "train.tsv").write_text(tsv(TRAIN), encoding="utf-8")
    task = load_task(_write(tmp_path, TASK + "training_split: train\n"))
    prep = prepare(task, DummyModel(), limit=None, num_fewshot=5, seed=0)
    for (_, text, _), (ctx, _choices) in zip(ROWS[:3], prep.requests, strict=True):
        shots, own = shots_of(ctx)
        assert own == text
        assert shots == ["bghit nmchi l bhar positive", "الماكلة باردة negative"]


def _write(tmp_path, text: str):
    path = tmp_path / "task.yaml"
    path.write_text(text, encoding="utf-8")
    return path
