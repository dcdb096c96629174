"""`aimm eval --output X` where X is one of the run's inputs exits 2 before any work and leaves X as it was.

Issue 17: `--output base.json --baseline base.json` (the CI baseline) and `--output task.yaml` replaced
the input with the new results.
"""

from __future__ import annotations

import json
import os

import pytest

from aimm_nlp.cli import main

TASK = """\
task: tiny_script
output_type: pipeline
pipeline: dominant_script
dataset_path: {fmt}
dataset_kwargs:
  data_files:
    test: {data}
  delimiter: "\\t"
doc_to_text: text
doc_to_target: script
metric_list:
  - metric: acc
"""
ROWS = "text\tscript\nsalam 3lik\tLatn\nواش نتا مزيان؟\tArab\nⴰⵣⵓⵍ\tTfng\n"


def setup(t):
    """A task, its data, a baseline results file, a cache and a model folder in ``t``."""
    (t / "data.tsv").write_text(ROWS, encoding="utf-8")
    (t / "task.yaml").write_text(TASK.format(fmt="csv", data="data.tsv"), encoding="utf-8")
    (t / "child.yaml").write_text("include: task.yaml\ntask: child\n", encoding="utf-8")
    (t / "base.json").write_text(
        json.dumps({"results": {"tiny_script": {"acc,none": 1.0}}}), encoding="utf-8"
    )
    (t / "model").mkdir()
    (t / "model" / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    (t / "suite.yaml").write_text("group: mine\ntask:\n  - task.yaml\n", encoding="utf-8")
    jsonl = "".join(
        json.dumps({"text": r.split("\t")[0], "script": r.split("\t")[1]}) + "\n"
        for r in ROWS.splitlines()[1:]
    )
    (t / "rows.samples.jsonl").write_text(jsonl, encoding="utf-8")
    (t / "rows.yaml").write_text(TASK.format(fmt="json", data="rows.samples.jsonl"), encoding="utf-8")


def _link(t, name, target, hard=False):
    (os.link if hard else os.symlink)(t / target, t / name)
    return str(t / name)


# (id, argv after `eval` given tmp_path, the input named in the message)
CASES = [
    ("baseline", lambda t: ["--tasks", f"{t}/task.yaml", "--baseline", f"{t}/base.json", "--output", f"{t}/base.json"], "--baseline"),
    ("baseline via ..", lambda t: ["--tasks", f"{t}/task.yaml", "--baseline", f"{t}/base.json", "--output", f"{t}/model/../base.json"], "--baseline"),
    ("baseline via symlink", lambda t: ["--tasks", f"{t}/task.yaml", "--baseline", f"{t}/base.json", "--output", _link(t, "l.json", "base.json")], "--baseline"),
    ("baseline via hard link", lambda t: ["--tasks", f"{t}/task.yaml", "--baseline", f"{t}/base.json", "--output", _link(t, "h.json", "base.json", True)], "--baseline"),
    ("task file", lambda t: ["--tasks", f"{t}/task.yaml", "--output", f"{t}/task.yaml"], "a file of task"),
    ("second task file", lambda t: ["--tasks", f"{t}/rows.yaml,{t}/task.yaml", "--output", f"{t}/task.yaml"], "a file of task"),
    ("included task file", lambda t: ["--tasks", f"{t}/child.yaml", "--output", f"{t}/task.yaml"], "a file of task"),
    ("data file", lambda t: ["--tasks", f"{t}/task.yaml", "--output", f"{t}/data.tsv"], "a file of task"),
    ("samples log is the data", lambda t: ["--tasks", f"{t}/rows.yaml", "--output", f"{t}/rows.json"], "per-item log"),
    ("cache", lambda t: ["--tasks", f"{t}/task.yaml", "--cache", f"{t}/c.sqlite", "--output", f"{t}/c.sqlite"], "the cache"),
    ("model config", lambda t: ["--tasks", f"{t}/task.yaml", "--model", f"{t}/model", "--output", f"{t}/model/config.json"], "--model"),
    ("suite file", lambda t: ["--suite", f"{t}/suite.yaml", "--output", f"{t}/suite.yaml"], "--suite"),
    ("suite's task", lambda t: ["--suite", f"{t}/suite.yaml", "--output", f"{t}/task.yaml"], "a file of task"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "argv", "what"), CASES, ids=[c[0] for c in CASES])
def test_output_equal_to_an_input_is_refused(tmp_path, capsys, monkeypatch, case, argv, what):
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "cache_dir"))
    setup(tmp_path)
    args = ["eval", *argv(tmp_path)]
    if case == "cache":  # a cache that holds results already
        from aimm_nlp.evaluation.cache import ResultCache

        c = ResultCache(tmp_path / "c.sqlite")
        c.put_many({"k": [1.5, "ⴰⵣⵓⵍ"]})
        c.close()
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()}
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert what in err and "would replace it; choose another --output path" in err, err
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before, "every input is left as it was and nothing is written"


def test_the_default_cache_as_output_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "cache_dir"))
    setup(tmp_path)
    from aimm_nlp.evaluation.cache import ResultCache, default_cache_path

    ResultCache(default_cache_path()).close()
    before = default_cache_path().read_bytes()
    assert main(["eval", "--tasks", str(tmp_path / "task.yaml"), "--output", str(default_cache_path())]) == 2
    assert "is the cache" in capsys.readouterr().err
    assert default_cache_path().read_bytes() == before


def test_a_new_output_next_to_the_inputs_still_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "cache_dir"))
    setup(tmp_path)
    argv = ["eval", "--tasks", str(tmp_path / "task.yaml"), "--baseline", str(tmp_path / "base.json")]
    assert main([*argv, "--output", str(tmp_path / "new.json"), "--bootstrap-iters", "0"]) == 0
    assert (
        json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))["results"]["tiny_script"]["acc,none"]
        == 1.0
    )
