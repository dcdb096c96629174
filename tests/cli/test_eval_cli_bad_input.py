"""`aimm eval` / `aimm tasks validate` on bad input: exit 2, a message naming the file or flag, nothing written.

Self-contained: tasks are tiny pipeline tasks written into tmp_path (no shared data needed).
"""

from __future__ import annotations

import json

import pytest
from eval_samples import corrupt_cache, eval_argv, foreign_db, write_task

from aimm_nlp.cli import main


@pytest.fixture(scope="module")
def tok():
    from aimm_nlp.testing import DARIJA, tiny_tokenizer

    return tiny_tokenizer(DARIJA * 3, vocab_size=400)


# (case id, how to build the argv from tmp_path, the needles the message must hold)
CASES = [
    ("header only", lambda t: eval_argv(write_task(t, "text\tscript\n"), t / "r.json"),
     ["data.tsv", "has no data rows"]),
    ("empty file", lambda t: eval_argv(write_task(t, ""), t / "r.json"), ["data.tsv", "has no data rows"]),
    ("filter keeps nothing", lambda t: eval_argv(write_task(t, extra="doc_filter: script == 'Cyrl'\n"), t / "r.json"),
     ["data.tsv", "no docs to evaluate"]),
    ("bad UTF-8 in data", lambda t: eval_argv(write_task(t, b"text\tscript\nsalam\tLatn\n\xff\xfe\tArab\n"), t / "r.json"),
     ["data.tsv:3: invalid UTF-8", "byte 0xff"]),
    ("bad UTF-8 in task", lambda t: eval_argv(_bad_yaml(t), t / "r.json"), ["bad.yaml:2: invalid UTF-8"]),
    ("missing task file", lambda t: eval_argv(t / "nope.yaml", t / "r.json"), ["no such file:", "nope.yaml"]),
    ("missing data folder", lambda t: ["eval", "--suite", "morocco-mini", "--data", str(t / "nope"),
                                       "--output", str(t / "r.json"), "--no-cache"], ["nope: no such folder"]),
    ("cache is a folder", lambda t: [*eval_argv(write_task(t), t / "r.json")[:-1], "--cache", str(t)],
     ["the cache is a folder"]),
    ("corrupt cache", lambda t: [*eval_argv(write_task(t), t / "r.json")[:-1], "--cache", str(corrupt_cache(t / "c.db"))],
     ["c.db: not a readable eval cache", "delete it"]),
    ("someone else's sqlite", lambda t: [*eval_argv(write_task(t), t / "r.json")[:-1], "--cache",
                                         str(foreign_db(t / "notes.db"))], ["notes.db", "not an aimm eval cache"]),
    ("device foo", lambda t: eval_argv(write_task(t), t / "r.json", "--device", "foo", "--model", str(t / "m")),
     ["device 'foo' is not a torch device"]),
    ("output is a folder", lambda t: eval_argv(write_task(t), t, "--bootstrap-iters", "0"), ["is a folder"]),
    ("output under a file", lambda t: eval_argv(write_task(t), t / "data.tsv" / "r.json"),
     ["data.tsv is a file, not a folder"]),
]  # fmt: skip


def _bad_yaml(folder):
    write_task(folder)
    path = folder / "bad.yaml"
    path.write_bytes(b"task: tiny\n# caf\xe9\n")
    return path


def test_a_good_task_runs(tmp_path, capsys):
    task = write_task(tmp_path)
    out = tmp_path / "out" / "run.json"
    assert main(eval_argv(task, out, "--bootstrap-iters", "0")) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["results"]["tiny_script"]["acc,none"] == 1.0
    assert data["n-samples"]["tiny_script"]["effective"] == 3


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--limit", "-5"], "--limit '-5': expected an integer in 1..1000000000"),
        (["--limit", "0"], "--limit '0': expected an integer in 1..1000000000"),
        (["--limit", "abc"], "--limit 'abc': expected an integer"),
        (["--limit", "1000000001"], "--limit '1000000001': expected an integer in 1..1000000000"),
        (["--num-fewshot", "-1"], "--num-fewshot '-1': expected an integer in 0..1000"),
        (["--num-fewshot", "1001"], "--num-fewshot '1001': expected an integer in 0..1000"),
        (["--bootstrap-iters", "-5"], "--bootstrap-iters '-5': expected an integer in 0..100000"),
        (
            ["--bootstrap-iters", "1000000000"],
            "--bootstrap-iters '1000000000': expected an integer in 0..100000",
        ),
        (["--bootstrap-iters", "1e3"], "--bootstrap-iters '1e3': expected an integer in 0..100000"),
        (["--seed", "-1"], "--seed '-1': expected an integer in 0..4294967295"),
        (["--seed", "4294967296"], "--seed '4294967296': expected an integer in 0..4294967295"),
        (["--seed", "1.5"], "--seed '1.5': expected an integer in 0..4294967295"),
        (["--batch-size", "0"], "--batch-size '0': expected an integer in 1..65536 or 'auto'"),
        (["--batch-size", "-8"], "--batch-size '-8': expected an integer in 1..65536 or 'auto'"),
        (["--batch-size", "65537"], "--batch-size '65537': expected an integer in 1..65536 or 'auto'"),
        (["--batch-size", "AUTO"], "--batch-size 'AUTO': expected an integer in 1..65536 or 'auto'"),
        (["--max-drop", "-1"], "--max-drop '-1': expected a finite number >= 0"),
        (["--max-drop", "nan"], "--max-drop 'nan': expected a finite number >= 0"),
        (["--max-drop", "inf"], "--max-drop 'inf': expected a finite number >= 0"),
    ],
)
def test_bad_numbers_exit_2_before_any_work(tmp_path, capsys, flags, needle):
    out = tmp_path / "run.json"
    assert main(eval_argv(write_task(tmp_path), out, *flags)) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not out.exists()


