"""Bad values inside task files and model folders exit 2 with the file, line and field, never a traceback.

Issue 17: duplicate column names in a data file (TypeError), ``num_fewshot: -3`` and other numeric task
keys without a range, and a config.json whose sizes do not match the safetensors weights (RuntimeError).
"""

from __future__ import annotations

import json

import eval_samples
import pytest

from aimm_nlp.cli import main

ROWS = "text\tscript\tid\nsalam 3lik\tLatn\t1\nواش نتا مزيان؟\tArab\t2\nⴰⵣⵓⵍ\tTfng\t3\n"


def write_task(folder, data=ROWS, extra=""):
    """The shared tiny task without its ``test_split:`` line, so ``extra`` starts on line 13."""
    return eval_samples.write_task(folder, data, extra=extra, test_split=False)


def run_both(tmp_path, task):
    """``aimm eval`` and ``aimm tasks validate`` on ``task``: their exit codes and stderr."""
    out = tmp_path / "r.json"
    got = []
    for argv in (
        ["eval", "--tasks", str(task), "--output", str(out), "--no-cache", "--bootstrap-iters", "0"],
        ["tasks", "validate", str(task)],
    ):
        got.append(main(argv))
    assert not out.exists()
    return got


# data files whose header names a column twice (the second used to replace the first: a TypeError when
# both held integers); every row is real text
DUPLICATES = [
    ("two integer columns", "text\tscript\tid\tid\nsalam\tLatn\t1\t2\nⴰⵣⵓⵍ\tTfng\t3\t4\n", "'id'"),
    ("integer and text", "text\tscript\tid\tid\nsalam\tLatn\t1\tx\nواش\tArab\t2\ty\n", "'id'"),
    ("two text columns", "text\ttext\tscript\nsalam\t3lik\tLatn\nواش\tنتا\tArab\n", "'text'"),
    ("numeric names", "text\tscript\t0\t0\nsalam\tLatn\t1\t2\nⴰⵣⵓⵍ\tTfng\t3\t4\n", "'0'"),
    ("three times", "text\tscript\tn\tn\tn\nsalam\tLatn\t1\t2\t3\n", "'n'"),
    ("two names twice", "text\tscript\ta\ta\tb\tb\nsalam\tLatn\t1\t2\t3\t4\n", "'a', 'b'"),
    ("empty names", "text\tscript\t\t\nsalam\tLatn\t1\t2\n", "''"),
    ("arabic names", "text\tscript\tنص\tنص\nsalam\tLatn\t1\t2\n", "'نص'"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "data", "names"), DUPLICATES, ids=[c[0] for c in DUPLICATES])
def test_duplicate_column_names_exit_2(tmp_path, capsys, case, data, names):
    task = write_task(tmp_path, data)
    assert run_both(tmp_path, task) == [2, 2]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count(f"{tmp_path / 'data.tsv'}:1: column name(s) {names} appear more than once") == 2, err


# numeric task keys: (extra YAML, the field named, the line it is on)
NUMBERS = [
    ("num_fewshot: -3", "num_fewshot", 13),
    ("num_fewshot: 1001", "num_fewshot", 13),
    ("num_fewshot: '3'", "num_fewshot", 13),
    ("num_fewshot: 2.5", "num_fewshot", 13),
    ("num_fewshot: true", "num_fewshot", 13),
    ("num_fewshot: .nan", "num_fewshot", 13),
    ("hash_split: {column: id, test_percent: 101}", "hash_split.test_percent", 13),
    ("hash_split: {column: id, test_percent: -1}", "hash_split.test_percent", 13),
    ("hash_split: {column: id, test_percent: abc}", "hash_split.test_percent", 13),
    ("generation_kwargs: {max_gen_toks: 0}", "generation_kwargs.max_gen_toks", 13),
    ("generation_kwargs: {max_gen_toks: -64}", "generation_kwargs.max_gen_toks", 13),
    ("generation_kwargs: {max_gen_toks: 100000000}", "generation_kwargs.max_gen_toks", 13),
    ("metadata: {version: 1}\n\nnum_fewshot: -1", "num_fewshot", 15),
]


