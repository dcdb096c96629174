"""``aimm eval``: evaluate a model on tasks, write results JSON, optionally gate on a baseline."""

from __future__ import annotations

import argparse
import sys

ORDER = 70


def add_parser(sub: argparse._SubParsersAction) -> None:
    from aimm_nlp.cli._lmeval import add_lmeval_options
    from aimm_nlp.evaluation.options import DTYPES, SOFTMAX_DTYPES

    p = sub.add_parser(
        "eval",
        help="evaluate a model (or aimm pipelines) on YAML tasks",
        description=(
            "Run tasks (`aimm tasks ls`, or task .yaml paths) on a local model folder and write an "
            "lm-eval-compatible results JSON plus a per-item .samples.jsonl log. Per-item results are "
            "cached, so an interrupted run resumes. Nothing is written when the input is invalid.\n"
            "With --suite (morocco, morocco-mini), tasks the data or the model cannot serve are skipped "
            "with a reason (table on stderr, `skipped` in the JSON); exit 0, or 2 with --strict."
        ),
        epilog=(
            "examples:\n"
            "  aimm eval --model runs/ary-bert --tasks ary_sentiment --output out/bert.json\n"
            "  aimm eval --tasks script_id,langid_moroccan --limit 500 --output out/pipelines.json\n"
            "  aimm eval --model runs/llm --tasks flores_ary_Arab_bpb --output new.json "
            "--baseline base.json --max-drop 0.01\n"
            "  aimm eval --model runs/ary-bert --suite morocco-mini --output out/bert.json\n"
            "  aimm eval --model baseline:char_ngram --suite morocco --data /data/shared --output out/ngram.json\n"
            "  aimm eval --model runs/llm --tasks $LM_EVAL_TASKS/darijahellaswag/darijahellaswag.yaml "
            "--datasets-root /data/hub --trust-task-code --output out/hellaswag.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model",
        help="local model folder (or a LoRA adapter folder with a local base model), baseline:majority or "
        "baseline:char_ngram (omit for pipeline-only tasks)",
    )
    p.add_argument("--tasks", help="comma-separated task names or .yaml paths (with --suite: a subset)")
    p.add_argument("--suite", help="a benchmark suite (morocco, morocco-mini) or suite .yaml path")
    p.add_argument("--data", help="folder replacing $AIMM_SHARED for the suite's data files")
    p.add_argument("--strict", action="store_true", help="exit 2 (nothing written) if any task is skipped")
    add_lmeval_options(p)
    p.add_argument(
        "--output",
        required=True,
        help="results JSON path (written atomically, with OUTPUT.samples.jsonl); refused if it is an input "
        "(--baseline, a task or data file, the cache, a model file)",
    )
    p.add_argument("--batch-size", default="auto", help="rows per forward pass (1-65536) or 'auto' (default)")
    p.add_argument("--limit", help="only the first N docs of each task (1-1000000000)")
    p.add_argument("--num-fewshot", help="override the tasks' num_fewshot (0-1000)")
    p.add_argument("--seed", default="1234", help="few-shot and bootstrap seed (0-4294967295, default 1234)")
    p.add_argument("--device", default="cpu", help="torch device (default cpu)")
    p.add_argument(
        "--dtype",
        default="auto",
        metavar="{" + ",".join(DTYPES) + "}",
        help="model dtype, like lm-eval's dtype= (default auto: as saved in the model folder); in the cache "
        "key and the results' provenance",
    )
    p.add_argument(
        "--softmax-dtype",
        default="float32",
        metavar="{" + ",".join(SOFTMAX_DTYPES) + "}",
        help="dtype of a causal LM's log-softmax and log-likelihood sums (default float32; float64 removes "
        "float32 rounding of long continuations); in the cache key and the results' provenance",
    )
    p.add_argument("--cache", help="sqlite cache path (default ~/.cache/aimm_nlp/eval.sqlite)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the per-item cache")
    p.add_argument(
        "--bootstrap-iters", default="1000", help="draws for 95%% CIs (0-100000, default 1000; 0: none)"
    )
    p.add_argument(
        "--baseline",
        help="results JSON (aimm's or lm-eval's) to compare with; exit 1 on regressions, exit 2 when the "
        "runs differ per task in sample count, few-shot count, data_sha256 or prompt_sha256 (checks a "
        "file cannot support, e.g. hashes in lm-eval's file, are named on stderr)",
    )
    p.add_argument(
        "--max-drop",
        action="append",
        dest="max_drop_values",
        metavar="[METRIC=]DROP",
        help="allowed drop, a finite number >= 0: absolute for bounded scores (acc 0.80 -> 0.79 is 0.01), "
        "relative for perplexities (0.01 = 1%% higher); DROP sets the default (0.01), METRIC=DROP one "
        "metric's; repeatable, e.g. --max-drop 0.02 --max-drop word_perplexity=0.05",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress on stderr (by default: a bar with items done and ETA per task on a terminal, "
        "else a plain line every AIMM_PROGRESS_INTERVAL seconds, default 30); stdout is the same",
    )
    p.set_defaults(func=run)


def _numbers(args: argparse.Namespace) -> list[str]:
    """Parse the numeric options in place; every bad value is listed, before any work."""
    from aimm_nlp.evaluation.options import OPTION_RANGES

    errors = []
    for flag, name, optional in (
        ("--limit", "limit", True),
        ("--num-fewshot", "num_fewshot", True),
        ("--seed", "seed", False),
        ("--bootstrap-iters", "bootstrap_iters", False),
        ("--batch-size", "batch_size", False),
    ):
        text = getattr(args, name)
        if (text is None and optional) or (name == "batch_size" and text == "auto"):
            continue
        low, high = OPTION_RANGES[name]
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            auto = " or 'auto'" if name == "batch_size" else ""
            errors.append(f"{flag} {text!r}: expected an integer in {low}..{high}{auto}")
        else:
            setattr(args, name, value)
    args.max_drop, args.max_drops = 0.01, {}
    for text in args.max_drop_values or []:
        metric, sep, number = text.partition("=") if "=" in text else ("", "", text)
        try:
            drop = float(number)
        except ValueError:
            drop = float("nan")
        if (sep and not metric.strip()) or not 0 <= drop < float("inf"):
            errors.append(
                f"--max-drop {text!r}: expected a finite number >= 0 or METRIC=NUMBER (e.g. 0.01 or "
                "word_perplexity=0.02)"
            )
        elif sep:
            args.max_drops[metric.strip()] = drop
        else:
            args.max_drop = drop
    return errors


def _precision_errors(args: argparse.Namespace) -> list[str]:
    """``--dtype`` / ``--softmax-dtype`` outside their choices, listed with the other bad options."""
    from aimm_nlp.evaluation.options import DTYPES, SOFTMAX_DTYPES

    return [
        f"{flag} {value!r}: expected one of {', '.join(choices)}"
        for flag, value, choices in (
            ("--dtype", args.dtype, DTYPES),
            ("--softmax-dtype", args.softmax_dtype, SOFTMAX_DTYPES),
        )
        if value not in choices
    ]


def _inputs(args: argparse.Namespace) -> list[tuple[str, object]]:
    """``(what, path)`` of every file this run reads, so ``--output`` can never replace one of them."""
    from pathlib import Path

    from aimm_nlp.errors import AimmError
    from aimm_nlp.evaluation.cache import default_cache_path
    from aimm_nlp.evaluation.task import task_inputs, task_path

    found: list[tuple[str, object]] = [("--baseline", args.baseline)]
    if not args.no_cache:
        found.append(("the cache", args.cache or default_cache_path()))
    names = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else []
    if args.suite:
        from aimm_nlp.evaluation.suites import load_suite

        try:
            suite = load_suite(args.suite)
            found.append(("--suite", suite.path))
            names += list(suite.tasks)
        except AimmError:  # reported by evaluate(), with every error of the suite
            pass
    for name in names:
        try:
            files = task_inputs(task_path(name), dataset_dirs=args.dataset_dirs)
        except AimmError:  # an unknown task: reported by evaluate()
            continue
        found += [(f"a file of task {name}", f) for f in files]
        if args.data:  # the suite's data files under --data instead of $AIMM_SHARED
            from aimm_nlp._paths import shared_root

            found += [
                (f"a file of task {name}", str(f).replace(str(shared_root()), args.data)) for f in files
            ]
    if args.model and Path(args.model).is_dir():
        model = Path(args.model)
        found += [("a file of --model", f) for f in (*model.glob("*"), *model.glob("*/*"))]
    return found


def _output_replaces_input(args: argparse.Namespace) -> str | None:
    """Why ``--output`` (or its ``.samples.jsonl`` log) would replace a file this run reads, or ``None``."""
    from pathlib import Path

    from aimm_nlp._io import same_file_as

    inputs = _inputs(args)
    for out in (Path(args.output), Path(args.output).with_suffix(".samples.jsonl")):
        for what, path in inputs:
            if path is not None and same_file_as(out, [path]) is not None:
                shown = "--output" if out == Path(args.output) else f"--output's per-item log {out}"
                return (
                    f"{shown} is {what} ({path}): writing the results would replace it; "
                    "choose another --output path"
                )
    return None


def run(args: argparse.Namespace) -> int:
    from aimm_nlp._io import output_problem
    from aimm_nlp._progress import quiet
    from aimm_nlp.cli._lmeval import dataset_dirs
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.evaluation.cache import ResultCache, default_cache_path
    from aimm_nlp.evaluation.harness import evaluate
    from aimm_nlp.evaluation.options import check_device
    from aimm_nlp.evaluation.results import load_results

    errors = _numbers(args) + _precision_errors(args) + dataset_dirs(args)
    for flag in ("--model", "--tasks", "--suite", "--data", "--output", "--cache", "--baseline", "--device"):
        value = getattr(args, flag[2:])
        if value is not None and not value.strip(" ,"):  # "" would mean the current folder, "," no task
            errors.append(f"{flag} {value!r}: empty; give a value or leave the option out")
    if not args.tasks and not args.suite:
        errors.append("pass --tasks a,b or --suite morocco-mini (or morocco)")
    problem = output_problem(args.output)
    if problem is not None:
        errors.append(f"--output {problem}")
    else:  # the atomic rename would replace an input: the baseline, a task or data file, the cache
        clash = _output_replaces_input(args)
        if clash is not None:
            errors.append(clash)
    if errors:
        raise ConfigError("invalid options (nothing was run):", errors=errors)
    batch_size = args.batch_size
    # everything that can be checked is checked before any work: the baseline, the device, the cache
    baseline = load_results(args.baseline) if args.baseline else None
    if baseline is not None:
        _check_metric_names(args, baseline)
    if args.device != "cpu":
        check_device(args.device)
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None
    cache = None if args.no_cache else ResultCache(args.cache or default_cache_path())
    try:
        with quiet(args.quiet):
            results = evaluate(
                args.model,
                tasks,
                suite=args.suite,
                data=args.data,
                strict=args.strict,
                limit=args.limit,
                batch_size=batch_size,
                num_fewshot=args.num_fewshot,
                seed=args.seed,
                cache=cache,
                bootstrap_iters=args.bootstrap_iters,
                device=args.device,
                dtype=args.dtype,
                softmax_dtype=args.softmax_dtype,
                dataset_dirs=args.dataset_dirs,
                trust_task_code=args.trust_task_code,
            )
    finally:
        if cache is not None:
            cache.close()
    results.write(args.output)
    print(results.to_markdown())
    if args.suite or results.skipped:
        ran = len(results.scores)
        print(f"\n{ran} task(s) ran, {len(results.skipped)} skipped:", file=sys.stderr)
        print(results.summary_table(), file=sys.stderr)
    if baseline is not None:
        return _gate(args, results.to_dict(), baseline)
    return 0


def _check_metric_names(args: argparse.Namespace, baseline: dict) -> None:
    """A ``--max-drop METRIC=DROP`` naming no metric of the baseline (a typo) is refused before any work."""
    from aimm_nlp.errors import ConfigError

    known = {k.partition(",")[0] for row in baseline["results"].values() for k in row if "," in k}
    known = {m for m in known if not m.endswith(("_stderr", "_ci95"))}
    errors = [
        f"--max-drop {m}={v}: no metric {m!r} in --baseline {args.baseline} (its metrics: "
        f"{', '.join(sorted(known)) or 'none'}); fix the metric's name"
        for m, v in args.max_drops.items()
        if m not in known
    ]
    if errors:
        raise ConfigError("invalid options (nothing was run):", errors=errors)


def _gate(args: argparse.Namespace, run: dict, baseline: dict) -> int:
    """Compare with ``--baseline``: 1 on regressions; ConfigError (exit 2) when the runs are unlike."""
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.report import check_comparable, compare_to_baseline, regression_table

    try:
        unchecked = check_comparable(run, baseline)
    except ConfigError as exc:
        raise ConfigError(
            f"--baseline {args.baseline}: not comparable with this run, nothing was compared (the results "
            f"were written to {args.output}):",
            errors=exc.errors,
        ) from None
    for line in unchecked:
        print(f"--baseline {args.baseline}: {line}", file=sys.stderr)
    drops = {"max_drop": args.max_drop, "max_drops": args.max_drops}
    regressions = compare_to_baseline(run, baseline, **drops)
    if regressions:
        print(regression_table(regressions, **drops), file=sys.stderr)
        return 1
    allowed = ", ".join([str(args.max_drop), *(f"{m}={v}" for m, v in sorted(args.max_drops.items()))])
    print(f"no regression beyond {allowed} against {args.baseline}", file=sys.stderr)
    return 0
