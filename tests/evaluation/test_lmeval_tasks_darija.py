"""lm-eval's own Darija task files (darijammlu, darijahellaswag, darija_bench sentiment), read unchanged from
the installed lm_eval package, run by aimm on local copies of their Hub datasets (fixtures in the Hub schema).

lm-eval comes with the ``bench`` extra: these tests skip locally without it and fail under ``CI=true``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from lmeval_fixtures import BENCH_ROWS, HELLASWAG_ROWS, MMLU_ROWS, hub_root, lm_eval_tasks, mmlu_rows, write

from aimm_nlp.errors import ConfigError
from aimm_nlp.evaluation import DummyModel, evaluate
from ci_support import require

HELLASWAG = "darijahellaswag/darijahellaswag.yaml"
MMLU = "darijammlu/darijammlu_accounting.yaml"
SENTIMENT = "darija_bench/darija_sentiment/darija_sentiment_mac.yaml"


@pytest.fixture(scope="module")
def tasks():
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    return lm_eval_tasks()


def _run(path, dirs, **kw):
    return evaluate(
        DummyModel(), [str(path)], dataset_dirs=dirs, bootstrap_iters=0, trust_task_code=True, **kw
    )


# (task file, expected first prompt, choices, gold index of each doc): what lm-eval's utils.py give
EXPECTED = [
    (HELLASWAG, "الطياب: واحد الراجل واقف فالكوزينة. من بعد", HELLASWAG_ROWS[0]["endings"], [0, 1, 0]),
    (
        MMLU,
        "هادا سؤال متعدد الخيارات (مع الجواب ديالو) على المحاسبة\n\nشنو هو الحساب اللي كيتسجل فيه الفلوس اللي "
        "دخلات للشركة؟\nA. الخزينة\nB. المصاريف\nC. الديون\nD. الرأسمال\nالجواب:",
        ["A", "B", "C", "D"],
        [0, 0, 0],
    ),
    (
        SENTIMENT,
        "شنو هو الإحساس ديال هاد الجملة؟\nالماتش ديال البارح كان زوين بزاااف 😍\nالاختيارات هوما:\nA. سلبي\n"
        "B. ايجابي\nC. ماكينش إحساس\nThe answer should be strictly one letter of the following: A, B, C.",
        ["A", "B", "C"],
        [1, 0, 2, 1],
    ),
]


@pytest.mark.parametrize("layout", ["hub_snapshot", "jsonl", "save_to_disk"])
@pytest.mark.parametrize(
    ("task", "prompt", "choices", "golds"), EXPECTED, ids=["hellaswag", "mmlu", "sentiment"]
)
def test_darija_task_runs_unchanged_from_a_local_copy(tasks, tmp_path, layout, task, prompt, choices, golds):
    if layout == "hub_snapshot":  # huggingface-cli download --local-dir: CONFIG/SPLIT-00000-of-00001.parquet
        root = hub_root(tmp_path)
    else:
        root = tmp_path
        org = root / "MBZUAI-Paris"
        splits = {
            "DarijaMMLU/accounting": {"test": mmlu_rows("accounting"), "dev": mmlu_rows("accounting")[:1]},
            "DarijaHellaSwag": {"validation": HELLASWAG_ROWS},
            "DarijaBench": {"mac": BENCH_ROWS},
        }
        for name, parts in splits.items():
            if layout == "jsonl":  # hand-written DIR/CONFIG/SPLIT.jsonl
                for split, rows in parts.items():
                    write(org / name / f"{split}.jsonl", rows)
            else:  # DatasetDict.save_to_disk(DIR/CONFIG)
                import datasets

                datasets.DatasetDict(
                    {s: datasets.Dataset.from_list(r) for s, r in parts.items()}
                ).save_to_disk(org / name)
    res = _run(tasks / task, root)
    (name,) = res.samples
    samples = res.samples[name]
    assert samples[0]["request"] == (prompt, [" " + c for c in choices])
    assert [s["gold"] for s in samples] == golds
    assert res.scores[name]["acc"] == pytest.approx(sum(s["metrics"]["acc"] for s in samples) / len(golds))
    assert res.provenance["data_sha256"][name]  # the local file's hash, as for aimm's own tasks


def test_hub_dataset_dir_mapping_and_root_read_the_same_file(tasks, tmp_path):
    root = hub_root(tmp_path)
    by_root = _run(tasks / MMLU, root)
    by_id = _run(tasks / MMLU, {"MBZUAI-Paris/DarijaMMLU": root / "MBZUAI-Paris" / "DarijaMMLU"})
    assert by_root.samples == by_id.samples
    assert by_root.provenance["data_sha256"] == by_id.provenance["data_sha256"]


def test_darijammlu_group_runs_every_subject_and_aggregates_weighted_by_size(tasks, tmp_path):
    import yaml

    subjects = sorted(
        yaml.safe_load(p.read_text(encoding="utf-8"))["dataset_name"]
        for p in (tasks / "darijammlu").glob("darijammlu_*.yaml")
    )
    root = hub_root(tmp_path, mmlu_subjects=subjects)
    write(
        root / "MBZUAI-Paris/DarijaMMLU/accounting/test-00000-of-00001.parquet", mmlu_rows("accounting") * 4
    )
    res = _run(tasks / "darijammlu" / "_darijammlu.yaml", root)
    leaves = [
        t
        for t in res.scores
        if t.startswith("darijammlu_") and t not in ("darijammlu_mmlu", "darijammlu_ar_mmlu")
    ]
    assert len(leaves) == len(subjects) == 44
    n = {t: res.n_samples[t]["effective"] for t in leaves}
    assert n["darijammlu_accounting"] == 12 and res.n_samples["darijammlu"]["effective"] == sum(n.values())
    weighted = sum(res.scores[t]["acc"] * n[t] for t in leaves) / sum(n.values())
    assert res.scores["darijammlu"]["acc"] == pytest.approx(weighted)
    assert list(res.scores)[-3:] == ["darijammlu_mmlu", "darijammlu_ar_mmlu", "darijammlu"]  # children first


def test_group_lists_every_subject_without_a_local_copy(tasks, tmp_path):
    root = hub_root(tmp_path, mmlu_subjects=["accounting", "biology"])
    with pytest.raises(ConfigError) as err:
        _run(tasks / "darijammlu" / "_darijammlu.yaml", root)
    assert len(err.value.errors) == 42  # 44 subjects, two present
    assert all("MBZUAI-Paris/DarijaMMLU" in e and "no file for split 'test'" in e for e in err.value.errors)


@pytest.mark.parametrize("task", [HELLASWAG, MMLU, SENTIMENT])
def test_task_code_is_refused_without_trust(tasks, tmp_path, task):
    with pytest.raises(ConfigError) as err:
        evaluate(DummyModel(), [str(tasks / task)], dataset_dirs=hub_root(tmp_path), bootstrap_iters=0)
    assert err.value.errors
    for line in err.value.errors:
        assert "!function utils." in line and "--trust-task-code" in line and "utils.py" in line
        assert ".yaml:" in line or "_yaml:" in line  # FILE:LINE of the key


def test_untrusted_task_code_never_runs(tmp_path):
    """A module that would leave a mark when imported: no mark without trust, a mark with it."""
    folder = tmp_path / "task"
    mark = tmp_path / "imported.txt"
    (folder).mkdir()
    (folder / "utils.py").write_text(
        f"from pathlib import Path\nPath({str(mark)!r}).write_text('ran')\n\n"
        "def doc_to_text(doc):\n    return doc['text'].upper()\n",
        encoding="utf-8",
    )
    write(folder / "test.jsonl", [{"text": "salam 3likom", "label": 0}, {"text": "ⴰⵣⵓⵍ", "label": 1}])
    (folder / "t.yaml").write_text(
        "task: code_task\noutput_type: multiple_choice\ndataset_path: json\n"
        "dataset_kwargs: {data_files: {test: test.jsonl}}\ndoc_to_text: !function utils.doc_to_text\n"
        "doc_to_choice: ['la', 'ah']\ndoc_to_target: label\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"t\.yaml:5: doc_to_text: !function utils\.doc_to_text"):
        evaluate(DummyModel(), [str(folder / "t.yaml")], bootstrap_iters=0)
    assert not mark.exists()
    res = evaluate(DummyModel(), [str(folder / "t.yaml")], bootstrap_iters=0, trust_task_code=True)
    assert mark.read_text() == "ran"
    assert [s["request"][0] for s in res.samples["code_task"]] == ["SALAM 3LIKOM", "ⴰⵣⵓⵍ"]


BAD_COPIES = [
    ("no dataset_dirs", None, "is a Hugging Face Hub dataset and aimm never downloads"),
    ("empty root", "empty", "--dataset-dir MBZUAI-Paris/DarijaHellaSwag=DIR"),
    ("split missing", "no_split", "no file for split 'validation'"),
    ("two shards", "two_shards", "2 files for split 'validation'"),
]


@pytest.mark.parametrize(("case", "kind", "message"), BAD_COPIES, ids=[c[0] for c in BAD_COPIES])
def test_missing_local_copy_is_a_clear_error(tasks, tmp_path, case, kind, message):
    dirs = None
    if kind is not None:
        dirs = hub_root(tmp_path / "hub")
        data = dirs / "MBZUAI-Paris" / "DarijaHellaSwag" / "data"
        if kind == "empty":
            dirs = tmp_path / "empty"
            dirs.mkdir()
        elif kind == "no_split":
            (data / "validation-00000-of-00001.parquet").unlink()
        else:
            shutil.copy(
                data / "validation-00000-of-00001.parquet", data / "validation-00001-of-00002.parquet"
            )
    with pytest.raises(ConfigError) as err:
        _run(tasks / HELLASWAG, dirs)
    assert message in str(err.value)
    assert "darijahellaswag.yaml: dataset_path: MBZUAI-Paris/DarijaHellaSwag" in str(err.value)


def test_cli_runs_darijahellaswag_from_a_local_copy(tasks, tmp_path, tok, capsys):
    from aimm_nlp.cli import main
    from aimm_nlp.testing import tiny_causal_lm

    model = tmp_path / "llm"
    tiny_causal_lm(tok).save_pretrained(model)
    tok.save_pretrained(model)
    root = hub_root(tmp_path / "hub")
    out = tmp_path / "out" / "run.json"
    base = ["eval", "--model", str(model), "--tasks", str(tasks / HELLASWAG), "--output", str(out), "--no-cache",
            "--bootstrap-iters", "0"]  # fmt: skip
    assert main([*base, "--datasets-root", str(root)]) == 2  # no --trust-task-code: refused, nothing written
    err = capsys.readouterr().err
    assert (
        "darijahellaswag.yaml:10: process_docs: !function utils.process_docs" in err
        and "--trust-task-code" in err
    )
    assert not out.exists()
    mapping = f"MBZUAI-Paris/DarijaHellaSwag={root / 'MBZUAI-Paris' / 'DarijaHellaSwag'}"
    assert main([*base, "--dataset-dir", mapping, "--trust-task-code"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["n-samples"]["darijahellaswag"]["effective"] == len(HELLASWAG_ROWS)
    assert 0 <= data["results"]["darijahellaswag"]["acc_norm,none"] <= 1


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--dataset-dir", "MBZUAI-Paris/DarijaMMLU"], "expected HUB_ID=DIR"),
        (["--dataset-dir", "=/tmp"], "expected HUB_ID=DIR"),
        (["--dataset-dir", "MBZUAI-Paris/DarijaMMLU=/no/such/dir"], "/no/such/dir is not a folder"),
        (["--datasets-root", "/no/such/root"], "--datasets-root '/no/such/root': not a folder"),
        (["--datasets-root", ""], "--datasets-root '': empty"),
    ],
)
def test_cli_bad_dataset_dir_options_exit_2(tmp_path, capsys, flags, message):
    from aimm_nlp.cli import main

    out = tmp_path / "run.json"
    assert main(["eval", "--tasks", "script_id", "--output", str(out), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_mmlu_rows_keep_the_hub_types(tmp_path):
    """Parquet round trip: lists stay lists, ints stay ints (what lm-eval's utils.py index into)."""
    from aimm_nlp.evaluation.data import read_docs

    path = write(tmp_path / "test-00000-of-00001.parquet", mmlu_rows("accounting"))
    docs = read_docs(path, {})
    assert docs[1]["choices"] == MMLU_ROWS[1]["choices"] and docs[1]["answer"] == 0
    assert docs[0]["context"] == ""


def test_cli_tasks_validate_takes_the_same_options(tasks, tmp_path, capsys):
    from aimm_nlp.cli import main

    root = hub_root(tmp_path)
    path = str(tasks / MMLU)
    assert main(["tasks", "validate", path]) == 2
    err = capsys.readouterr().err
    assert "doc_to_text: !function utils.doc_to_text" in err and "--trust-task-code" in err
    assert main(["tasks", "validate", path, "--trust-task-code"]) == 2
    assert "--dataset-dir MBZUAI-Paris/DarijaMMLU=DIR or --datasets-root" in capsys.readouterr().err
    assert main(["tasks", "validate", path, "--trust-task-code", "--datasets-root", str(root)]) == 0
    err = capsys.readouterr().err
    assert (
        "1 task file(s) valid" in err and "test-00000-of-00001.parquet" in err
    )  # listed: outside the folder
    assert main(["tasks", "validate", path, "--dataset-dir", "nope"]) == 2
    assert "expected HUB_ID=DIR" in capsys.readouterr().err


def test_cli_output_may_not_replace_the_local_copy(tasks, tmp_path, capsys):
    from aimm_nlp.cli import main

    root = hub_root(tmp_path)
    data = root / "MBZUAI-Paris/DarijaBench/data/mac-00000-of-00001.parquet"
    before = data.read_bytes()
    args = ["eval", "--tasks", str(tasks / SENTIMENT), "--datasets-root", str(root), "--trust-task-code",
            "--output", str(data), "--no-cache"]  # fmt: skip
    assert main(args) == 2
    assert "--output is a file of task" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_task_code_failing_on_the_data_names_the_file_and_function(tasks, tmp_path):
    """darijahellaswag's process_docs on a copy without its ``ctx`` column: an error, not a traceback."""
    root = tmp_path / "hub"
    rows = [{k: v for k, v in r.items() if k != "ctx"} for r in HELLASWAG_ROWS]
    write(root / "MBZUAI-Paris/DarijaHellaSwag/data/validation-00000-of-00001.parquet", rows)
    with pytest.raises(
        ConfigError, match=r"darijahellaswag\.yaml:10: process_docs: !function utils\.process_docs failed"
    ):
        _run(tasks / HELLASWAG, root)
