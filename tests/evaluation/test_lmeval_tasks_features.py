"""lm-eval task features in aimm: filter_list, process_docs (declarative), groups' aggregate_metric_list,
lm-eval's arc_easy.yaml as it is, repeats, and where relative data_files are found."""

from __future__ import annotations

import json

import pytest
from lmeval_fixtures import HELLASWAG_ROWS, hub_root, lm_eval_tasks, write

from aimm_nlp.errors import ConfigError
from aimm_nlp.evaluation import DummyModel, evaluate, validate_task_file
from ci_support import require

RESPONSES = [
    "",
    "a",
    "Salam LABAS 3lik 😂",
    "  الجواب هو #### 42  ",
    "mzyaaaaan!!! #### -3.5,0",
    "ⴰⵣⵓⵍ #### 7 #### 8",
]
PIPELINES = [
    [{"function": "regex"}, {"function": "take_first"}],
    [{"function": "regex", "regex_pattern": r"(\d+)|(ⴰⵣⵓⵍ)", "group_select": -1, "fallback": "ماكاين"}],
    [{"function": "lowercase"}, {"function": "remove_whitespace"}, {"function": "take_first"}],
    [{"function": "uppercase"}, {"function": "majority_vote"}, {"function": "take_first"}],
    [{"function": "remove_whitespace"}, {"function": "regex", "regex_pattern": r"^(\w)"}],
]


@pytest.mark.parametrize(
    "steps", PIPELINES, ids=["regex-default", "regex-groups", "lower-strip", "vote", "strip-re"]
)
@pytest.mark.parametrize(
    "resp", RESPONSES, ids=["empty", "one-char", "emoji", "arabic", "elongated", "tifinagh"]
)
def test_filters_equal_lm_eval_filters(steps, resp):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval.filters import build_filter_ensemble

    from aimm_nlp.evaluation.filters import apply_filters

    ensemble = build_filter_ensemble(
        "f", [[s["function"], {k: v for k, v in s.items() if k != "function"}] for s in steps]
    )
    resps = [[resp]]
    for f in ensemble.filters:
        resps = list(f().apply(resps, [{}]))
    theirs = resps[0][0] if isinstance(resps[0], list) else resps[0]
    assert apply_filters([{"name": "f", "filter": steps}], resp, {}) == theirs


def _gen_task(tmp_path, filter_list=None, **extra):
    rows = [{"q": "شحال 40 زايد 2؟ => [[42]]", "n": "42"}, {"q": "salam => [[SALAM]]", "n": "salam"}]
    write(tmp_path / "gen.jsonl", rows)
    cfg = {"task": "gen_filtered", "output_type": "generate_until", "dataset_path": "json",
           "dataset_kwargs": {"data_files": {"test": "gen.jsonl"}}, "doc_to_text": "{{q}}", "doc_to_target": "n",
           "metric_list": [{"metric": "exact_match"}], **extra}  # fmt: skip
    if filter_list is not None:
        cfg["filter_list"] = filter_list
    path = tmp_path / "gen.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return path


def test_filter_list_post_processes_generations_before_scoring(tmp_path):
    plain = evaluate(DummyModel(), [str(_gen_task(tmp_path))], bootstrap_iters=0)
    assert plain.scores["gen_filtered"]["exact_match"] == 0.0  # "[[42]]" is not "42"
    steps = [{"function": "regex", "regex_pattern": r"\[\[(\w+)\]\]"}, {"function": "lowercase"},
             {"function": "take_first"}]  # fmt: skip
    res = evaluate(
        DummyModel(), [str(_gen_task(tmp_path, [{"name": "x", "filter": steps}]))], bootstrap_iters=0
    )
    assert res.scores["gen_filtered"]["exact_match"] == 1.0
    assert [(s["resp"], s["pred"]) for s in res.samples["gen_filtered"]] == [
        ("[[42]]", "42"),
        ("[[SALAM]]", "salam"),
    ]


BAD_FILTERS = [
    ({"name": "x"}, "filter_list: {'name': 'x'} is not a list"),
    ([{"name": "a", "filter": [{"function": "take_first"}]}, {"name": "b", "filter": [{"function": "take_first"}]}],
     "2 filter pipelines"),
    ([{"name": "x", "filter": [{"function": "regexp"}]}], "function 'regexp' is not one of"),
    ([{"name": "x", "filter": [{"function": "regex", "regex_pattern": "(["}]}], "not a regex"),
    ([{"name": "x", "filter": [{"function": "lowercase", "pattern": "x"}]}], "lowercase takes no pattern"),
    ([{"name": "x", "filter": [{"function": "regex", "group_select": "1"}]}], "group_select: expected an integer"),
    ([{"name": "x", "filter": [{"function": "custom"}]}], "filter_fn: expected !function"),
    ([{"name": "x", "filter": "take_first"}], "expected {name: NAME, filter:"),
]  # fmt: skip


