"""``aimm tasks``: list the shipped evaluation tasks, validate task files, export them for lm-eval."""

from __future__ import annotations

import argparse
import sys

ORDER = 75


def add_parser(sub: argparse._SubParsersAction) -> None:
    from aimm_nlp.cli._lmeval import add_lmeval_options

    p = sub.add_parser("tasks", help="list or validate evaluation tasks")
    inner = p.add_subparsers(dest="tasks_command", metavar="ACTION", required=True)
    ls = inner.add_parser("ls", help="list shipped tasks (name, type, language, version) and suites")
    ls.set_defaults(func=run_ls)
    val = inner.add_parser(
        "validate",
        help="check task files and list every error",
        description=(
            "Check task files: keys, metrics, data columns, and every template rendered (in the sandbox) on "
            "the first doc of the test split. Lists every error (exit 2). Also lists the data_files that lie "
            "outside the task file's folder: data_files may read any local file and expands ~ and $VARS, so "
            "check those paths in task files from others."
        ),
        epilog="examples:\n  aimm tasks validate my_task.yaml other.yaml\n"
        "  aimm tasks validate $LM_EVAL_TASKS/darijammlu/darijammlu_accounting.yaml --datasets-root /data/hub "
        "--trust-task-code",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    val.add_argument("files", nargs="+", metavar="FILE", help="task .yaml files or shipped task names")
    val.add_argument("--no-data", action="store_true", help="skip checks that read the data files")
    add_lmeval_options(val)
    val.set_defaults(func=run_validate)
    exp = inner.add_parser(
        "export",
        help="write tasks as plain lm-eval task files (resolved data, lm-eval metrics)",
        description=(
            "Write tasks (and suites, as lm-eval groups) into a new folder that lm-eval runs offline:\n"
            "one YAML per task with absolute data_files, the docs aimm scores as JSON lines (after\n"
            "doc_filter and hash_split), and aimm_lmeval_functions.py (macro F1, CER, WER).\n"
            "classification becomes multiple_choice; pipeline tasks become generate_until tasks answered\n"
            "by aimm_nlp.evaluation.lmeval_pipeline.PipelineLM; bits_per_char is dropped;\n"
            "token_classification has no lm-eval form (a named task exits 2; a suite's is left out and\n"
            "listed). Never overwrites: OUTDIR must be new or empty."
        ),
        epilog=(
            "example: aimm tasks export --lm-eval out/lmeval --suite morocco-mini\n"
            "         lm_eval --model hf --model_args pretrained=runs/llm --include_path out/lmeval "
            "--tasks mini_ary_Arab_bpb --limit 20"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exp.add_argument("tasks", nargs="*", metavar="TASK", help="shipped task names or task .yaml files")
    exp.add_argument(
        "--lm-eval", required=True, metavar="OUTDIR", help="new folder for the lm-eval task files"
    )
    exp.add_argument(
        "--suite", action="append", default=[], metavar="SUITE", help="a suite name or file (repeatable)"
    )
    exp.set_defaults(func=run_export)


def run_ls(args: argparse.Namespace) -> int:
    from aimm_nlp.evaluation.task import list_tasks, load_task

    for name in list_tasks():
        task = load_task(name, check_data=False)
        print(f"{name:<28} {task.type:<22} {task.lang or '-':<20} v{task.version}")
    from aimm_nlp.evaluation.suites import list_suites, load_suite

    for name in list_suites():
        suite = load_suite(name)
        print(f"suite {name:<22} {len(suite.tasks)} tasks{'':<15} v{suite.version}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from aimm_nlp.cli._lmeval import dataset_dirs
    from aimm_nlp.errors import AimmError, ConfigError
    from aimm_nlp.evaluation.task import data_files_outside, task_path, validate_task_file

    errors = dataset_dirs(args)
    if errors:
        raise ConfigError("invalid options (nothing was checked):", errors=errors)
    opts = {"dataset_dirs": args.dataset_dirs, "trust_task_code": args.trust_task_code}
    outside = []
    for name in args.files:  # every file is checked, so one run lists every problem
        try:
            path = task_path(name)
            errors += validate_task_file(path, check_data=not args.no_data, **opts)
            outside += [(path, *entry) for entry in data_files_outside(path, **opts)]
        except AimmError as exc:  # a missing path, unknown name, or a file that is not UTF-8
            errors.append(str(exc))
    if outside:
        print(
            "data files outside the task's folder (data_files may read any local file and expands ~ and $VARS; "
            "check these paths in task files you did not write):",
            file=sys.stderr,
        )
        for path, split, value, resolved in outside:
            shown = f"{value} -> {resolved}" if str(value) != str(resolved) else str(resolved)
            print(f"  {path}: data_files.{split}: {shown}", file=sys.stderr)
    if errors:
        raise ConfigError(f"{len(errors)} error(s) in task files:", errors=errors)
    print(f"{len(args.files)} task file(s) valid", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.evaluation.lmeval_export import export_lm_eval

    if not args.tasks and not args.suite:
        raise ConfigError("tasks export: name at least one TASK or --suite SUITE")
    done, skipped = export_lm_eval(args.tasks, args.lm_eval, suites=args.suite)
    for task in done:
        dropped = f" (dropped: {', '.join(task.dropped_metrics)})" if task.dropped_metrics else ""
        print(f"{task.path}  {task.output_type}{dropped}")
    for name, reason in skipped:
        print(f"left out {name}: {reason}", file=sys.stderr)
    print(
        f"{len(done)} task(s) exported; run: lm_eval --include_path {done[0].path.parent if done else args.lm_eval}",
        file=sys.stderr,
    )
    return 0
