"""The task data reader (evaluation/data.py): hash_split boundaries, doc_filter, integer columns.

About internals: these call ``read_docs`` and ``hash_bucket`` directly (what ``evaluate`` reads
before any model runs); the cases were found by mutation testing.

Buckets are ``int.from_bytes(sha256(id)[:8], "big") % 100`` (the documented formula), worked out
once outside aimm_nlp: id 1 -> 13, 2 -> 46, 3 -> 43, 4 -> 54, 5 -> 83, 6 -> 59, 7 -> 30.
A doc is in the test split when its bucket is *below* test_percent.
"""

from __future__ import annotations

import pytest
from eval_samples import TWEETS as ROWS
from eval_samples import tsv

from aimm_nlp.evaluation.data import hash_bucket, read_docs

BUCKETS = {1: 13, 2: 46, 3: 43, 4: 54, 5: 83, 6: 59, 7: 30}


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text(tsv(ROWS), encoding="utf-8")
    return path


def test_buckets_match_the_documented_formula() -> None:
    assert {i: hash_bucket(i) for i in BUCKETS} == BUCKETS


@pytest.mark.parametrize(
    ("spec", "test_ids"),
    [
        ({"column": "id"}, [1]),  # default test_percent 30: bucket 30 (id 7) is already training
        ({"column": "id", "test_percent": 31}, [1, 7]),
        ({"column": "id", "test_percent": 46}, [1, 3, 7]),  # bucket 46 (id 2) is training
        ({"column": "id", "test_percent": 47}, [1, 2, 3, 7]),
        ({"column": "id", "test_percent": 0}, []),
        ({"column": "id", "test_percent": 100}, [1, 2, 3, 4, 5, 6, 7]),
        ({"test_percent": 46}, [1, 3, 7]),  # column defaults to id
    ],
)
def test_hash_split_boundary(data, spec, test_ids) -> None:
    cfg = {"dataset_path": "csv", "dataset_kwargs": {"delimiter": "\t"}, "hash_split": spec}
    test = [d["id"] for d in read_docs(data, cfg, split="test")]
    train = [d["id"] for d in read_docs(data, cfg, split="train")]
    assert test == test_ids
    assert train == [i for i in BUCKETS if i not in test_ids]
    assert [d["id"] for d in read_docs(data, cfg)] == list(BUCKETS)  # split=None: every row


def test_hash_split_follows_a_renamed_test_split(data) -> None:
    cfg = {"dataset_path": "csv", "dataset_kwargs": {"delimiter": "\t"}, "test_split": "devtest",
           "hash_split": {"column": "id", "test_percent": 46}}  # fmt: skip
    assert [d["id"] for d in read_docs(data, cfg, split="devtest")] == [1, 3, 7]
    assert [d["id"] for d in read_docs(data, cfg, split="test")] == [2, 4, 5, 6]  # not the test split


@pytest.mark.parametrize(
    ("expr", "ids"),
    [
        ("tweet | dominant_script == 'Arab'", [1, 4, 6]),
        ("tweet | dominant_script == 'Latn'", [2, 5, 7]),
        ("tweet | dominant_script == 'Tfng'", [3]),
        ("label == 'negative'", [4, 5]),
    ],
)
def test_doc_filter_keeps_the_docs_where_it_is_true(data, expr, ids) -> None:
    cfg = {"dataset_path": "csv", "dataset_kwargs": {"delimiter": "\t"}, "doc_filter": expr}
    assert [d["id"] for d in read_docs(data, cfg, split="test")] == ids


def test_filter_then_hash_split(data) -> None:
    cfg = {"dataset_path": "csv", "dataset_kwargs": {"delimiter": "\t"},
           "doc_filter": "label == 'positive'", "hash_split": {"column": "id", "test_percent": 31}}  # fmt: skip
    assert [d["id"] for d in read_docs(data, cfg, split="test")] == [1, 7]
    assert [d["id"] for d in read_docs(data, cfg, split="train")] == [2]


def test_only_all_integer_columns_become_ints(tmp_path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text("id\tlabel\ttweet\n1\t0\t3lach\n2\tpositive\t2024\n-3\t1\t7\n", encoding="utf-8")
    docs = read_docs(path, {"dataset_path": "csv", "dataset_kwargs": {"delimiter": "\t"}})
    assert [d["id"] for d in docs] == [1, 2, -3]
    assert [d["label"] for d in docs] == ["0", "positive", "1"]  # one non-integer keeps the column str
    assert [d["tweet"] for d in docs] == ["3lach", "2024", "7"]