@pytest.mark.parametrize(("extra", "field", "line"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_numeric_task_keys_out_of_range_exit_2(tmp_path, capsys, extra, field, line):
    task = write_task(tmp_path, extra=extra + "\n")
    assert run_both(tmp_path, task) == [2, 2]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count(f"{task}:{line}: {field}: expected an integer in ") == 2, err


# doc_to_* values of a type lm-eval does not allow (a column name, a template, an int or a list)
TYPES = [
    ("doc_to_text: {a: 1}", "doc_to_text", "is a dict"),
    ("doc_to_text: 1.5", "doc_to_text", "is a float"),
    ("doc_to_text: true", "doc_to_text", "is a bool"),
    ("doc_to_target: 2026-12-07", "doc_to_target", "is a date"),
    ("doc_to_target: {label: 1}", "doc_to_target", "is a dict"),
    ("doc_to_target: .inf", "doc_to_target", "is a float"),
]


@pytest.mark.parametrize(("extra", "field", "needle"), TYPES, ids=[t[0] for t in TYPES])
def test_doc_to_values_of_the_wrong_type_exit_2(tmp_path, capsys, extra, field, needle):
    task = write_task(tmp_path)
    text = (
        task.read_text(encoding="utf-8")
        .replace("doc_to_text: text\n", "")
        .replace("doc_to_target: script\n", "")
    )
    keep = "doc_to_target: script" if field == "doc_to_text" else "doc_to_text: text"
    task.write_text(f"{text}{keep}\n{extra}\n", encoding="utf-8")
    assert run_both(tmp_path, task) == [2, 2]
    err = capsys.readouterr().err
    line = len(task.read_text(encoding="utf-8").splitlines())
    assert "Traceback" not in err
    assert err.count(f"{task}:{line}: {field}: ") == 2 and needle in err, err


@pytest.mark.parametrize(
    "extra", ["num_fewshot: 0", "num_fewshot: 1000", "hash_split: {column: id, test_percent: 100}"]
)
def test_numeric_task_keys_at_the_bounds_are_valid(tmp_path, capsys, extra):
    task = write_task(tmp_path, extra=extra + "\n")
    assert main(["tasks", "validate", str(task)]) == 0


def _mismatched(tmp_path, tok, build, key="hidden_size"):
    model = tmp_path / "model"
    build(tok).save_pretrained(model)
    tok.save_pretrained(model)
    cfg = json.loads((model / "config.json").read_text(encoding="utf-8"))
    cfg[key] *= 2
    (model / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    return model, cfg[key]


def _causal(tok):
    from aimm_nlp.testing import tiny_causal_lm

    return tiny_causal_lm(tok, seed=0)


def _classifier(tok):
    from aimm_nlp.testing import tiny_classifier

    return tiny_classifier(tok, ["Arab", "Latn", "Tfng"])


PPL = (
    "task: tiny_ppl\noutput_type: loglikelihood_rolling\ndataset_path: csv\n"
    'dataset_kwargs: {data_files: {test: data.tsv}, delimiter: "\\t"}\ndoc_to_text: text\n'
)
CLS = (
    "task: tiny_cls\noutput_type: classification\ndataset_path: csv\n"
    'dataset_kwargs: {data_files: {test: data.tsv}, delimiter: "\\t"}\ndoc_to_text: text\n'
    "doc_to_target: script\ndoc_to_choice: [Arab, Latn, Tfng]\n"
)


@pytest.mark.parametrize(
    ("build", "task_text"), [(_causal, PPL), (_classifier, CLS)], ids=["causal", "classifier"]
)
def test_config_weights_size_mismatch_is_a_model_error(tmp_path, tok, capsys, build, task_text):
    model, said = _mismatched(tmp_path, tok, build)
    task = write_task(tmp_path)
    task.write_text(task_text, encoding="utf-8")
    out = tmp_path / "r.json"
    argv = ["eval", "--model", str(model), "--tasks", str(task), "--output", str(out), "--no-cache"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{model}: config.json does not match the weights" in err, err
    assert f"config.json says hidden_size={said}, the weights are {said // 2} wide" in err
    assert "restore the config.json saved with these weights" in err
    assert not out.exists()


# malformed task keys (found by trying each key with values of the wrong shape): all used to be
# AttributeError/TypeError/KeyError tracebacks in validate or eval; (key, YAML value, what the message says)
SHAPES = [
    ("dataset_kwargs", "[1]", "dataset_kwargs: [1] is not a mapping"),
    ("dataset_kwargs", "5", "dataset_kwargs: 5 is not a mapping"),
    ("dataset_kwargs", "{data_files: 5}", "dataset_kwargs.data_files: 5 is not a path or a mapping"),
    ("dataset_kwargs", "{data_files: [a.tsv]}", "dataset_kwargs.data_files: ['a.tsv'] is not a path"),
    ("dataset_kwargs", "{data_files: {test: [data.tsv]}}", "dataset_kwargs.data_files: {'test': ['data.tsv']}"),
    ("dataset_kwargs", "{data_files: {test: null}}", "dataset_kwargs.data_files: {'test': None}"),
    ("dataset_kwargs", "{data_files: {test: data.tsv}, delimiter: 5}", "dataset_kwargs.delimiter: 5 is not one character"),
    ("dataset_kwargs", '{data_files: {test: data.tsv}, delimiter: "ab"}', "dataset_kwargs.delimiter: 'ab'"),
    ("dataset_kwargs", '{data_files: {test: data.tsv}, delimiter: ""}', "dataset_kwargs.delimiter: ''"),
    ("dataset_kwargs", '{data_files: {test: data.tsv}, sep: "\\n"}', "dataset_kwargs.sep: '\\n'"),
    ("dataset_kwargs", "{data_files: {test: data.tsv}, quoting: 99}", "dataset_kwargs.quoting: 99 is not a csv quoting mode"),
    ("dataset_kwargs", "{data_files: {test: data.tsv}, quoting: x}", "dataset_kwargs.quoting: 'x'"),
    ("metric_list", "5", "metric_list: 5 is not a list"),
    ("metric_list", "acc", "metric_list: 'acc' is not a list"),
    ("metric_list", "[[1]]", "metric_list: [1] is not a metric name"),
    ("metric_list", "[{metric: [1]}]", "metric_list: {'metric': [1]} is not a metric name"),
    ("test_split", "[1]", "test_split: [1] is not a string"),
    ("test_split", "{a: 1}", "test_split: {'a': 1} is not a string"),
    ("task", "[1, 2]", "task: [1, 2] is not a string"),
    ("output_type", "{a: 1}", "output_type: {'a': 1} is not a string"),
    ("pipeline", "[1]", "pipeline: [1] is not a string"),
    ("pipeline_kwargs", "{nope: 1}", "pipeline_kwargs: got an unexpected keyword argument 'nope'"),
    ("pipeline_kwargs", "[1]", "pipeline_kwargs: [1] is not a mapping"),
    ("hash_split", "{column: [1], test_percent: 5}", "hash_split.column: [1] is not a column name"),
    ("group_rows_by", "[1]", "group_rows_by: [1] is not a string"),
    ("group_rows_by", "nope", "group_rows_by: column 'nope' not in data.tsv"),
    ("metadata", "5", "metadata: 5 is not a mapping"),
    ("description", "[1]", "description: [1] is not a string"),
    ("target_delimiter", "5", "target_delimiter: 5 is not a string"),
    ("generation_kwargs", "{until: 5}", "generation_kwargs.until: 5 is not a string or a list of strings"),
    ("include", "5", "include: 5 is not a path"),
    ("include", "[a, 5]", "include: ['a', 5] is not a path"),  # a list of paths is lm-eval's, every item a path
    ("include", "[nope.yaml]", "nope.yaml: no such task file"),
    ("include", "nope.yaml", "nope.yaml: no such task file"),
    ("include", "tiny.yaml", "include cycle"),
    ("training_split", "nope", "training_split: no data_files entry for split 'nope'"),
    ("fewshot_split", "nope", "fewshot_split: no data_files entry for split 'nope'"),
    ("lang", "[ary_Arab]", "lang: ['ary_Arab'] is not a string"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "needle"), SHAPES, ids=[f"{k}: {v}" for k, v, _ in SHAPES])
def test_malformed_task_keys_exit_2_naming_the_key(tmp_path, capsys, key, value, needle):
    task = write_task(tmp_path)
    lines = [line for line in task.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{key}:")]
    if key in ("dataset_kwargs", "metric_list"):  # replace the whole block
        block = ("  data_files:", "    test:", "  delimiter:", "  - metric:")
        lines = [line for line in lines if not line.startswith(block)]
    task.write_text("\n".join([*lines, f"{key}: {value}"]) + "\n", encoding="utf-8")
    assert run_both(tmp_path, task) == [2, 2]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count(needle) == 2, err
