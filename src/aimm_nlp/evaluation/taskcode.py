"""``!function module.name`` in lm-eval task files: read as a reference, run only when trusted.

lm-eval's task YAMLs may name Python functions (``doc_to_text: !function utils.doc_to_text``,
``process_docs: !function utils.process_docs``) that lm-eval imports, and so runs, from the task
folder as soon as it reads the file. aimm reads the tag as a :class:`TaskCode` reference and
imports nothing unless the user trusts the task's code (``trust_task_code=True``,
``aimm eval --trust-task-code``), as ``transformers``' ``trust_remote_code``. Without it, loading
such a task is a :class:`~aimm_nlp.errors.ConfigError` naming the file, the line, the key and the
flag. With it, ``<module>.py`` is imported from the folder of the YAML file that holds the tag
(lm-eval's rule, also for files reached by ``include``).

A reference's text includes the sha256 of its module file, so a task's ``config_hash`` (and the
per-item cache key) changes when the code changes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ConfigError

__all__ = ["TRUST_FLAG", "TaskCode", "bind_task_code", "code_refs", "task_loader"]

TRUST_FLAG = "--trust-task-code"


class TaskCode:
    """A ``!function module.name`` reference of a task file; callable once :meth:`bind` imported it."""

    def __init__(self, ref: str, yaml_file: Path, line: int) -> None:
        self.ref = ref
        self.yaml_file = yaml_file
        self.line = line
        self.fn: Callable[..., Any] | None = None

    @property
    def module_file(self) -> Path:
        """``<folder of the YAML file>/<module>.py`` (lm-eval's ``import_function``)."""
        module, _, _ = self.ref.rpartition(".")
        return self.yaml_file.parent / f"{module}.py"

    def __repr__(self) -> str:  # in config_hash and the results' configs: the code's hash moves them
        try:
            digest = hashlib.sha256(self.module_file.read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        return f"!function {self.ref} (sha256 {digest})"

    __str__ = __repr__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fn is None:
            raise ConfigError(
                f"{self.yaml_file}:{self.line}: !function {self.ref} was not imported: {_why()}"
            )
        return self.fn(*args, **kwargs)

    def bind(self) -> None:
        """Import the function (runs the module's code): only for a trusted task."""
        if self.fn is not None:
            return
        module, _, name = self.ref.rpartition(".")
        where = f"{self.yaml_file}:{self.line}: !function {self.ref}"
        if not module or not name:
            raise ConfigError(f"{where}: expected MODULE.FUNCTION (e.g. utils.doc_to_text)")
        if not self.module_file.is_file():
            raise ConfigError(f"{where}: no module file {self.module_file}")
        try:
            fn = getattr(_import(self.module_file), name)
        except AttributeError:
            raise ConfigError(f"{where}: {self.module_file} defines no {name!r}") from None
        except Exception as exc:  # the module's own import failed (a missing dependency, a syntax error)
            raise ConfigError(
                f"{where}: importing {self.module_file} failed ({type(exc).__name__}: {exc}); install what it "
                "imports (lm-eval's task helpers need `pip install lm-eval`) or fix the module"
            ) from None
        if not callable(fn):
            raise ConfigError(f"{where}: {self.module_file}: {name!r} is not a function")
        self.fn = fn


def _why() -> str:
    return (
        "it runs Python code from the task's folder, and aimm runs a task's code only when you trust it: "
        f"pass {TRUST_FLAG} (Python: trust_task_code=True) after reading that code, or use a task file "
        "without !function (process_docs has a declarative form, see aimm_nlp.evaluation.process)"
    )


@functools.lru_cache(maxsize=64)
def _import(path: Path) -> Any:
    """Import ``path`` as a fresh module, once per file (the same utils.py serves many task files)."""
    import importlib.util

    name = f"aimm_task_code_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def task_loader(path: Path) -> type:
    """A ``yaml.SafeLoader`` subclass that reads ``!function X`` of ``path`` as a :class:`TaskCode`."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> TaskCode:
        return TaskCode(str(loader.construct_scalar(node)), path, node.start_mark.line + 1)  # type: ignore[arg-type]

    _Loader.add_constructor("!function", construct)
    return _Loader


def code_refs(value: Any, key: str = "") -> Iterator[tuple[str, TaskCode]]:
    """Every ``(dotted key, TaskCode)`` in a config (mappings and lists are searched)."""
    if isinstance(value, TaskCode):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from code_refs(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from code_refs(v, f"{key}[{i}]")


def bind_task_code(cfg: dict[str, Any], *, trust: bool) -> list[str]:
    """Import every ``!function`` of ``cfg`` when ``trust``; else one error per reference (nothing runs)."""
    errors = []
    for key, ref in code_refs(cfg):
        if not trust:
            errors.append(
                f"{ref.yaml_file}:{ref.line}: {key}: !function {ref.ref} runs Python code from {ref.module_file}; "
                f"pass {TRUST_FLAG} (Python: trust_task_code=True) to allow it, after reading that code"
            )
            continue
        try:
            ref.bind()
        except ConfigError as exc:
            errors.append(f"{key}: {exc}")
    return errors