def test_every_bad_number_is_listed_at_once(tmp_path, capsys):
    out = tmp_path / "run.json"
    flags = ["--seed", "-1", "--bootstrap-iters", "10**9", "--limit", "0", "--num-fewshot", "-3",
             "--batch-size", "0", "--max-drop", "nan"]  # fmt: skip
    assert main(eval_argv(write_task(tmp_path), out, *flags)) == 2
    err = capsys.readouterr().err
    for flag in ("--seed", "--bootstrap-iters", "--limit", "--num-fewshot", "--batch-size", "--max-drop"):
        assert f"  - {flag} '" in err, (flag, err)
    assert not out.exists()


@pytest.mark.parametrize(("case", "argv", "needles"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_naming_the_problem(tmp_path, capsys, case, argv, needles):
    work = tmp_path / "work"
    work.mkdir()
    args = argv(work)
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    assert main(args) == 2, case
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert "unknown task" not in err
    after = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    assert after == before, "bad input must leave every file as it was and write nothing"


def test_missing_cuda_fails_before_the_model_loads(tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = eval_argv(
        write_task(tmp_path), tmp_path / "r.json", "--device", "cuda", "--model", str(tmp_path / "m")
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "device 'cuda': no cuda device is available" in err and "not a model folder" not in err


def test_truncated_weights_name_the_file(tmp_path, tok, capsys):
    from aimm_nlp.testing import tiny_causal_lm

    model = tmp_path / "llm"
    tiny_causal_lm(tok).save_pretrained(model)
    tok.save_pretrained(model)
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    task = write_task(tmp_path, "text\nsalam 3lik\n", extra="")
    task.write_text(
        "task: tiny_ppl\noutput_type: loglikelihood_rolling\ndataset_path: csv\n"
        'dataset_kwargs: {data_files: {test: data.tsv}, delimiter: "\\t"}\ndoc_to_text: text\n',
        encoding="utf-8",
    )
    assert main(eval_argv(task, tmp_path / "r.json", "--model", str(model))) == 2
    err = capsys.readouterr().err
    assert f"{weights}: cannot read the weights" in err and "truncated or corrupt" in err
    assert not (tmp_path / "r.json").exists()


def test_tasks_validate_lists_every_unreadable_file(tmp_path, capsys):
    good = write_task(tmp_path, b"text\tscript\nsalam\tLatn\n\xff\tArab\n")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_bytes(b"task: x\n# caf\xe9\n")
    assert main(["tasks", "validate", str(tmp_path / "nope.yaml"), str(bad_yaml), str(good)]) == 2
    err = capsys.readouterr().err
    assert "3 error(s)" in err and "unknown task" not in err and "Traceback" not in err
    assert f"no such file: {tmp_path / 'nope.yaml'}" in err
    assert "bad.yaml:2: invalid UTF-8" in err and "data.tsv:3: invalid UTF-8" in err


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--tasks", ","], "--tasks ',': empty"),
        (["--tasks", " , ,"], "--tasks ' , ,': empty"),
        (["--cache", ""], "--cache '': empty"),
        (["--data", ""], "--data '': empty"),
        (["--model", ""], "--model '': empty"),
        (["--baseline", ""], "--baseline '': empty"),
        (["--suite", ""], "--suite '': empty"),
        (["--device", ""], "--device '': empty"),
    ],
)
def test_empty_values_exit_2_instead_of_meaning_the_current_folder(
    tmp_path, capsys, monkeypatch, flags, needle
):
    monkeypatch.setenv("AIMM_CACHE_DIR", str(tmp_path / "cache"))  # never the user's cache
    out = tmp_path / "run.json"
    argv = ["eval", "--tasks", str(write_task(tmp_path)), "--output", str(out), *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not out.exists()
