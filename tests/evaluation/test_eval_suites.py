"""Benchmark suites: morocco-mini end to end, morocco on real data, skips, strict mode, baselines, gating."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.evaluation import evaluate, list_suites, load_suite, suite_split_ids
from aimm_nlp.evaluation.data import hash_bucket
from aimm_nlp.evaluation.task import load_task, mini_root
from aimm_nlp.testing import DummyModel

UPOS = ["ADJ", "ADP", "ADV", "NOUN", "PART", "PRON", "PUNCT", "VERB"]
MINI = mini_root()
REPO = Path(__file__).resolve().parents[2]


def rows(name: str) -> list[dict[str, str]]:
    with open(MINI / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def majority():
    return evaluate("baseline:majority", suite="morocco-mini", bootstrap_iters=0)


@pytest.fixture(scope="module")
def char_ngram():
    return evaluate("baseline:char_ngram", suite="morocco-mini", bootstrap_iters=0)


def test_suites_are_data_with_licenses_and_valid_tasks():
    assert list_suites() == ["morocco", "morocco-mini"]
    full, mini = load_suite("morocco"), load_suite("morocco-mini")
    assert full.version == 1 and mini.version == 1 and len(full.tasks) == len(mini.tasks) == 15
    assert full.non_commercial_tasks == ["doda_translit_latn_arab"]
    covered = {t for s in full.sources for t in s["tasks"]}
    assert covered == set(full.tasks) and all(s["license"] and s["citation"] for s in full.sources)
    for name in (*full.tasks, *mini.tasks):
        task = load_task(name, check_data=name in mini.tasks)  # mini data ships with the package
        assert task.lang and task.version == 1
    # each language / script of the issue is present, side by side
    langs = {load_task(t, check_data=False).lang for t in full.tasks}
    assert {"ary_Arab", "ary_Latn", "arb_Arab", "fra_Latn", "eng_Latn", "tzm_Tfng", "zgh_Tfng"} <= langs


def test_hash_split_is_disjoint_deterministic_and_shared_by_script_variants():
    ids = [r["id"] for r in rows("sentiment.tsv")]
    test = suite_split_ids("morocco-mini", "mini_ary_sentiment", "test")
    train = suite_split_ids("morocco-mini", "mini_ary_sentiment", "train")
    assert test.isdisjoint(train) and test | train == set(ids)
    assert test == {i for i in ids if hash_bucket(i) < 40}
    arab = suite_split_ids("morocco-mini", "mini_ary_sentiment_Arab", "test")
    latn = suite_split_ids("morocco-mini", "mini_ary_sentiment_Latn", "test")
    assert arab | latn == test and arab.isdisjoint(latn)
    script = {r["id"]: r["script"] for r in rows("sentiment.tsv")}
    assert {script[i] for i in arab} == {"Arab"} and {script[i] for i in latn} == {"Latn"}
    with pytest.raises(KeyError, match="not in suite"):
        suite_split_ids("morocco-mini", "ary_sentiment")


def test_mini_suite_on_dummy_model_runs_every_task(tmp_path):
    res = evaluate(DummyModel(labels=UPOS), suite="morocco-mini", bootstrap_iters=0)
    assert res.skipped == [] and list(res.scores) == list(load_suite("morocco-mini").tasks)
    empty_zgh = sum(1 for r in rows("translation.tsv") if not r["zgh_Tfng"])
    assert empty_zgh > 0
    n = {t: v["effective"] for t, v in res.n_samples.items()}
    assert n["mini_translation_eng_zgh"] == n["mini_translation_eng_ary"] - empty_zgh
    assert n["mini_pos"] == len(suite_split_ids("morocco-mini", "mini_pos", "test"))
    assert (
        res.langs["mini_ary_sentiment_Arab"] == "ary_Arab"
        and res.langs["mini_ary_sentiment_Latn"] == "ary_Latn"
    )
    data = json.loads(res.write(tmp_path / "dummy.json").read_text(encoding="utf-8"))
    assert data["group"]["name"] == "morocco-mini" and data["skipped"] == []
    assert set(data["results"]) == set(res.scores)


def test_majority_baseline_predicts_the_training_majority(majority):
    train = [r for r in rows("sentiment.tsv") if r["script"] == "Arab" and hash_bucket(r["id"]) >= 40]
    test = [r for r in rows("sentiment.tsv") if r["script"] == "Arab" and hash_bucket(r["id"]) < 40]
    top = Counter(r["label"] for r in train).most_common(1)[0][0]
    expected = sum(r["label"] == top for r in test) / len(test)
    assert majority.scores["mini_ary_sentiment_Arab"]["acc"] == pytest.approx(expected)
    ran = set(majority.scores)
    assert ran == {
        "mini_ary_sentiment",
        "mini_ary_sentiment_Arab",
        "mini_ary_sentiment_Latn",
        "mini_langid",
        "mini_pos",
    }
    reasons = dict(majority.skipped)
    assert set(reasons) == set(load_suite("morocco-mini").tasks) - ran
    assert "label baseline cannot answer" in reasons["mini_translation_eng_zgh"]
    assert "needs training text that is not evaluation data" in reasons["mini_ary_Arab_bpb"]


def test_char_ngram_baseline_beats_majority_on_label_tasks(majority, char_ngram):
    same = [(t, r.replace("majority", "char_ngram")) for t, r in majority.skipped]
    assert char_ngram.skipped == same  # the same tasks, for the same reason
    for task, metric in (("mini_langid", "acc"), ("mini_pos", "token_acc"), ("mini_ary_sentiment", "f1")):
        assert char_ngram.scores[task][metric] > majority.scores[task][metric] + 0.1, task


def test_suite_subset_keeps_suite_order_and_rejects_foreign_tasks():
    res = evaluate(None, suite="morocco-mini", tasks=["mini_translit_latn_arab", "mini_langid"], limit=5)
    assert (
        list(res.scores) == ["mini_langid", "mini_translit_latn_arab"] and res.suite["name"] == "morocco-mini"
    )
    with pytest.raises(ValueError, match="not in suite morocco-mini: ary_sentiment"):
        evaluate(None, suite="morocco-mini", tasks=["ary_sentiment"])


def test_baseline_skips_tasks_without_a_training_split(shared):
    res = evaluate(
        "baseline:majority", tasks=["qcri_pos_mgr", "ary_sentiment_Latn"], limit=30, bootstrap_iters=0
    )
    assert dict(res.skipped) == {
        "qcri_pos_mgr": "baseline:majority: task qcri_pos_mgr has no training split to fit on"
    }
    assert list(res.scores) == ["ary_sentiment_Latn"]


def test_morocco_suite_on_dummy_model_with_limit(shared):
    res = evaluate(DummyModel(labels=UPOS), suite="morocco", limit=3, bootstrap_iters=0)
    assert res.skipped == [] and len(res.scores) == 15
    assert all(v["effective"] == 3 for v in res.n_samples.values())
    from aimm_nlp.text import dominant_script

    arab = load_task("ary_sentiment_Arab").docs()
    assert {dominant_script(d["tweet"]) for d in arab} == {"Arab"}
    assert res.provenance["data_sha256"].keys() == res.scores.keys()


@pytest.fixture
def partial_data(shared, tmp_path):
    """A --data folder holding only AfriSenti and FLORES (links to the shared copies)."""
    root = tmp_path / "partial"
    (root / "data").mkdir(parents=True)
    (root / "corpora").mkdir()
    (root / "data" / "afrisenti_ma").symlink_to(shared / "data" / "afrisenti_ma")
    (root / "corpora" / "flores200-subset").symlink_to(shared / "corpora" / "flores200-subset")
    return root


def test_data_folder_missing_sets_skips_with_a_table_and_strict_exits_2(partial_data, tmp_path, capsys):
    out = tmp_path / "run.json"
    args = ["eval", "--suite", "morocco", "--data", str(partial_data), "--limit", "3", "--output", str(out),
            "--no-cache", "--bootstrap-iters", "0"]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "| langid_moroccan |" in err and "data file missing" in err and "skipped" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    skipped = {s["task"]: s["reason"] for s in data["skipped"]}
    assert str(partial_data / "data" / "doda" / "sentences.tsv") in skipped["doda_translit_latn_arab"]
    # no model: sentiment and bpb are skipped for the model kind, not the data
    assert (
        "got no model" in skipped["ary_sentiment_Arab"] and "got no model" in skipped["flores_ary_Arab_bpb"]
    )
    assert data["results"] == {}
    out.unlink()
    assert main([*args, "--strict"]) == 2
    err = capsys.readouterr().err
    assert "would be skipped (strict mode)" in err and "nllb_seed_eng_zgh: data file missing" in err
    assert not out.exists()


@pytest.fixture(scope="module")
def finetuned(tmp_path_factory, tok):
    """A folder as `aimm finetune` writes it: save_pretrained of a 3-label classifier + tokenizer."""
    from aimm_nlp.testing import tiny_classifier

    root = tmp_path_factory.mktemp("ft")
    tiny_classifier(tok, ["negative", "neutral", "positive"]).save_pretrained(root / "model")
    tok.save_pretrained(root / "model")
    tiny_classifier(tok, ["neg", "pos"]).save_pretrained(root / "other")
    tok.save_pretrained(root / "other")
    return root


def test_suite_on_a_finetuned_classifier_runs_what_it_can(finetuned, tmp_path, capsys):
    out = tmp_path / "clf.json"
    args = ["eval", "--model", str(finetuned), "--suite", "morocco-mini", "--output", str(out), "--no-cache",
            "--bootstrap-iters", "0"]  # fmt: skip
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["results"]) == {"mini_ary_sentiment", "mini_ary_sentiment_Arab", "mini_ary_sentiment_Latn",
                                    "mini_langid", "mini_translit_latn_arab"}  # fmt: skip
    skipped = {s["task"]: s["reason"] for s in data["skipped"]}
    assert "needs a causal_lm model, got encoder_classifier" in skipped["mini_zgh_Tfng_bpb"]
    assert "needs a token_classifier model" in skipped["mini_pos"]
    assert "5 task(s) ran, 10 skipped" in capsys.readouterr().err
    # a head whose labels do not match the task's: skipped with the reason, not a crash
    res = evaluate(str(finetuned / "other"), suite="morocco-mini", bootstrap_iters=0)
    assert "lack ['negative', 'neutral', 'positive']" in dict(res.skipped)["mini_ary_sentiment"]


def test_ci_example_workflow_commands_pass(finetuned, shared, tmp_path, monkeypatch, capsys):
    """The commands of examples/ci/aimm-eval.yml, as written, on a fine-tuned classifier and the shared data:
    baseline written once, the strict gated run passes against it, the report has both runs."""
    import shlex

    import yaml

    workflow = yaml.safe_load((REPO / "examples" / "ci" / "aimm-eval.yml").read_text(encoding="utf-8"))
    steps = {step.get("name", ""): step.get("run", "") for step in workflow["jobs"]["evaluate"]["steps"]}
    env = {"MODEL_DIR": str(finetuned / "model"), "AIMM_DATA_DIR": str(shared)}

    def argv(name: str) -> list[str]:
        (command,) = [run for step, run in steps.items() if step.startswith(name)]
        words = shlex.split(command.replace("\\\n", " "))
        assert words[0] == "aimm"
        return [env.get(w[1:], w) if w.startswith("$") else w for w in words[1:]]

    monkeypatch.chdir(tmp_path)
    gated = argv("Evaluate")
    quick = ["--limit", "3", "--no-cache", "--bootstrap-iters", "0"]
    cut = gated.index("--baseline")
    first = [*gated[:cut], *gated[cut + 4 :]]  # the run that writes the stored baseline once
    first[first.index("--output") + 1] = "baselines/morocco.json"
    (tmp_path / "baselines").mkdir()
    assert main([*first, *quick]) == 0
    assert main([*gated, *quick]) == 0  # --strict: no task of --tasks is skipped
    data = json.loads((tmp_path / "results" / "morocco.json").read_text(encoding="utf-8"))
    assert data["skipped"] == [] and set(data["results"]) == {
        "ary_sentiment", "ary_sentiment_Arab", "ary_sentiment_Latn",
    }  # fmt: skip
    capsys.readouterr()
    assert main(argv("Leaderboard")) == 0
    md = (tmp_path / "results" / "report" / "leaderboard.md").read_text(encoding="utf-8")
    assert "baselines/morocco" in md and "results/morocco" in md


def test_baseline_gate_on_suite_results(majority, char_ngram, tmp_path, capsys):
    base = char_ngram.write(tmp_path / "char_ngram.json", samples=False)
    common = ["eval", "--suite", "morocco-mini", "--no-cache", "--bootstrap-iters", "0"]
    out = tmp_path / "maj.json"
    assert main([*common, "--model", "baseline:majority", "--output", str(out), "--baseline", str(base)]) == 1
    err = capsys.readouterr().err
    assert "| mini_langid | acc |" in err and "regression(s)" in err
    # a suite result against itself passes; a skipped task that the baseline has is a regression
    # (written to another file: --output equal to --baseline is refused, it would replace the baseline)
    out2 = tmp_path / "maj2.json"
    assert main([*common, "--model", "baseline:majority", "--output", str(out2), "--baseline", str(out)]) == 0
    assert main([*common, "--output", str(tmp_path / "none.json"), "--baseline", str(out)]) == 1
    assert "| mini_pos | token_acc |" in capsys.readouterr().err


def test_report_groups_by_language_and_lists_skips(majority, char_ngram, tmp_path):
    from aimm_nlp.report import report

    paths = [majority.write(tmp_path / "majority.json"), char_ngram.write(tmp_path / "char_ngram.json")]
    written = report(paths, out=tmp_path / "rep")
    md = written["markdown"].read_text(encoding="utf-8")
    groups = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert groups[:4] == ["Aggregates", "All tasks", "ary_Arab", "ary_Latn"]  # one table per language/script
    assert "mini_ary_sentiment_Latn (f1 ↑)" in md.split("## ary_Latn")[1].split("##")[0]
    assert "- majority: mini_ary_Arab_bpb: skipped: baseline:majority has no language model" in md
    html = written["html"].read_text(encoding="utf-8")
    assert '<section class="view" id="g-ary_Latn">' in html
    assert "<li><b>mini_ary_Arab_bpb</b>: baseline:majority has no language model" in html