@pytest.mark.parametrize(("filter_list", "message"), BAD_FILTERS)
def test_bad_filter_list_is_named(tmp_path, filter_list, message):
    errors = validate_task_file(_gen_task(tmp_path, filter_list))
    assert any(message in e and "gen.yaml" in e for e in errors), errors


@pytest.mark.parametrize("repeats", [0, 2, 64])
def test_repeats_other_than_one_is_refused(tmp_path, repeats):
    errors = validate_task_file(_gen_task(tmp_path, repeats=repeats))
    assert any(f"repeats: {repeats}; aimm generates one greedy answer" in e for e in errors), errors
    assert validate_task_file(_gen_task(tmp_path, repeats=1)) == []


DECLARATIVE_HELLASWAG = """\
task: darijahellaswag_declarative
dataset_path: MBZUAI-Paris/DarijaHellaSwag
dataset_name: null
output_type: multiple_choice
validation_split: validation
test_split: null
process_docs:
  - map: {query: "activity_label ~ ': ' ~ ctx", choices: endings, gold: "label | int"}
doc_to_text: "{{query}}"
doc_to_target: "{{label}}"
doc_to_choice: "choices"
metric_list: [acc, acc_norm]
"""


@pytest.mark.parametrize(
    "gen",
    [
        {"until": ["\n"], "do_sample": False, "temperature": 0.0},  # darija_bench's translation/translit
        {
            "until": "</s>",
            "max_gen_toks": 8,
            "do_sample": False,
            "temperature": 0.7,
            "top_p": 0.9,
            "top_k": 5,
        },
        {"max_gen_toks": 1},
        {},
    ],
    ids=["darija-bench", "greedy-noop-settings", "max-gen-toks", "empty"],
)
def test_greedy_generation_kwargs_are_accepted(tmp_path, gen):
    assert validate_task_file(_gen_task(tmp_path, generation_kwargs=gen)) == []


@pytest.mark.parametrize(
    ("gen", "message"),
    [
        (
            {"do_sample": True, "temperature": 0.7},
            "generation_kwargs.do_sample: True; aimm generates greedily",
        ),
        ({"do_sample": "no"}, "generation_kwargs.do_sample: 'no'"),
        ({"num_beams": 4}, "generation_kwargs.num_beams: not supported"),
        ({"min_new_tokens": 4}, "generation_kwargs.min_new_tokens: not supported"),
        ({"max_new_tokens": 32}, "(use max_gen_toks)"),
        ({"until": ["ⵜ"], "repetition_penalty": 1.3}, "generation_kwargs.repetition_penalty: not supported"),
    ],
    ids=["sampling", "do-sample-str", "beams", "min-new-tokens", "max-new-tokens", "repetition-penalty"],
)
def test_generation_kwargs_aimm_cannot_honour_are_refused(tmp_path, gen, message):
    """lm-eval passes these to generate(); aimm used to drop them silently and answer differently."""
    errors = validate_task_file(_gen_task(tmp_path, generation_kwargs=gen))
    assert any(message in e and "gen.yaml" in e for e in errors), errors
    with pytest.raises(ConfigError, match="generation_kwargs"):
        evaluate(DummyModel(), [str(_gen_task(tmp_path, generation_kwargs=gen))], bootstrap_iters=0)


def test_declarative_process_docs_equals_lm_eval_code(tmp_path):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    root = hub_root(tmp_path / "hub")
    path = tmp_path / "hs.yaml"
    path.write_text(DECLARATIVE_HELLASWAG, encoding="utf-8")
    mine = evaluate(
        DummyModel(), [str(path)], dataset_dirs=root, bootstrap_iters=0
    )  # no code: no trust needed
    code = evaluate(
        DummyModel(), [str(lm_eval_tasks() / "darijahellaswag/darijahellaswag.yaml")], dataset_dirs=root,
        trust_task_code=True, bootstrap_iters=0,
    )  # fmt: skip
    assert mine.samples["darijahellaswag_declarative"] == code.samples["darijahellaswag"]
    assert len(code.samples["darijahellaswag"]) == len(HELLASWAG_ROWS)


