"""lm-eval runs every exported shipped task on the demo's models and scores what ``aimm eval`` scores.

Issue 20's acceptance check on real trained models (the tests use a tiny random one): takes an
``aimm demo`` output folder (``--demo DIR``; runs the demo into it first when it holds no demo
models), exports the tasks of the ``morocco-mini`` suite and of the ``morocco`` suite (those whose data
are in ``$AIMM_SHARED``), plus ``script_id``, with ``aimm tasks export --lm-eval``, then scores each
task ``--limit 20`` in one process with lm-eval 0.4's ``simple_evaluate`` and with
``aimm_nlp.evaluation.evaluate``, offline:

* the demo's tiny causal LM (``runs/ary_causal_lm_tiny/model``, a Llama) answers the bits-per-byte,
  sentiment (label scoring, ``multiple_choice``) and translation tasks: lm-eval's ``hf`` model with
  ``pretrained=<folder>,dtype=float32``, aimm with ``dtype="float32"``, both ``batch_size=4`` on CPU;
* ``aimm_nlp.evaluation.lmeval_pipeline.PipelineLM`` answers the pipeline tasks (language ID, script
  ID, transliteration), aimm with ``model=None``;
* the demo's classifier (a BERT sequence classifier) and its two baselines are not run in lm-eval:
  lm-eval's ``hf`` model loads ``AutoModelForCausalLM``/``AutoModelForSeq2SeqLM`` only (on the classifier's
  folder it would drop the trained head); the POS tasks have no lm-eval form.

Prints one row per task (primary metric from both harnesses, |delta|, equal within tolerance: bits per
byte 1e-5 relative, float rounding of two float32 forward passes; everything else exact), the tasks not
run and why, and writes ``benchmarks/results/lmeval_interop.json``. Exits 1 when a task's primary metric
or item count disagrees. Each row also compares the items (an aggregate can agree by accident, e.g. a chrF
of 0 on both sides): max |delta log-likelihood| for scored tasks, identical predictions for generated ones.

Run:  python benchmarks/bench_lmeval_interop.py --demo /tmp/aimm_demo [--limit 20]
Needs the bench extra (``pip install "aimm-nlp[bench]"``); ../shared (or $AIMM_SHARED) for ``morocco``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import environment, offline_hf, versions, write_result

SUITES = ("morocco-mini", "morocco")
EXTRA_TASKS = ("script_id",)  # shipped, in no suite
CAUSAL_LM, CLASSIFIER = "runs/ary_causal_lm_tiny/model", "runs/ary_sentiment_tiny/model"
BATCH_SIZE = 4
# relative tolerance per metric (float rounding of two float32 forward passes); any other metric: exact
TOLERANCE = {"bits_per_byte": 1e-5, "byte_perplexity": 1e-4, "word_perplexity": 1e-3}


def _ensure_demo(demo: Path) -> float | None:
    """Run ``aimm demo --out demo`` unless ``demo`` already holds its two models; seconds taken or None."""
    if (demo / CAUSAL_LM / "config.json").is_file() and (demo / CLASSIFIER / "config.json").is_file():
        return None
    from aimm_nlp.demo import run_demo

    print(f"no demo models under {demo}: running `aimm demo --out {demo}` (minutes)", flush=True)
    start = time.perf_counter()
    run_demo(out=demo, progress=False)
    return time.perf_counter() - start


def _equal(metric: str, theirs: float, ours: float) -> bool:
    rel = TOLERANCE.get(metric)
    if rel is None:
        return theirs == ours
    return abs(theirs - ours) <= rel * max(abs(theirs), abs(ours))


def _number(value: Any) -> float:
    return float(value[0] if isinstance(value, (list, tuple)) else value)


def _per_item(lm_samples: list[dict], aimm_samples: list[dict]) -> dict[str, Any]:
    """Item by item: max |delta log-likelihood| (scored tasks) or identical predictions (generated ones).

    An aggregate can agree by accident (a chrF of 0 on both sides); the items cannot.
    """
    resps = {s["doc_id"]: s["filtered_resps"] for s in lm_samples}
    deltas, same, empty = [], 0, 0
    for row in aimm_samples:
        resp = resps[row["doc_id"]]
        if "lls" in row:
            deltas += [abs(_number(t) - float(o)) for t, o in zip(resp, row["lls"], strict=True)]
        elif "ll" in row:
            deltas.append(abs(_number(resp[0]) - _number(row["ll"])))
        else:
            same += str(resp[0]) == str(row["pred"])
            empty += str(row["pred"]).strip() == ""
    out: dict[str, Any] = {"n": len(aimm_samples), "n_lm_eval": len(resps)}
    if deltas:
        out["max_abs_delta_loglikelihood"] = max(deltas)
    else:
        out |= {"same_prediction": same, "empty_prediction_aimm": empty}
    return out


def _rows(tasks: list[Any], kind_of: dict[str, str], model: str, theirs: dict, ours: Any) -> list[dict]:
    rows = []
    for task in tasks:
        lm = theirs["results"][task]
        primary = ours.configs[task]["primary_metric"]
        metrics = {}
        for key, value in lm.items():
            name, _, filt = key.partition(",")
            if filt != "none" or name.endswith("_stderr") or name not in ours.scores[task]:
                continue
            mine = ours.scores[task][name]
            value, mine = float(value), float(mine)
            metrics[name] = {
                "lm_eval": value,
                "aimm": mine,
                "abs_delta": abs(value - mine),
                "equal": bool(_equal(name, value, mine)),
            }
        rows.append(
            {
                "task": task,
                "kind": kind_of[task],
                "model": model,
                "primary_metric": primary,
                "lm_eval_primary_metric_name": theirs["configs"][task]["metadata"]["aimm"]["primary_metric"],
                "lm_eval": metrics.get(primary, {}).get("lm_eval"),
                "aimm": metrics.get(primary, {}).get("aimm"),
                "abs_delta": metrics.get(primary, {}).get("abs_delta"),
                "equal": primary in metrics and metrics[primary]["equal"],
                "sample_len": {"lm_eval": lm["sample_len"], "aimm": ours.n_samples[task]["effective"]},
                "per_item": _per_item(theirs["samples"][task], ours.samples[task]),
                "all_metrics": metrics,
                "not_in_lm_eval": sorted(set(ours.scores[task]) - set(metrics)),
            }
        )
    return rows


def _lm_eval(model: Any, tasks: list[str], include: Path, limit: int, **kwargs: Any) -> tuple[dict, float]:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    start = time.perf_counter()
    out = simple_evaluate(
        model=model,
        tasks=tasks,
        limit=limit,
        task_manager=TaskManager(include_path=str(include), include_defaults=False),
        bootstrap_iters=0,
        log_samples=True,
        **kwargs,
    )
    return out, time.perf_counter() - start


def _aimm(model: Any, tasks: list[str], limit: int, **kwargs: Any) -> tuple[Any, float]:
    from aimm_nlp.evaluation import evaluate

    start = time.perf_counter()
    return evaluate(model, tasks, limit=limit, bootstrap_iters=0, **kwargs), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--demo", type=Path, required=True, help="an `aimm demo` output folder (made if missing)")
    ap.add_argument("--limit", type=int, default=20, help="docs per task, 1 to 10**9 (default 20)")
    ap.add_argument("--output", default="lmeval_interop", help="result name under benchmarks/results")
    args = ap.parse_args(argv)
    if not 1 <= args.limit <= 10**9:
        ap.error("--limit must be 1 to 10**9")
    tmp = Path(tempfile.mkdtemp(prefix="aimm_lmeval_interop."))
    offline_hf(tmp)
    demo = args.demo.resolve()
    demo_seconds = _ensure_demo(demo)

    from aimm_nlp.evaluation.lmeval_export import export_lm_eval
    from aimm_nlp.evaluation.lmeval_pipeline import PipelineLM
    from aimm_nlp.evaluation.task import load_task

    include = tmp / "lmeval"
    done, skipped = export_lm_eval(list(EXTRA_TASKS), include, suites=list(SUITES))
    kind_of = {t.name: load_task(t.name).type for t in done}
    pipes = [t.name for t in done if kind_of[t.name] == "pipeline"]
    models = [t.name for t in done if kind_of[t.name] != "pipeline"]
    causal = demo / CAUSAL_LM
    print(f"exported {len(done)} tasks to {include}: {len(models)} for the causal LM, {len(pipes)} pipelines")

    theirs, lm_s = _lm_eval(
        "hf",
        models,
        include,
        args.limit,
        model_args=f"pretrained={causal},dtype=float32",
        batch_size=BATCH_SIZE,
        device="cpu",
    )
    ours, aimm_s = _aimm(causal, models, args.limit, batch_size=BATCH_SIZE, dtype="float32")
    rows = _rows(models, kind_of, "tiny_causal_lm", theirs, ours)
    timing = {"tiny_causal_lm": {"lm_eval_s": lm_s, "aimm_s": aimm_s}}
    theirs, lm_s = _lm_eval(PipelineLM(), pipes, include, args.limit)
    ours, aimm_s = _aimm(None, pipes, args.limit)
    rows += _rows(pipes, kind_of, "PipelineLM / aimm pipelines", theirs, ours)
    timing["pipelines"] = {"lm_eval_s": lm_s, "aimm_s": aimm_s}

    not_run = [{"task": name, "why": why} for name, why in skipped]
    sentiment = [t for t in models if "sentiment" in t]
    not_run.append(
        {
            "task": ", ".join(sentiment),
            "model": "tiny_classifier (BertForSequenceClassification), baseline_majority, baseline_char_ngram",
            "why": "lm-eval's hf model loads AutoModelForCausalLM or AutoModelForSeq2SeqLM only: on the BERT "
            "classifier's folder it would build BertLMHeadModel (trained classification head dropped, random LM "
            "head), so its scores would not be the classifier's; lm-eval has no baseline models. These tasks "
            "run in lm-eval on the causal LM (label scoring) above",
        }
    )

    head = "| task | kind | model | primary | lm-eval | aimm | abs delta | equal (tol) | per item |"
    print(f"\n{head}\n|{'---|' * 9}")
    for r in rows:
        tol = f"{TOLERANCE[r['primary_metric']]:g} rel" if r["primary_metric"] in TOLERANCE else "exact"
        item = r["per_item"]
        if "max_abs_delta_loglikelihood" in item:
            shown = f"max abs delta ll {item['max_abs_delta_loglikelihood']:.2g}"
        else:
            shown = f"{item['same_prediction']}/{item['n']} same ({item['empty_prediction_aimm']} empty)"
        print(
            f"| {r['task']} | {r['kind']} | {r['model']} | {r['primary_metric']} | {r['lm_eval']!r} | "
            f"{r['aimm']!r} | {r['abs_delta']:.3g} | {'yes' if r['equal'] else 'NO'} ({tol}) | {shown} |"
        )
    print("\nnot run:")
    for n in not_run:
        print(f"- {n['task']}{' on ' + n['model'] if 'model' in n else ''}: {n['why']}")
    empty = [r["task"] for r in rows if r["per_item"].get("empty_prediction_aimm") == r["per_item"]["n"]]
    notes = []
    if empty:
        notes.append(
            f"{', '.join(empty)}: every prediction is empty in both harnesses (the model's first greedy token "
            "is its end-of-sequence token), so these rows check only that both stop at once; non-empty "
            "generations are compared item by item in tests/evaluation/test_lmeval_export.py (tiny random model)"
        )
    for n in notes:
        print(f"note: {n}")
    bad = [r["task"] for r in rows if not r["equal"] or r["sample_len"]["lm_eval"] != r["sample_len"]["aimm"]]
    payload = {
        "benchmark": "lmeval_interop",
        "what": "lm-eval's simple_evaluate vs aimm_nlp.evaluation.evaluate on the tasks exported by "
        "`aimm tasks export --lm-eval`, the aimm demo's models, --limit N, bootstrap off",
        "versions": versions("aimm-nlp", "lm_eval", "transformers", "torch", "datasets", "sacrebleu"),
        "environment": environment(),
        "demo": {
            "folder": str(demo),
            "ran_now_seconds": demo_seconds,
            "causal_lm": CAUSAL_LM,
            "classifier": CLASSIFIER,
        },
        "settings": {
            "limit": args.limit,
            "suites": list(SUITES),
            "extra_tasks": list(EXTRA_TASKS),
            "batch_size": BATCH_SIZE,
            "dtype": "float32",
            "device": "cpu",
        },
        "tolerance": {"relative": TOLERANCE, "other_metrics": "exact (==)"},
        "seconds": timing,
        "all_equal": not bad,
        "disagree": bad,
        "rows": rows,
        "not_run": not_run,
        "notes": notes,
    }
    path = write_result(args.output, payload)
    print(f"\n{len(rows) - len(bad)}/{len(rows)} tasks equal; wrote {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
