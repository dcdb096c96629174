"""Results files for the leaderboard tests: aimm's own (with per-item logs in Moroccan text) and lm-eval's.

``write_suite(tmp_path)`` writes three systems over tasks of several language/script groups;
``lmeval_results()`` is a results JSON in lm-eval's format (the keys ``lm_eval.evaluator`` and
``EvaluationTracker.save_results_aggregated`` write: ``results`` with ``"<metric>,<filter>"`` and
``"<metric>_stderr,<filter>"``, ``configs``, ``versions``, ``n-shot``, ``higher_is_better``,
``n-samples``, ``config``, ``task_hashes``, ``lm_eval_version``...).
"""

from __future__ import annotations

import json
from pathlib import Path

# task: (lang, output_type, {metric: higher_is_better}, primary_metric in the YAML or None, first item)
TASKS = {
    "mini_ary_sentiment_Arab": ("ary_Arab", "classification", {"acc": True, "f1": True}, "f1",
                                {"request": "هاد الفيلم زوين بزاف، عجبني", "gold": "positive"}),
    "mini_ary_sentiment_Latn": ("ary_Latn", "classification", {"acc": True, "f1": True}, "f1",
                                {"request": "had lfilm zwin bzzaf 3jbni", "gold": "positive"}),
    "mini_translit_latn_arab": ("ary_Latn", "pipeline", {"cer": False, "chrf": True}, "cer",
                                {"request": "salam 3likom", "gold": "سلام عليكم"}),
    "mini_zgh_Tfng_bpb": ("zgh_Tfng", "loglikelihood_rolling", {"bits_per_byte": False, "word_perplexity": False},
                          None, {"request": "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"}),
    "mini_translation_eng_zgh": ("zgh_Tfng", "generate_until", {"chrf": True, "bleu": True}, "chrf",
                                 {"request": "English: hello\nTamazight:", "ref": "ⴰⵣⵓⵍ"}),
    "mini_langid": ("ary_Arab+ary_Latn+zgh_Tfng", "pipeline", {"acc": True, "f1": True}, "f1",
                    {"request": "ⴰⵣⵓⵍ", "gold": "zgh_Tfng"}),
}  # fmt: skip

# system: {task: {metric: value}}; a missing task is a task the system did not run
SCORES = {
    "bert": {"mini_ary_sentiment_Arab": {"acc": 0.75, "f1": 0.70}, "mini_ary_sentiment_Latn": {"acc": 0.5, "f1": 0.25}},
    "llm": {"mini_ary_sentiment_Arab": {"acc": 0.5, "f1": 0.375}, "mini_ary_sentiment_Latn": {"acc": 0.5, "f1": 0.5},
            "mini_zgh_Tfng_bpb": {"bits_per_byte": 2.0, "word_perplexity": 563536584.47},
            "mini_translation_eng_zgh": {"chrf": 12.5, "bleu": 0.0}},
    "pipelines": {"mini_translit_latn_arab": {"cer": 0.125, "chrf": 75.0}, "mini_langid": {"acc": 0.9375, "f1": 0.875}},
}  # fmt: skip


