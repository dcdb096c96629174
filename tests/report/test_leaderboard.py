"""Issue 22: the leaderboard is systems x tasks on primary metrics, with groups, aggregates, a baseline,
lm-eval's results merged, and one self-contained HTML page (+ Markdown, CSV, JSON)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from leaderboard_samples import SCORES, lmeval_results, write_suite

from aimm_nlp.cli import main
from aimm_nlp.evaluation.schema import primary_metric
from aimm_nlp.report import report
from aimm_nlp.report.board import load_board, normalize


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"output_type": "classification"}, "f1"),
        ({"output_type": "classification", "metric_list": [{"metric": "acc"}]}, "acc"),
        ({"output_type": "loglikelihood_rolling"}, "bits_per_byte"),  # never word perplexity
        ({"output_type": "generate_until", "metric_list": ["bleu", "chrf"]}, "chrf"),
        ({"output_type": "generate_until"}, "exact_match"),
        ({"output_type": "token_classification"}, "seqeval_f1"),
        ({"output_type": "pipeline", "metric_list": [{"metric": "cer"}, {"metric": "chrf"}]}, "cer"),
        ({"output_type": "multiple_choice"}, "acc"),
        ({"output_type": "generate_until", "primary_metric": "bleu"}, "bleu"),  # declared wins
        ({"output_type": "nonsense"}, None),
    ],
)
def test_primary_metric_defaults_per_task_type(config, expected):
    assert primary_metric(config) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("primary_metric: bleu", "primary_metric: 'bleu' is not one of this task's metrics (acc, f1)"),
        ("primary_metric: [f1]", "primary_metric: ['f1'] is not a string"),
        ("primary_metric: accuracy", "'accuracy' is not one of this task's metrics"),
    ],
)
def test_a_primary_metric_the_task_does_not_compute_is_refused(tmp_path, line, message):
    from aimm_nlp.evaluation.task import validate_task_file

    data = tmp_path / "d.tsv"
    data.write_text("text\tlabel\nمزيان\tpositive\nkhayb\tnegative\n", encoding="utf-8")
    task = tmp_path / "t.yaml"
    task.write_text(
        "task: t\noutput_type: classification\ndataset_path: csv\n"
        'dataset_kwargs: {data_files: {test: d.tsv}, delimiter: "\\t"}\ndoc_to_text: text\n'
        f"doc_to_target: label\ndoc_to_choice: [negative, positive]\n{line}\n"
        "metric_list: [{metric: acc}, {metric: f1}]\n",
        encoding="utf-8",
    )
    errors = validate_task_file(task)
    assert any(message in e and "t.yaml:8" in e for e in errors), errors


def test_every_shipped_task_declares_a_primary_metric_it_computes():
    from aimm_nlp.evaluation.task import list_tasks, load_task

    for name in list_tasks():
        task = load_task(name, check_data=False)
        assert task.config.get("primary_metric") in task.metrics, name
        assert task.primary_metric != "word_perplexity"


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [("acc", 0.75, 0.75), ("f1", 1.25, 1.0), ("chrf", 12.5, 0.125), ("bleu", 0.0, 0.0), ("cer", 0.125, 0.875),
     ("cer", 1.5, 0.0), ("bits_per_byte", 2.0, 0.75), ("bits_per_byte", 9.0, 0.0), ("word_perplexity", 5.0, None),
     ("acc", None, None), ("acc", float("nan"), None)],
)  # fmt: skip
def test_normalization(metric, value, expected):
    assert normalize(metric, value) == expected


def test_board_is_systems_by_tasks_with_groups_best_and_aggregates(tmp_path):
    board = load_board(write_suite(tmp_path))
    assert board.systems == ["bert", "llm", "pipelines"]
    groups = [t.group for t in board.tasks]
    assert groups == sorted(groups, key=["ary_Arab", "ary_Latn", "zgh_Tfng", "multi"].index)
    by_name = {t.name: t for t in board.tasks}
    assert by_name["mini_zgh_Tfng_bpb"].primary == "bits_per_byte"  # type default, not word perplexity
    assert by_name["mini_translit_latn_arab"].primary == "cer" and not by_name["mini_translit_latn_arab"].up(
        "cer"
    )
    assert board.best("mini_ary_sentiment_Arab") == {"bert"}  # f1 0.70 vs 0.375
    assert board.best("mini_translit_latn_arab") == set()  # one score: nothing to compare
    assert board.aggregate("llm", "zgh_Tfng") == (pytest.approx((0.75 + 0.125) / 2), 2, 2)
    assert board.aggregate("bert", None) == (pytest.approx((0.70 + 0.25) / 2), 2, 6)
    assert board.aggregate("pipelines", "zgh_Tfng") == (None, 0, 2)
    assert board.cell("bert", "mini_ary_sentiment_Arab").half_width == pytest.approx(0.0625)


def test_lmeval_results_merge_into_the_same_task_and_metric(tmp_path):
    paths = write_suite(tmp_path)
    lm = tmp_path / "results_2026-12-07T03-00-00.json"
    lm.write_text(json.dumps(lmeval_results()), encoding="utf-8")
    board = load_board([f"bert={paths[0]}", f"bert={lm}", str(paths[1])])
    assert board.systems == ["bert", "llm"]
    kept = board.cell("bert", "mini_ary_sentiment_Arab", "acc")
    assert kept.value == 0.75 and kept.ci_kind == "bootstrap"  # the first file given wins
    assert any("0.7188" in d and str(lm) in d for d in board.duplicates)
    arc = board.cell("bert", "arc_easy")  # lm-eval's own task: primary acc, CI from its stderr
    assert arc.value == 0.5 and arc.ci == pytest.approx((0.5 - 1.959964 * 0.025, 0.5 + 1.959964 * 0.025))
    assert arc.n == 400 and "lm-eval" in arc.ci_kind
    assert (
        board.task("arc_easy").group == "multi"
        and board.provenance["bert"][1]["written_by"] == "lm-eval 0.4.9"
    )
    only_lm = load_board([str(lm)])
    assert only_lm.cell("results_2026-12-07T03-00-00", "mini_ary_sentiment_Arab", "f1").ci is None  # "N/A"


def test_the_lmeval_fixture_is_what_lm_eval_reads():
    from ci_support import require

    utils = require("lm_eval.utils", "lm-eval's own table of the fixture")
    table = utils.make_table(lmeval_results())
    assert "arc_easy" in table and "0.5000" in table and "acc_norm" in table


def test_report_writes_one_page_markdown_csv_json(tmp_path):
    paths = write_suite(tmp_path)
    written = report(paths, out=tmp_path / "rep", baseline="bert")
    assert {"html", "markdown", "csv", "json", "plot:scores_by_group"} <= set(written)
    page = written["html"].read_text("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing loaded from the network"
    assert "<link" not in page and page.count("data:image/png;base64,") == 1
    for view in (
        "overview",
        "tasks",
        "runs",
        *(
            f"g-{g}"
            for g in (
                "ary_Arab",
                "ary_Latn",
                "arb_Arab",
                "fra_Latn",
                "eng_Latn",
                "zgh_Tfng",
                "ber_Latn",
                "multi",
            )
        ),
    ):
        assert f'id="{view}"' in page  # a view per language/script group, even one without a task
    assert "No task in these results is in ber_Latn alone." in page
    assert "No task in these results is in zgh_Tfng alone." not in page
    assert "is in arb_Arab alone. It is one of the languages of" not in page  # mini_langid: ary + zgh only
    assert 'id="task-mini_zgh_Tfng_bpb"' in page and "563536584" in page  # word perplexity: detail only
    overview = page.split('id="g-ary_Arab"')[0]
    assert "563536584" not in overview
    assert len(re.findall(r'<tr data-system="', overview)) == 3
    assert 'class="d good"' in page and 'class="d bad"' in page  # deltas against bert, coloured
    assert 'dir="auto"' in page and "aimm eval --model /runs/bert" in page  # provenance: command line
    md = written["markdown"].read_text("utf-8")
    assert "| bert | 0.475 (2/6) |" in md
    assert "| llm | 12.500 ± 0.062 | 2.000 ± 0.062 |" in md.split("## zgh_Tfng")[1]
    assert "| llm | **0.500 ± 0.062** | n/a |" in md.split("## ary_Latn")[1]  # best in its column
    rows = list(csv.DictReader(written["csv"].read_text("utf-8").splitlines()))
    assert len(rows) == sum(len(m) for s in SCORES.values() for m in s.values())
    doc = json.loads(written["json"].read_text("utf-8"))
    assert (
        doc["systems"] == ["bert", "llm", "pipelines"]
        and "bits per byte as 1 - bpb / 8" in doc["normalization"]
    )


def test_missing_cells_say_why(tmp_path):
    paths = write_suite(tmp_path)
    page = report(paths, out=tmp_path / "rep", notes={"bert": "a classifier cannot generate"})["html"]
    assert 'title="not run: a classifier cannot generate">n/a' in page.read_text("utf-8")


def test_unknown_baseline_exits_2_and_writes_nothing(tmp_path, capsys):
    paths = write_suite(tmp_path)
    argv = ["report", *map(str, paths), "--baseline", "gpt", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert "--baseline 'gpt': no such system; the systems are bert, llm, pipelines" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_the_group_figure_has_a_legend_entry_only_for_systems_with_bars(tmp_path, monkeypatch):
    from aimm_nlp.report import plots

    seen = []
    monkeypatch.setattr(
        plots, "_png", lambda fig: seen.append([t.get_text() for t in fig.legends[0].get_texts()]) or b""
    )
    plots.scores_by_group(load_board(write_suite(tmp_path)[:2]))
    assert seen == [["bert", "llm"]]
    seen.clear()
    plots.scores_by_group(load_board(write_suite(tmp_path)[2:]))
    assert seen == [["pipelines"]]


def test_results_provenance_records_command_line_and_machine(monkeypatch):
    """The run section shows them: every `aimm eval` results file carries both (no host or user name)."""
    import os

    from aimm_nlp.evaluation import evaluate

    monkeypatch.setattr("sys.argv", ["/usr/bin/aimm", "eval", "--tasks", "mini_translit_latn_arab"])
    prov = evaluate(None, ["mini_translit_latn_arab"], limit=2, cache=None).provenance
    assert prov["command"] == "aimm eval --tasks mini_translit_latn_arab"
    assert f"{os.cpu_count()} CPUs" in prov["machine"] and os.uname().nodename not in prov["machine"]


def test_training_curves_show_eval_points_only_where_the_run_evaluated(tmp_path, monkeypatch):
    from aimm_nlp.report import plots

    with_eval, without = tmp_path / "a", tmp_path / "b"
    for run, recs in ((with_eval, [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5, "eval_loss": 1.75}]),
                      (without, [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}])):  # fmt: skip
        run.mkdir()
        (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    seen = []
    monkeypatch.setattr(plots, "_png", lambda fig: seen.extend(
        [t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes if ax.get_visible()) or b"")  # fmt: skip
    plots.training_curves({"a": with_eval, "b": without})
    assert seen == [["training loss", "evaluation loss"], ["training loss"]]
