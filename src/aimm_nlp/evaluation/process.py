"""``process_docs``: reshape a split's docs before templates see them (lm-eval's key, without code).

lm-eval's ``process_docs`` is a ``!function`` taking and returning a ``datasets.Dataset``; aimm runs
it only for a trusted task (see :mod:`aimm_nlp.evaluation.taskcode`). aimm's own task files use the
declarative form instead: a list of steps applied in order, each a one-key mapping whose values are
Jinja *expressions* on the doc (as ``doc_filter``), evaluated in the template sandbox, so they give
native values (lists stay lists, ``label | int`` an int):

.. code-block:: yaml

    process_docs:
      - filter: "direction == 'dr_ar'"          # keep the docs where it is true
      - map:                                     # add or replace columns
          query: "activity_label ~ ': ' ~ ctx"
          choices: endings
          gold: "label | int"
      - rename: {messages: turns}                # old name: new name
      - drop: [ctx, endings]                     # remove columns

This is darijahellaswag's ``utils.process_docs`` without code. Steps run on every doc of the split
before ``limit`` is applied, as in lm-eval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError

__all__ = ["STEPS", "check_process_docs", "process_docs"]

STEPS = ("filter", "map", "rename", "drop")


def check_process_docs(value: Any, where: str) -> list[str]:
    """The shape errors of a declarative ``process_docs`` (a list of one-key steps)."""
    from aimm_nlp.evaluation.taskcode import TaskCode

    if isinstance(value, TaskCode):
        return []
    if not isinstance(value, list):
        return [
            f"{where}: process_docs: expected a list of steps ({', '.join(STEPS)}) or !function, got {value!r}"
        ]
    errors = []
    for i, step in enumerate(value):
        at = f"{where}: process_docs[{i}]"
        if not isinstance(step, dict) or len(step) != 1 or next(iter(step)) not in STEPS:
            errors.append(f"{at}: expected one of {{filter: EXPR}}, {{map: {{col: EXPR}}}}, "
                          f"{{rename: {{old: new}}}}, {{drop: [col]}}; got {step!r}")  # fmt: skip
            continue
        op, arg = next(iter(step.items()))
        ok = {
            "filter": isinstance(arg, str),
            "map": isinstance(arg, dict) and all(isinstance(v, str) for v in arg.values()),
            "rename": isinstance(arg, dict) and all(isinstance(v, str) for v in arg.values()),
            "drop": isinstance(arg, list) and all(isinstance(v, str) for v in arg),
        }[op]
        if not ok:
            want = {"filter": "an expression", "map": "a mapping of column: expression",
                    "rename": "a mapping of old: new column name", "drop": "a list of column names"}[op]  # fmt: skip
            errors.append(f"{at}: {op}: {arg!r} is not {want}")
    return errors


def process_docs(
    docs: list[dict[str, Any]], cfg: dict[str, Any], task_file: Path | None
) -> list[dict[str, Any]]:
    """``docs`` after the task's ``process_docs`` (unchanged when it has none).

    Raises:
        ConfigError: a step fails on a doc (a missing column, a sandbox refusal); the message names
            the task file, the line of ``process_docs`` and the doc.
    """
    spec = cfg.get("process_docs")
    if spec is None:
        return docs
    from aimm_nlp.evaluation.taskcode import TaskCode

    if isinstance(spec, TaskCode):  # lm-eval's: a function of a datasets.Dataset
        import datasets
        from datasets.utils import logging as ds_logging

        quiet = ds_logging.is_progress_bar_enabled()
        if quiet:  # no "Map: 100%" bar per task on stderr
            ds_logging.disable_progress_bar()
        try:
            return list(spec(datasets.Dataset.from_list(docs)))
        except ConfigError:
            raise
        except Exception as exc:  # the task's own code failed on this data
            raise ConfigError(
                f"{spec.yaml_file}:{spec.line}: process_docs: !function {spec.ref} failed on {len(docs)} docs "
                f"({type(exc).__name__}: {exc}); check that the data has the columns the code reads"
            ) from None
        finally:
            if quiet:
                ds_logging.enable_progress_bar()
    from aimm_nlp.evaluation.sandbox import jinja_env
    from aimm_nlp.evaluation.templates import template_error

    env = jinja_env()
    for i, step in enumerate(spec):
        op, arg = next(iter(step.items()))
        key = f"process_docs[{i}].{op}"
        try:
            if op == "filter":
                keep = env.compile_expression(arg, undefined_to_none=False)
                docs = [d for d in docs if _run(keep, d, task_file, key)]
            elif op == "map":
                exprs = {col: env.compile_expression(e, undefined_to_none=False) for col, e in arg.items()}
                docs = [{**d, **{c: _run(e, d, task_file, key) for c, e in exprs.items()}} for d in docs]
            elif op == "rename":
                docs = [{arg.get(k, k): v for k, v in d.items()} for d in docs]
            else:
                docs = [{k: v for k, v in d.items() if k not in arg} for d in docs]
        except ConfigError:
            raise
        except Exception as exc:  # a syntax error in an expression
            raise template_error(task_file, "process_docs", exc, "compile") from None
    return docs


def _run(expr: Any, doc: dict[str, Any], task_file: Path | None, key: str) -> Any:
    import jinja2

    try:
        value = expr(**doc)
        if isinstance(
            value, jinja2.Undefined
        ):  # a missing column or a refused attribute: never a silent None
            value._fail_with_undefined_error()
        return value
    except Exception as exc:  # sandbox refusals, undefined columns, errors in filters
        from aimm_nlp.evaluation.templates import template_error

        raise template_error(task_file, "process_docs", exc, f"{key} on doc {doc!r:.120}") from None
