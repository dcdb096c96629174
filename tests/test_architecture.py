"""Architecture rules of the package (issue 18), checked by walking src/aimm_nlp with ast.

This test is explicitly about internals: it reads the source files, it does not import them.

Rules (one parametrized case per rule and area; an area is a top-level subpackage, or ``root`` for the
modules directly under aimm_nlp/, so a failing case names the area to fix):

1. ``cycles``: no import cycle between modules. Every import statement counts, also inside functions,
   plus ``importlib.import_module("aimm_nlp...")`` with a literal name; only imports under
   ``if TYPE_CHECKING:`` are left out. ``from pkg import name`` is an edge to ``pkg.name`` when that is a
   module, else to ``pkg`` (its __init__). A cycle is reported in every area it touches, with the
   file:line of each import on it.
2. ``cli_import``: no module outside aimm_nlp.cli (and aimm_nlp.__main__) imports aimm_nlp.cli.
3. ``private_import``: no module imports a private module (a path part starting with "_", not
   __init__/__main__) of another subpackage, nor a private name (``from aimm_nlp.x.y import _name``) of
   another subpackage's module: aimm_nlp.X... may import aimm_nlp.X.<...>._y but not aimm_nlp.Y._z for
   Y != X. Root-level private modules (aimm_nlp._io, aimm_nlp._registry, ...) and their names are shared
   by all.
4. ``module_size``: no module over 400 lines unless its module docstring says why, in a sentence
   starting "Longer than 400 lines:" followed by the reason.

The same rules were first checked by a stand-alone script during issue 18; this test is now their home.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "aimm_nlp"
MAX_LINES = 400
WAIVER = "Longer than 400 lines:"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str | None, int]]:
    """(imported module, private name taken from it or None, line) for each aimm_nlp import of a module."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: list[tuple[str, str | None, int]] = []
    is_pkg = path.name == "__init__.py"

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for c in child.orelse:
                    visit(c)
                continue
            if isinstance(child, ast.Import):
                for a in child.names:
                    if a.name == "aimm_nlp" or a.name.startswith("aimm_nlp."):
                        found.append((a.name, None, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    mod = ".".join(base + ([child.module] if child.module else []))
                else:
                    mod = child.module or ""
                if mod == "aimm_nlp" or mod.startswith("aimm_nlp."):
                    for a in child.names:
                        sub = f"{mod}.{a.name}"
                        if sub in known:
                            found.append((sub, None, child.lineno))
                        else:
                            private = a.name.startswith("_") and not a.name.startswith("__")
                            found.append((mod, a.name if private else None, child.lineno))
            elif (
                isinstance(child, ast.Call)
                and (
                    (isinstance(child.func, ast.Attribute) and child.func.attr == "import_module")
                    or (isinstance(child.func, ast.Name) and child.func.id == "import_module")
                )
                and child.args
                and isinstance(child.args[0], ast.Constant)
                and isinstance(child.args[0].value, str)
                and child.args[0].value.startswith("aimm_nlp")
            ):
                found.append((child.args[0].value, None, child.lineno))
            visit(child)

    visit(tree)
    return found


def _private_owner(target: str) -> str | None:
    """The subpackage owning a private module, or None when the target is not private (or root-level)."""
    parts = target.split(".")
    for i, p in enumerate(parts[1:], start=1):
        if p.startswith("_") and p not in ("__init__", "__main__"):
            return ".".join(parts[:i]) if i > 1 else None
    return None


def _inside(name: str, owner: str) -> bool:
    return name == owner or name.startswith(owner + ".")


def _area(module: str) -> str:
    """The top-level subpackage of a module (``text``, ``cli`` ...), or ``root`` for aimm_nlp/*.py."""
    parts = module.split(".")
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "root"


def _rel(path: Path) -> str:
    return path.relative_to(SRC.parent).as_posix()


def check() -> list[tuple[str, str, str]]:
    """Every violation as (rule, area, message); the message starts with file:line."""
    known = _modules()
    graph: dict[str, dict[str, str]] = {m: {} for m in known}  # module -> {imported module: "file:line"}
    problems: list[tuple[str, str, str]] = []
    for name, path in known.items():
        in_cli = _inside(name, "aimm_nlp.cli") or name == "aimm_nlp.__main__"
        for target, private_name, line in _imports(name, path, known):
            if target not in known:
                continue
            where = f"{_rel(path)}:{line}"
            if target != name:
                graph[name].setdefault(target, where)
            if _inside(target, "aimm_nlp.cli") and not in_cli:
                problems.append(
                    ("cli_import", _area(name), f"{where}: library module {name} imports the CLI ({target})")
                )
            owner = _private_owner(target)
            if owner and not _inside(name, owner):
                problems.append(
                    (
                        "private_import",
                        _area(name),
                        f"{where}: {name} imports {target}, a private module of {owner}",
                    )
                )
            elif owner is None and private_name:
                # a private name of a public module: it belongs to the (sub)package holding that module
                holder = target if known[target].name == "__init__.py" else target.rsplit(".", 1)[0]
                if holder != "aimm_nlp" and not _inside(name, holder):
                    problems.append(
                        (
                            "private_import",
                            _area(name),
                            f"{where}: {name} imports {private_name}, a private name of {target} ({holder})",
                        )
                    )
    for comp in _cycles({m: set(t) for m, t in graph.items()}):
        edges = [f"{graph[a][b]}: {a} imports {b}" for a in comp for b in sorted(graph[a]) if b in comp]
        text = "import cycle among " + ", ".join(comp) + "\n      " + "\n      ".join(edges)
        for area in sorted({_area(m) for m in comp}):
            problems.append(("cycles", area, text))
    for name, path in known.items():
        source = path.read_text("utf-8")
        n = len(source.splitlines())
        if n > MAX_LINES:
            doc = ast.get_docstring(ast.parse(source)) or ""
            _, waived, reason = doc.partition(WAIVER)
            if not (waived and reason.strip()):
                problems.append(
                    (
                        "module_size",
                        _area(name),
                        f"{_rel(path)}:1: {n} lines (> {MAX_LINES}); split it by concept, or say why in "
                        f'its module docstring ("{WAIVER} <reason>")',
                    )
                )
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


RULES = ("cycles", "cli_import", "private_import", "module_size")
AREAS = ("root", *sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()))


@pytest.fixture(scope="module")
def violations() -> list[tuple[str, str, str]]:
    return check()


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("rule", RULES)
def test_architecture_rule(violations, rule, area):
    found = [msg for r, a, msg in violations if r == rule and a == area]
    assert not found, f"{len(found)} {rule} violation(s) in area {area!r}:\n" + "\n".join(found)


def test_every_violation_has_a_known_area(violations):
    assert {a for _, a, _ in violations} <= set(AREAS)


# --- the checker itself: each rule fires on a planted tree, and stays quiet on a clean one ---


def _plant(tmp_path, monkeypatch, files: dict[str, str]):
    src = tmp_path / "src"
    for rel, text in files.items():
        f = src / "aimm_nlp" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, "utf-8")
    for pkg in {p.parent for p in (src / "aimm_nlp").rglob("*.py")}:
        (pkg / "__init__.py").touch()
    monkeypatch.setattr(f"{__name__}.SRC", src)
    monkeypatch.setattr(f"{__name__}.PACKAGE", src / "aimm_nlp")
    return check()


