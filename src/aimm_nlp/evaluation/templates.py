"""Task templates: render ``doc_to_*`` on a doc in the sandbox, with errors that name the task file and line.

Templates run in :func:`aimm_nlp.evaluation.sandbox.jinja_env` (jinja2's ``ImmutableSandboxedEnvironment``);
any failure (a sandbox refusal, a missing column, an error inside a filter) becomes a
:class:`~aimm_nlp.errors.ConfigError` naming ``FILE:LINE: field:`` and the doc.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimm_nlp.errors import ConfigError

if TYPE_CHECKING:
    from aimm_nlp.evaluation.schema import Task

__all__ = ["doc_to_choice", "doc_to_target", "key_line", "render", "render_field", "template_error"]


def render(template: Any, doc: dict[str, Any]) -> Any:
    """lm-eval's ``doc_to_*`` semantics: a column name, a Jinja template, a list, an int, or a function
    (a trusted task's ``!function``, see :mod:`aimm_nlp.evaluation.taskcode`) called on the doc.

    Templates run in the sandbox of :func:`aimm_nlp.evaluation.sandbox.jinja_env`; errors propagate as
    jinja2 raises them (use :func:`render_field` to get a :class:`ConfigError` naming the task file).
    """
    if isinstance(template, (int, list)) or template is None:
        return template
    if callable(template):
        return template(doc)
    if template in doc:
        return doc[template]
    from aimm_nlp.evaluation.sandbox import compile_template

    return compile_template(template).render(**doc)


def key_line(path: Path | None, key: str) -> str:
    """``FILE:LINE`` where ``key`` is set (in ``path`` or a file it includes); ``FILE`` (or ``task``) if unknown."""
    import yaml

    first, seen = path, set()
    while path is not None and path not in seen:
        seen.add(path)
        try:
            node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except (OSError, UnicodeError, yaml.YAMLError):
            break
        include = None
        for k, v in getattr(node, "value", []) if isinstance(node, yaml.MappingNode) else []:
            if k.value == key:
                return f"{path}:{v.start_mark.line + 1}"
            if k.value == "include" and isinstance(v, yaml.ScalarNode):
                include = path.parent / v.value
        if include is None:
            break
        path = include
    return str(first) if first is not None else "task"


def template_error(path: Path | None, key: str, exc: BaseException, where: str) -> ConfigError:
    """The error for template ``key`` of task file ``path`` failing on ``where`` (a doc, or ``"compile"``)."""
    from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

    at = key_line(path, key)
    if isinstance(exc, SecurityError):
        why = (
            f"template refused by the sandbox ({exc}); task templates may only read the doc's columns "
            "and use filters and plain expressions: no attributes starting with '_', no methods that change "
            "data. Do not run task files you do not trust"
        )
    elif isinstance(exc, UndefinedError):
        why = f"{exc} (on {where}); use a column of the data file or fix the template"
    elif isinstance(exc, TemplateSyntaxError):
        why = f"template syntax error: {exc}"
    else:
        why = f"the template fails on {where} ({type(exc).__name__}: {exc}); fix the template or the data"
    return ConfigError(f"{at}: {key}: {why}")


def render_field(task: Task, key: str, doc: dict[str, Any], *, where: str = "the doc") -> Any:
    """:func:`render` of ``task.config[key]`` on ``doc``; any failure is a :class:`ConfigError` naming
    the task file, the line of ``key`` and the doc.

    Raises:
        ConfigError: the template is refused by the sandbox, uses a missing column, or fails.
    """
    try:
        return render(task.config.get(key), doc)
    except Exception as exc:  # SecurityError, UndefinedError, errors raised inside filters
        raise template_error(task.path, key, exc, where) from None


def doc_to_choice(task: Task, doc: dict[str, Any], *, where: str = "the doc") -> list[str]:
    rendered = value = render_field(task, "doc_to_choice", doc, where=where)
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{key_line(task.path, 'doc_to_choice')}: doc_to_choice: gives {rendered!r} on {where}, not a list; "
            "use a list, a list column or a template that renders a Python list literal"
        )
    return [str(v) for v in value]


def doc_to_target(task: Task, doc: dict[str, Any], *, where: str = "the doc") -> Any:
    value = render_field(task, "doc_to_target", doc, where=where)
    if isinstance(value, str) and task.config.get("doc_to_choice") is not None and value.isdigit():
        return int(value)
    return value