def _proc_task(tmp_path, steps):
    rows = [{"text": "salam 3likom", "direction": "dr_ar", "y": 1}, {"text": "واش لاباس؟", "direction": "ar_dr", "y": 0},
            {"text": "ⴰⵣⵓⵍ 😂", "direction": "dr_ar", "y": 0}]  # fmt: skip
    write(tmp_path / "p.jsonl", rows)
    cfg = {"task": "proc", "output_type": "multiple_choice", "dataset_kwargs": {"data_files": {"test": "p.jsonl"}},
           "doc_to_text": "{{prompt}}", "doc_to_choice": ["la", "ah"], "doc_to_target": "gold", "process_docs": steps}  # fmt: skip
    path = tmp_path / "proc.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return path


def test_declarative_process_docs_steps(tmp_path):
    steps = [{"filter": "direction == 'dr_ar'"}, {"map": {"prompt": "text | upper", "gold": "y"}},
             {"rename": {"direction": "dir"}}, {"drop": ["y"]}]  # fmt: skip
    task_file = _proc_task(tmp_path, steps)
    res = evaluate(DummyModel(), [str(task_file)], bootstrap_iters=0)
    assert [s["request"][0] for s in res.samples["proc"]] == ["SALAM 3LIKOM", "ⴰⵣⵓⵍ 😂"]
    assert [s["gold"] for s in res.samples["proc"]] == [1, 0]
    from aimm_nlp.evaluation import load_task

    assert set(load_task(task_file).docs()[0]) == {"text", "dir", "prompt", "gold"}


BAD_STEPS = [
    ({"map": {"prompt": "text"}}, "expected a list of steps"),
    ([{"select": "x"}], "expected one of {filter: EXPR}"),
    ([{"filter": "a", "map": {}}], "expected one of {filter: EXPR}"),
    ([{"map": ["text"]}], "map: ['text'] is not a mapping of column: expression"),
    ([{"drop": "y"}], "drop: 'y' is not a list of column names"),
    ([{"map": {"prompt": "no_such_column"}}], "'no_such_column' is undefined"),
    ([{"map": {"prompt": "text.__class__"}}], "refused by the sandbox"),
    ([{"filter": "direction =="}], "template syntax error"),
]


@pytest.mark.parametrize(("steps", "message"), BAD_STEPS)
def test_bad_process_docs_is_named(tmp_path, steps, message):
    errors = validate_task_file(_proc_task(tmp_path, steps))
    assert any(message in e and "proc.yaml" in e for e in errors), errors


def _group(tmp_path, weight_by_size):
    for name, rows in (("small", 2), ("big", 6)):
        data = [{"text": f"جملة {i} {'😂' * i}", "y": i % 2} for i in range(rows)]
        write(tmp_path / f"{name}.jsonl", data)
        cfg = {"task": f"t_{name}", "tag": "my_tag", "output_type": "multiple_choice",
               "dataset_kwargs": {"data_files": {"test": f"{name}.jsonl"}}, "doc_to_text": "{{text}}",
               "doc_to_choice": ["la", "ah"], "doc_to_target": "y"}  # fmt: skip
        (tmp_path / f"t_{name}.yaml").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    agg = [{"metric": "acc", "weight_by_size": weight_by_size}, {"metric": "acc_norm"}]
    (tmp_path / "inner.yaml").write_text(
        json.dumps({"group": "inner", "task": ["my_tag"], "aggregate_metric_list": agg})
    )
    outer = {"group": "outer", "group_alias": "Outer", "task": ["inner", "t_small"],
             "aggregate_metric_list": [{"metric": "acc", "weight_by_size": weight_by_size}], "metadata": {"version": 2}}  # fmt: skip
    (tmp_path / "outer.yaml").write_text(json.dumps(outer))
    return evaluate(DummyModel(), [str(tmp_path / "outer.yaml")], bootstrap_iters=0)


