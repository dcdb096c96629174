"""`evaluate()` on bad input: options out of range, a data file as folder, no docs, non-UTF-8 suites; results
written together with their samples and non-finite scores as null. (The `aimm eval` side: tests/cli/test_eval_cli_bad_input.py.)

Self-contained: tasks are tiny pipeline tasks written into tmp_path (no shared data needed).
"""

from __future__ import annotations

import json
import os

import pytest
from eval_samples import write_task

from aimm_nlp.errors import ConfigError, DataError, InputFileError


def _bad_yaml(folder):
    write_task(folder)
    path = folder / "bad.yaml"
    path.write_bytes(b"task: tiny\n# caf\xe9\n")
    return path


def test_cuda_index_beyond_the_devices(monkeypatch):
    import torch

    from aimm_nlp.evaluation.options import check_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    check_device("cuda:0")
    with pytest.raises(ConfigError, match="has 1 cuda device"):
        check_device("cuda:3")


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"limit": -5}, "limit=-5: expected an integer in 1..1000000000"),
        ({"limit": 0}, "limit=0"),
        ({"limit": True}, "limit=True"),
        ({"num_fewshot": -1}, "num_fewshot=-1"),
        ({"bootstrap_iters": -5}, "bootstrap_iters=-5"),
        ({"seed": "abc"}, "seed='abc'"),
        ({"seed": -1}, "seed=-1: expected an integer in 0..4294967295"),
        ({"seed": 2**32}, "seed=4294967296"),
        ({"bootstrap_iters": 10**9}, "bootstrap_iters=1000000000: expected an integer in 0..100000"),
        ({"num_fewshot": 1001}, "num_fewshot=1001"),
        ({"batch_size": 0}, "batch_size=0: expected an integer in 1..65536"),
    ],
)
def test_evaluate_rejects_bad_options(tmp_path, kwargs, needle):
    from aimm_nlp.evaluation import evaluate

    with pytest.raises(ConfigError, match=needle):
        evaluate(None, [str(write_task(tmp_path))], **kwargs)


def test_evaluate_with_a_data_file_as_folder(tmp_path):
    from aimm_nlp.evaluation import evaluate

    with pytest.raises(InputFileError, match="is a file, not a folder"):
        evaluate(None, suite="morocco-mini", data=write_task(tmp_path))


def test_no_docs_is_a_data_error_not_nan(tmp_path):
    from aimm_nlp.evaluation import evaluate

    task = write_task(tmp_path, extra="doc_filter: script == 'Cyrl'\n")
    with pytest.raises(DataError, match="no docs to evaluate"):
        evaluate(None, [str(task)], bootstrap_iters=0)


def test_results_and_samples_are_written_together(tmp_path, monkeypatch):
    """A failed results write leaves no samples log behind, and the previous files stay whole."""
    from aimm_nlp.evaluation.results import Results

    res = Results({"t": {"acc": 0.5}}, {"t": {"acc": None}}, {}, {}, {}, {}, {}, {"t": None}, {},
                  samples={"t": [{"doc_id": 0, "pred": "Arab"}]})  # fmt: skip
    out = tmp_path / "run.json"
    real = os.replace

    def failing(src, dst):
        if str(dst) == str(out):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(InputFileError, match="cannot write results"):
        res.write(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.setattr(os, "replace", real)
    res.write(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "run.samples.jsonl"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_scores_are_written_as_null(tmp_path, value):
    from aimm_nlp.evaluation.results import Results

    res = Results({"t": {"cer": value}}, {"t": {"cer": (value, 1.0)}}, {}, {}, {}, {}, {}, {"t": None}, {},
                  samples={"t": [{"doc_id": 0, "ll": value}]})  # fmt: skip
    out = res.write(tmp_path / "run.json")

    def strict(name):
        raise AssertionError(f"bare {name} in JSON")

    data = json.loads(out.read_text(encoding="utf-8"), parse_constant=strict)
    assert data["results"]["t"]["cer,none"] is None
    assert data["results"]["t"]["cer_ci95,none"] == [None, 1.0]
    line = (tmp_path / "run.samples.jsonl").read_text(encoding="utf-8")
    assert json.loads(line, parse_constant=strict)["ll"] is None


def test_non_utf8_suite_file_names_file_and_line(tmp_path):
    from aimm_nlp.errors import InputFileError
    from aimm_nlp.evaluation import load_suite

    bad = tmp_path / "suite.yaml"
    bad.write_bytes("name: mine\nversion: 1\ntask:\n  - mini_langid # caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"suite\.yaml:4: invalid UTF-8"):
        load_suite(bad)
