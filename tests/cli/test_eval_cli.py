"""`aimm eval` / `aimm tasks`: exit codes, no partial results, the baseline gate."""

from __future__ import annotations

import json

import pytest

from aimm_nlp.cli import main


@pytest.fixture(scope="module")
def tok():
    from aimm_nlp.testing import DARIJA, tiny_tokenizer

    return tiny_tokenizer(DARIJA * 3, vocab_size=400)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory, tok):
    from aimm_nlp.testing import tiny_causal_lm, tiny_classifier

    root = tmp_path_factory.mktemp("models")
    for name, model in (
        ("llm", tiny_causal_lm(tok)),
        ("clf", tiny_classifier(tok, ["negative", "neutral", "positive"])),
    ):
        model.save_pretrained(root / name)
        tok.save_pretrained(root / name)
    return root


def test_eval_model_folder_writes_results_and_gate_passes(shared, model_dirs, tmp_path, capsys):
    out = tmp_path / "run.json"
    args = ["eval", "--model", str(model_dirs / "llm"), "--tasks", "flores_ary_Arab_bpb", "--limit", "3",
            "--output", str(out), "--cache", str(tmp_path / "c.sqlite"), "--bootstrap-iters", "20"]  # fmt: skip
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    bpb = data["results"]["flores_ary_Arab_bpb"]["bits_per_byte,none"]
    assert data["provenance"]["model"]["model_path"].endswith("llm")
    # same run against itself: no regression (the new results go to another file: --output equal to
    # --baseline is refused, since it would replace the baseline)
    before = out.read_bytes()
    assert main([*args[:-5], str(tmp_path / "again.json"), *args[-4:], "--baseline", str(out)]) == 0
    assert out.read_bytes() == before
    # a baseline that was better by more than --max-drop: exit 1 with a regression table
    better = json.loads(out.read_text(encoding="utf-8"))
    better["results"]["flores_ary_Arab_bpb"]["bits_per_byte,none"] = bpb - 0.5  # lower is better
    (tmp_path / "base.json").write_text(json.dumps(better), encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--baseline", str(tmp_path / "base.json"), "--max-drop", "0.01"]) == 1
    err = capsys.readouterr().err
    assert "| flores_ary_Arab_bpb | bits_per_byte |" in err and "0.5000" in err
    assert main([*args, "--baseline", str(tmp_path / "base.json"), "--max-drop", "0.6"]) == 0


def test_wrong_model_type_exits_2_without_results(shared, model_dirs, tmp_path, capsys):
    out = tmp_path / "run.json"
    code = main(
        [
            "eval",
            "--model",
            str(model_dirs / "clf"),
            "--tasks",
            "flores_ary_Arab_bpb",
            "--output",
            str(out),
            "--no-cache",
        ]
    )
    assert code == 2 and not out.exists() and not list(tmp_path.iterdir())
    assert "needs a causal_lm model" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("model", "tasks", "message"),
    [
        (None, "no_such_task", "unknown task"),
        ("missing_dir", "flores_ary_Arab_bpb", "not a model folder"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(shared, tmp_path, capsys, model, tasks, message):
    out = tmp_path / "run.json"
    argv = ["eval", "--tasks", tasks, "--output", str(out), "--no-cache"]
    if model:
        argv += ["--model", str(tmp_path / model)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_tasks_validate_lists_every_error_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "task: t\noutput_type: multiple_choice\ndataset_path: csv\nprompt: x\n"
        "dataset_kwargs: {data_files: {test: nowhere.tsv}}\ndoc_to_text: '{{tweet}}'\n",
        encoding="utf-8",
    )
    assert main(["tasks", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert (
        "unknown key 'prompt'" in err
        and "doc_to_choice: required" in err
        and "nowhere.tsv does not exist" in err
    )


def test_tasks_ls_and_validate_shipped(shared, capsys):
    assert main(["tasks", "ls"]) == 0
    out = capsys.readouterr().out
    assert "ary_sentiment" in out and "token_classification" in out
    assert main(["tasks", "validate", "ary_sentiment", "script_id"]) == 0


def test_pipeline_eval_without_model(shared, tmp_path):
    out = tmp_path / "p.json"
    assert main(["eval", "--tasks", "script_id", "--limit", "30", "--output", str(out), "--no-cache"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["results"]["script_id"]["acc,none"] > 0.9


BAD_TASKS = {
    "label_not_in_choices": (
        "id\ttweet\tlabel\n1\tsalam 😂\tangry\n",
        "",
        "label 'angry' is not one of the choices",
    ),
    "missing_column": ("id\ttweet\tlabel\n1\tsalam\tpositive\n", "", "template uses column 'text'"),
    "data_file_missing": (None, "", "does not exist"),
    "unknown_key": (
        "id\ttweet\tlabel\n1\tsalam\tpositive\n",
        "num_fewshots: 2\n",
        "did you mean 'num_fewshot'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TASKS))
def test_bad_task_file_exits_2_and_writes_nothing(model_dirs, tmp_path, capsys, case):
    data, extra, message = BAD_TASKS[case]
    if data is not None:
        (tmp_path / "d.tsv").write_text(data, encoding="utf-8")
    template = "'{{text}}'" if case == "missing_column" else "tweet"
    (tmp_path / "t.yaml").write_text(
        "task: bad\noutput_type: classification\ndataset_path: csv\n"
        'dataset_kwargs: {data_files: {test: d.tsv}, delimiter: "\\t"}\n'
        f"doc_to_text: {template}\ndoc_to_target: label\ndoc_to_choice: [negative, neutral, positive]\n{extra}",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "run.json"
    argv = [
        "eval",
        "--model",
        str(model_dirs / "clf"),
        "--tasks",
        str(tmp_path / "t.yaml"),
        "--output",
        str(out),
    ]
    code = main([*argv, "--no-cache"])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