@pytest.mark.parametrize("weight_by_size", [True, False])
def test_group_aggregates_like_lm_eval(tmp_path, weight_by_size):
    res = _group(tmp_path, weight_by_size)
    s, n = res.scores, {"t_small": 2, "t_big": 6}
    if weight_by_size:
        inner = (s["t_small"]["acc"] * 2 + s["t_big"]["acc"] * 6) / 8
        outer = (inner * 8 + s["t_small"]["acc"] * 2) / 10  # a nested group weighs its docs
    else:
        inner = (s["t_small"]["acc"] + s["t_big"]["acc"]) / 2
        outer = (inner + s["t_small"]["acc"]) / 2
    assert s["inner"]["acc"] == pytest.approx(inner)
    assert s["outer"]["acc"] == pytest.approx(outer)
    assert s["inner"]["acc_norm"] == pytest.approx((s["t_small"]["acc_norm"] + s["t_big"]["acc_norm"]) / 2)
    assert set(s["outer"]) == {"acc"} and res.versions["outer"] == 2
    assert res.n_samples["inner"]["effective"] == sum(n.values())
    assert list(res.scores) == ["t_big", "t_small", "inner", "outer"]  # the tag's files in name order


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ({"group": "g", "task": ["nope"]}, "'nope' is no task, group or tag"),
        ({"group": "g", "task": [{"task": "x"}]}, "inline task configs are not supported"),
        ({"group": "g", "task": ["g"]}, "group 'g' includes itself"),
        (
            {"group": "g", "task": ["t_small"], "aggregate_metric_list": [{"weight_by_size": True}]},
            "aggregate_metric_list",
        ),
        ({"group": "g", "task": ["t_small"], "groupp_alias": "x"}, "unknown group key 'groupp_alias'"),
    ],
)
def test_bad_group_file_is_named(tmp_path, group, message):
    _group(tmp_path, True)
    (tmp_path / "g.yaml").write_text(json.dumps(group))
    with pytest.raises(ConfigError, match=r"g\.yaml") as err:
        evaluate(DummyModel(), [str(tmp_path / "g.yaml")], bootstrap_iters=0)
    assert message in str(err.value)


ARC_ROWS = [
    {"id": "Mercury_7175875", "question": "Which of these is a source of light? (شنو اللي كيضوي؟)",
     "choices": {"text": ["the Sun (الشمس)", "the Moon", "a mirror", "a rock"], "label": ["A", "B", "C", "D"]},
     "answerKey": "A"},
    {"id": "NYSEDREGENTS_2015_4_8", "question": "Water freezes at?",
     "choices": {"text": ["0 °C", "100 °C", "50 °C"], "label": ["1", "2", "3"]}, "answerKey": "1"},
]  # fmt: skip


def test_lm_eval_arc_easy_yaml_runs_as_it_is(tmp_path):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    path = lm_eval_tasks() / "arc" / "arc_easy.yaml"
    write(tmp_path / "allenai" / "ai2_arc" / "ARC-Easy" / "test-00000-of-00001.parquet", ARC_ROWS)
    res = evaluate(DummyModel(), [str(path)], dataset_dirs=tmp_path, bootstrap_iters=0)
    samples = res.samples["arc_easy"]
    assert (
        samples[0]["request"][0]
        == "Question: Which of these is a source of light? (شنو اللي كيضوي؟)\nAnswer:"
    )
    assert [s["gold"] for s in samples] == [0, 0] and samples[1]["choices"] == ["0 °C", "100 °C", "50 °C"]
    assert set(res.scores["arc_easy"]) == {"acc", "acc_norm"}


def _rel_task(folder, data_dir=None):
    folder.mkdir(parents=True, exist_ok=True)
    kwargs = {"data_files": {"test": "data/rel.jsonl"}, **({"data_dir": str(data_dir)} if data_dir else {})}
    cfg = {"task": "rel", "output_type": "multiple_choice", "dataset_path": "json", "dataset_kwargs": kwargs,
           "doc_to_text": "{{text}}", "doc_to_choice": ["la", "ah"], "doc_to_target": "y"}  # fmt: skip
    (folder / "rel.yaml").write_text(json.dumps(cfg), encoding="utf-8")
    return folder / "rel.yaml"


@pytest.mark.parametrize("where", ["task_folder", "cwd", "data_dir"])
def test_relative_data_files_found_where_aimm_or_lm_eval_looks(tmp_path, monkeypatch, where):
    task_file = _rel_task(tmp_path / "tasks", data_dir=tmp_path / "dd" if where == "data_dir" else None)
    base = {"task_folder": tmp_path / "tasks", "cwd": tmp_path / "work", "data_dir": tmp_path / "dd"}[where]
    write(base / "data" / "rel.jsonl", [{"text": f"salam from {where}", "y": 1}])
    (tmp_path / "work").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path / "work")
    res = evaluate(DummyModel(), [str(task_file)], bootstrap_iters=0, cache=None)
    assert res.samples["rel"][0]["request"][0] == f"salam from {where}"