def aimm_results(system: str) -> dict:
    """An ``aimm eval`` results file of ``system`` (bootstrap intervals +- 0.0625 of each score)."""
    results, configs, hib, langs, n = {}, {}, {}, {}, {}
    for task, metrics in SCORES[system].items():
        lang, output_type, directions, primary, _ = TASKS[task]
        row = {"alias": task}
        for metric, value in metrics.items():
            row[f"{metric},none"] = value
            row[f"{metric}_ci95,none"] = [value - 0.0625, value + 0.0625]
        results[task] = row
        configs[task] = {"task": task, "output_type": output_type, "lang": lang,
                         "metric_list": [{"metric": m} for m in directions], "doc_to_text": "text"}  # fmt: skip
        if primary:
            configs[task]["primary_metric"] = primary
        hib[task] = directions
        langs[task] = lang
        n[task] = {"original": 64, "effective": 64}
    prov = {"model": {"model_path": f"/runs/{system}", "files_sha256": {"model.safetensors": "ab" * 32}},
            "data_sha256": {t: "cd" * 32 for t in results}, "prompt_sha256": {t: "ef" * 32 for t in results},
            "packages": {"aimm-nlp": "0.1.0"}, "created_utc": "2026-12-07T03:00:00Z",
            "command": f"aimm eval --model /runs/{system} --suite morocco-mini", "machine": "Linux, x86_64, 2 CPUs"}  # fmt: skip
    return {"schema_version": 1, "results": results, "versions": {t: 1 for t in results}, "configs": configs,
            "n-shot": {t: 0 for t in results}, "higher_is_better": hib, "n-samples": n, "lang": langs,
            "provenance": prov, "skipped": []}  # fmt: skip


def write_suite(folder: Path) -> list[Path]:
    """One results file per system (+ its ``.samples.jsonl`` with the first item of each task)."""
    paths = []
    for system in SCORES:
        path = folder / f"{system}.json"
        path.write_text(json.dumps(aimm_results(system), ensure_ascii=False), encoding="utf-8")
        with path.with_suffix(".samples.jsonl").open("w", encoding="utf-8") as fh:
            for task in SCORES[system]:
                fh.write(json.dumps({"task": task, "doc_id": 0, **TASKS[task][4]}, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def lmeval_results() -> dict:
    """lm-eval's results JSON for model ``bert``: the sentiment task aimm also scored, plus one of its own."""
    return {
        "results": {
            "mini_ary_sentiment_Arab": {"alias": "mini_ary_sentiment_Arab", "acc,none": 0.71875,
                                        "acc_stderr,none": 0.05, "f1,none": 0.6875, "f1_stderr,none": "N/A"},
            "arc_easy": {"alias": "arc_easy", "acc,none": 0.5, "acc_stderr,none": 0.025,
                         "acc_norm,none": 0.4375, "acc_norm_stderr,none": 0.025},
        },
        "group_subtasks": {"mini_ary_sentiment_Arab": [], "arc_easy": []},
        "configs": {
            "mini_ary_sentiment_Arab": {"task": "mini_ary_sentiment_Arab", "output_type": "multiple_choice",
                                        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
                                        "num_fewshot": 0},
            "arc_easy": {"task": "arc_easy", "dataset_path": "allenai/ai2_arc", "output_type": "multiple_choice",
                         "doc_to_text": "Question: {{question}}\nAnswer:",
                         "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True},
                                         {"metric": "acc_norm", "aggregation": "mean", "higher_is_better": True}],
                         "num_fewshot": 0, "metadata": {"version": 1.0}},
        },
        "versions": {"mini_ary_sentiment_Arab": 1, "arc_easy": 1.0},
        "n-shot": {"mini_ary_sentiment_Arab": 0, "arc_easy": 0},
        "higher_is_better": {"mini_ary_sentiment_Arab": {"acc": True, "f1": True},
                             "arc_easy": {"acc": True, "acc_norm": True}},
        "n-samples": {"mini_ary_sentiment_Arab": {"original": 71, "effective": 71},
                      "arc_easy": {"original": 2376, "effective": 400}},
        "config": {"model": "hf", "model_args": "pretrained=/runs/bert", "batch_size": "1", "device": "cpu",
                   "limit": 400, "bootstrap_iters": 100000},
        "git_hash": "0a1b2c3",
        "date": 1796612400.0,
        "task_hashes": {"mini_ary_sentiment_Arab": "12" * 32, "arc_easy": "34" * 32},
        "model_source": "hf",
        "model_name": "/runs/bert",
        "model_name_sanitized": "__runs__bert",
        "lm_eval_version": "0.4.9",
        "transformers_version": "4.57.0",
        "total_evaluation_time_seconds": "12.5",
    }  # fmt: skip
