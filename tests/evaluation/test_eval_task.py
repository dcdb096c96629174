"""Task YAML: loading, include, and bad input with every error listed."""

from __future__ import annotations

import pytest

from aimm_nlp.errors import ConfigError, DataError, InputFileError, UnknownNameError
from aimm_nlp.evaluation.requests import prepare
from aimm_nlp.evaluation.task import list_tasks, load_task, task_path, validate_task_file
from aimm_nlp.testing import DummyModel

TSV = (
    "id\ttweet\tlabel\n1\tsalam labas 3lik 😂\tpositive\n2\tواش نتا مزيااااان؟\tnegative\n3\tⴰⵣⵓⵍ\tneutral\n"
)


def write(tmp_path, text, name="task.yaml", data=TSV):
    (tmp_path / "data.tsv").write_text(data, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """task: t
output_type: multiple_choice
dataset_path: csv
dataset_kwargs: {data_files: {test: data.tsv}, delimiter: "\\t"}
test_split: test
doc_to_choice: ["negative", "neutral", "positive"]
doc_to_target: label
"""


def test_valid_task_loads_with_relative_data(tmp_path):
    task = load_task(write(tmp_path, BASE + "doc_to_text: '{{tweet}}'\n"))
    assert task.type == "multiple_choice"
    assert task.metrics == ("acc", "acc_norm")
    prep = prepare(task, DummyModel(), limit=None, num_fewshot=None, seed=0)
    assert [r["gold"] for r in prep.refs] == [2, 0, 1]
    assert prep.requests[1] == ("واش نتا مزيااااان؟", [" negative", " neutral", " positive"])


def test_all_errors_are_listed_unknown_keys_and_missing_columns(tmp_path):
    text = BASE + "doc_to_text: '{{tweet}} {{text}} {{lang}}'\nprompt: x\nnum_fewshots: 1\n"
    errors = validate_task_file(write(tmp_path, text))
    assert len(errors) == 4
    assert any("unknown key 'prompt'" in e for e in errors)
    assert any("unknown key 'num_fewshots'" in e and "did you mean 'num_fewshot'" in e for e in errors)
    assert any("column 'text'" in e for e in errors) and any("column 'lang'" in e for e in errors)
    with pytest.raises(ConfigError) as info:
        load_task(tmp_path / "task.yaml")
    assert len(info.value.errors) == 4 and "task.yaml" in str(info.value)


def test_missing_data_file_and_bad_type_are_errors(tmp_path):
    text = (
        BASE.replace("data.tsv", "nope.tsv").replace("multiple_choice", "multi_choice")
        + "doc_to_text: tweet\n"
    )
    errors = validate_task_file(write(tmp_path, text))
    assert any("nope.tsv does not exist" in e for e in errors)
    assert any("output_type: 'multi_choice'" in e for e in errors)


def test_label_not_in_choices_is_a_data_error(tmp_path):
    data = TSV + "4\tbghit nmchi\tangry\n"
    task = load_task(write(tmp_path, BASE + "doc_to_text: tweet\n", data=data))
    with pytest.raises(DataError, match="label 'angry' is not one of the choices"):
        prepare(task, DummyModel(), limit=None, num_fewshot=None, seed=0)


def test_include_merges_and_child_wins(tmp_path):
    (tmp_path / "_base.yaml").write_text(
        BASE + "doc_to_text: tweet\nmetadata: {version: 3}\n", encoding="utf-8"
    )
    task = load_task(write(tmp_path, "include: _base.yaml\ntask: child\nmetric_list: [{metric: acc}]\n"))
    assert (task.name, task.version, task.metrics) == ("child", 3, ("acc",))


def test_unknown_task_name_suggests():
    with pytest.raises(UnknownNameError, match="did you mean 'ary_sentiment'"):
        load_task("ary_sentimant")


def test_prepare_with_missing_data_file_raises_input_error(tmp_path):
    task = load_task(write(tmp_path, BASE + "doc_to_text: tweet\n"))
    (tmp_path / "data.tsv").unlink()
    with pytest.raises(InputFileError, match=r"data\.tsv"):
        prepare(task, DummyModel(), limit=None, num_fewshot=None, seed=0)


def test_every_shipped_task_validates(shared):
    names = list_tasks()
    assert {"ary_sentiment", "flores_ary_Arab_bpb", "qcri_pos_mgr", "script_id", "nllb_seed_eng_ary"} <= set(
        names
    )
    for name in names:
        assert validate_task_file(task_path(name)) == [], name


def test_fewshot_is_seeded_and_deterministic(tmp_path):
    task = load_task(write(tmp_path, BASE + "doc_to_text: tweet\nnum_fewshot: 1\n"))
    a = prepare(task, DummyModel(), limit=None, num_fewshot=None, seed=7)
    b = prepare(task, DummyModel(), limit=None, num_fewshot=None, seed=7)
    assert a.requests == b.requests and a.n_shot == 1
    ctx = a.requests[0][0]
    assert ctx.count("\n\n") == 1 and ctx.endswith("salam labas 3lik 😂")