def test_relative_data_files_in_both_places_is_ambiguous(tmp_path, monkeypatch):
    task_file = _rel_task(tmp_path / "tasks")
    write(tmp_path / "tasks" / "data" / "rel.jsonl", [{"text": "here", "y": 1}])
    write(tmp_path / "work" / "data" / "rel.jsonl", [{"text": "there", "y": 0}])
    monkeypatch.chdir(tmp_path / "work")
    (error,) = validate_task_file(task_file)
    assert "names two files" in error and str(tmp_path / "work" / "data" / "rel.jsonl") in error


def test_function_metrics_are_refused_with_a_reason(tmp_path):
    """darija_bench's transliteration scores with ``metric: !function utils.bert`` (BERTScore): not in aimm."""
    (tmp_path / "utils.py").write_text("def bert(items):\n    return items\n", encoding="utf-8")
    import yaml

    task_file = _gen_task(tmp_path)
    cfg = {
        k: v for k, v in yaml.safe_load(task_file.read_text(encoding="utf-8")).items() if k != "metric_list"
    }
    text = yaml.safe_dump(cfg, allow_unicode=True) + "metric_list:\n  - metric: !function utils.bert\n"
    task_file.write_text(text, encoding="utf-8")
    errors = validate_task_file(task_file, trust_task_code=True)
    assert any("metrics written as !function are not supported" in e for e in errors), errors


def test_dataset_path_may_be_a_local_dataset_folder(tmp_path):
    """lm-eval's ``load_dataset(path=FOLDER)``: a task whose dataset_path is a folder needs no --dataset-dir."""
    folder = tmp_path / "my_arc"
    write(folder / "ARC-Easy" / "test.jsonl", ARC_ROWS)
    task = tmp_path / "arc_local.yaml"
    text = (
        f"task: arc_local\ndataset_path: {folder}\ndataset_name: ARC-Easy\noutput_type: multiple_choice\n"
        "test_split: test\ndoc_to_text: 'Question: {{question}}\\nAnswer:'\n"
        "doc_to_target: '{{choices.label.index(answerKey)}}'\ndoc_to_choice: '{{choices.text}}'\n"
    )
    task.write_text(text, encoding="utf-8")
    res = evaluate(DummyModel(), [str(task)], bootstrap_iters=0)
    assert [s["gold"] for s in res.samples["arc_local"]] == [0, 0]


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("process_results", "x", "per-doc scoring code"),
        ("doc_to_image", "img", "multimodal"),
        ("unsafe_code", True, "model-written code"),
        ("gen_prefix", "الجواب:", "add it to doc_to_text"),
    ],
)
def test_lm_eval_keys_aimm_does_not_run_are_named(tmp_path, key, value, why):
    path = _gen_task(tmp_path, **{key: value})
    errors = validate_task_file(path)
    assert any(f"{key}: lm-eval's {key} is not supported by aimm (" in e and why in e for e in errors), errors
    assert not any("unknown key" in e for e in errors)
    assert (
        validate_task_file(_gen_task(tmp_path, **{key: False if value is True else None})) == []
    )  # defaults


def test_include_may_be_a_list_merged_in_order(tmp_path):
    """lm-eval's ``include: [a, b]``: a's keys, then b's, then the task file's own."""
    from aimm_nlp.evaluation import load_task
    from aimm_nlp.evaluation.task import task_inputs

    write(tmp_path / "t.jsonl", [{"text": "wach labas?", "y": 1}, {"text": "ⴰⵣⵓⵍ", "y": 0}])
    (tmp_path / "a.yaml").write_text(
        "output_type: multiple_choice\ndataset_kwargs: {data_files: {test: t.jsonl}}\ndoc_to_text: 'A: {{text}}'\n"
        "doc_to_choice: ['la', 'ah']\ndoc_to_target: y\ndescription: from a\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text("doc_to_text: 'B: {{text}}'\ndescription: from b\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "include: [a.yaml, b.yaml]\ntask: listed\ndescription: ''\n", encoding="utf-8"
    )
    task = load_task(tmp_path / "t.yaml")
    assert task.config["doc_to_text"] == "B: {{text}}" and task.config["description"] == ""
    assert task_inputs(tmp_path / "t.yaml") == [
        tmp_path / n for n in ("t.yaml", "a.yaml", "b.yaml", "t.jsonl")
    ]