PLANTED = [
    # (files, expected (rule, area) pairs, and a fragment of one message)
    (
        {"a/x.py": "from aimm_nlp.a import y\n", "a/y.py": "from aimm_nlp.a.x import f\n"},
        {("cycles", "a")},
        "a/y.py:1",
    ),
    (
        {
            "a/x.py": "def f():\n    from . import y\n",
            "b/y.py": "import importlib\nimportlib.import_module('aimm_nlp.a.x')\n",
        },
        set(),
        None,
    ),
    (
        {
            "a/x.py": "def f():\n    from aimm_nlp.b import y\n",
            "b/y.py": "import importlib\nimportlib.import_module('aimm_nlp.a.x')\n",
        },
        {("cycles", "a"), ("cycles", "b")},
        "b/y.py:2",
    ),
    (
        {
            "a/x.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aimm_nlp.a import y\n",
            "a/y.py": "from aimm_nlp.a import x\n",
        },
        set(),
        None,
    ),
    ({"a/x.py": "from aimm_nlp.cli import main\n", "cli/main.py": ""}, {("cli_import", "a")}, "a/x.py:1"),
    ({"__main__.py": "from aimm_nlp.cli import main\n", "cli/main.py": ""}, set(), None),
    (
        {"a/x.py": "from aimm_nlp.b._p import f\n", "b/_p.py": ""},
        {("private_import", "a")},
        "private module of aimm_nlp.b",
    ),
    ({"a/x.py": "from aimm_nlp.b import _p\n", "b/_p.py": ""}, {("private_import", "a")}, "a/x.py:1"),
    ({"a/x.py": "import aimm_nlp.b._p as p\n", "b/_p.py": ""}, {("private_import", "a")}, "a/x.py:1"),
    ({"a/x.py": "from aimm_nlp.b.q import _f\n", "b/q.py": ""}, {("private_import", "a")}, "private name"),
    ({"a/x.py": "from aimm_nlp.b import _f\n", "b/q.py": ""}, {("private_import", "a")}, "private name"),
    (
        {"a/x.py": "from aimm_nlp.a.b._p import f\n", "a/b/_p.py": ""},
        {("private_import", "a")},
        "aimm_nlp.a.b",
    ),
    (
        {"a/b/x.py": "from .._p import f\nfrom aimm_nlp.a.q import _g\n", "a/_p.py": "", "a/q.py": ""},
        set(),
        None,
    ),
    (
        {
            "a/x.py": "from aimm_nlp._io import f\nfrom aimm_nlp.langs import _X\n",
            "_io.py": "",
            "langs.py": "",
        },
        set(),
        None,
    ),
    ({"a/x.py": "x = 1\n" * 401}, {("module_size", "a")}, "401 lines"),
    ({"a/x.py": '"""Doc.\n\nLonger than 400 lines: one numba kernel."""\n' + "x = 1\n" * 401}, set(), None),
    (
        {"a/x.py": '"""Doc.\n\nLonger than 400 lines:"""\n' + "x = 1\n" * 401},
        {("module_size", "a")},
        "a/x.py:1",
    ),
    ({"a/x.py": "x = 1\n" * 400}, set(), None),
]


@pytest.mark.parametrize(("files", "expected", "fragment"), PLANTED)
def test_checker_on_planted_trees(tmp_path, monkeypatch, files, expected, fragment):
    found = _plant(tmp_path, monkeypatch, files)
    assert {(rule, area) for rule, area, _ in found} == expected, found
    if fragment:
        assert any(fragment in msg for _, _, msg in found), found
