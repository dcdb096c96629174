"""Task templates run in jinja2's sandbox: a hostile task file is refused (exit 2, file:line), nothing runs.

Every hostile template tries to create ``pwned`` in tmp_path (an absolute path, so nothing can land in
the working directory). `aimm eval` and `aimm tasks validate` must both refuse it, naming the task file,
the line of the template in it and the field.
"""

from __future__ import annotations

import json

import pytest

from aimm_nlp.cli import main

ROWS = "text\tscript\tlabel\nsalam 3lik\tLatn\tpos\nواش نتا مزيان؟\tArab\tneg\nⴰⵣⵓⵍ\tTfng\tpos\n"


def write_task(folder, *, text="text", target="script", choice=None, doc_filter=None, kind="pipeline"):
    """A task over data.tsv in ``folder``; every template is written as a quoted YAML string."""
    (folder / "data.tsv").write_text(ROWS, encoding="utf-8")
    lines = [f"task: tiny_{kind}", f"output_type: {kind}"]
    if kind == "pipeline":
        lines.append("pipeline: dominant_script")
    lines += [
        "dataset_path: csv",
        "dataset_kwargs:",
        "  data_files:",
        "    test: data.tsv",
        '  delimiter: "\\t"',
    ]
    lines.append(f"doc_to_text: {json.dumps(text, ensure_ascii=False)}")
    lines.append(f"doc_to_target: {json.dumps(target, ensure_ascii=False)}")
    if choice is not None:
        lines.append(f"doc_to_choice: {json.dumps(choice, ensure_ascii=False)}")
    if doc_filter is not None:
        lines.append(f"doc_filter: {json.dumps(doc_filter, ensure_ascii=False)}")
    lines.append("metric_list:\n  - metric: acc")
    path = folder / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line_of(path, key):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    raise AssertionError(key)


def _os(tmp_path):
    return f"os.system('touch {tmp_path / 'pwned'}')"


def _call(tmp_path, head, tail=" }}"):
    """``{{ <head>os.system('touch TMP/pwned') }}``: a template that would create ``pwned``."""
    return "{{ " + head + _os(tmp_path) + tail


# (id, field, the task's templates given tmp_path): each one would run code, read internals or eat memory
HOSTILE = [
    ("cycler globals", "doc_to_text", lambda t: {"text": _call(t, "cycler.__init__.__globals__.")}),
    ("joiner globals", "doc_to_text", lambda t: {"text": _call(t, "joiner.__init__.__globals__.")}),
    ("namespace globals", "doc_to_text", lambda t: {"text": _call(t, "namespace.__init__.__globals__.")}),
    ("lipsum globals", "doc_to_text", lambda t: {"text": _call(t, "lipsum.__globals__.")}),
    ("subclasses", "doc_to_text", lambda t: {"text": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}),
    ("column class", "doc_to_text", lambda t: {"text": "{{ text.__class__.__base__ }}"}),
    ("set then use", "doc_to_text", lambda t: {"text": "{% set g = cycler.__init__ %}{{ g.__globals__ }}"}),
    ("format string", "doc_to_text", lambda t: {"text": "{{ '{0.__class__.__mro__}'.format(text) }}"}),
    ("attr filter", "doc_to_text", lambda t: {"text": "{{ cycler | attr('__init__') | attr('__globals__') }}"}),
    ("list append", "doc_to_text", lambda t: {"text": "{% set l = [] %}{{ l.append(text) }}{{ text }}"}),
    ("dict update", "doc_to_text", lambda t: {"text": "{% set d = {} %}{{ d.update(a=1) }}{{ text }}"}),
    ("huge repeat", "doc_to_text", lambda t: {"text": "{{ text * 100000000 }}"}),
    ("huge power", "doc_to_text", lambda t: {"text": "{{ 9 ** 99999999 }}{{ text }}"}),
    ("huge ljust", "doc_to_text", lambda t: {"text": "{{ text.ljust(10 ** 9) }}"}),
    ("huge zfill", "doc_to_text", lambda t: {"text": "{{ text.zfill(999999999) }}"}),
    ("huge center", "doc_to_text", lambda t: {"text": "{{ text | center(1000000000) }}"}),
    ("huge indent", "doc_to_text", lambda t: {"text": "{{ text | indent(width=1000000000) }}"}),
    ("huge lipsum", "doc_to_text", lambda t: {"text": "{{ lipsum(n=100000000) }}"}),
    ("in target", "doc_to_target", lambda t: {"target": _call(t, "cycler.__init__.__globals__.")}),
    ("in choice", "doc_to_choice", lambda t: {"kind": "multiple_choice", "target": "label",
                                              "choice": _call(t, "joiner.__init__.__globals__.")}),
    ("in doc_filter", "doc_filter", lambda t: {"doc_filter": _call(t, "cycler.__init__.__globals__.", " == 0")[3:]}),
    ("self context", "doc_to_text", lambda t: {"text": "{{ self._TemplateReference__context }}"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "field", "spec"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_eval_refuses_a_hostile_template_and_runs_nothing(tmp_path, capsys, case, field, spec):
    task = write_task(tmp_path, **spec(tmp_path))
    out = tmp_path / "out.json"
    assert main(["eval", "--tasks", str(task), "--output", str(out), "--no-cache", "--model", "x"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{task}:{_line_of(task, field)}: {field}:" in err, err
    # refused by the sandbox, or (attr filter) the unsafe attribute read as undefined
    assert any(w in err for w in ("refused by the sandbox", "too large", "has no attribute '__")), err
    assert not (tmp_path / "pwned").exists(), "the template ran code"
    assert not out.exists()


@pytest.mark.parametrize(("case", "field", "spec"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_tasks_validate_reports_a_hostile_template(tmp_path, capsys, case, field, spec):
    task = write_task(tmp_path, **spec(tmp_path))
    assert main(["tasks", "validate", str(task)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "task file(s) valid" not in err and "1 error(s)" in err
    assert f"{task}:{_line_of(task, field)}: {field}:" in err, err
    assert not (tmp_path / "pwned").exists(), "validate ran the template's code"


def test_hostile_template_in_an_included_file_names_that_file(tmp_path, capsys):
    base = write_task(tmp_path, text=_call(tmp_path, "cycler.__init__.__globals__."))
    child = tmp_path / "child.yaml"
    child.write_text(f"include: {base.name}\ntask: child\n", encoding="utf-8")
    assert main(["eval", "--tasks", str(child), "--output", str(tmp_path / "o.json"), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert f"{base}:{_line_of(base, 'doc_to_text')}: doc_to_text: template refused by the sandbox" in err
    assert not (tmp_path / "pwned").exists()


# templates that fail on real data only when rendered: validate used to call them valid
FAILS_ON_RENDER = [
    ("attribute of a str", "doc_to_text", {"text": "{{ text.no_such_attribute }}"}, "has no attribute"),
    ("division by zero", "doc_to_text", {"text": "{{ text }}{{ 1 // 0 }}"}, "ZeroDivisionError"),
    ("bad int filter arg", "doc_to_text", {"text": "{{ text | regex_replace('(', '') }}"}, "fails on"),
    ("choice is no list", "doc_to_choice", {"kind": "multiple_choice", "target": "label",
                                            "choice": "{{ text }}"}, "not a list"),
    ("filter on a column", "doc_filter", {"doc_filter": "text.no_such_attribute == 'x'"}, "has no attribute"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "field", "spec", "needle"), FAILS_ON_RENDER, ids=[c[0] for c in FAILS_ON_RENDER]
)
@pytest.mark.parametrize("command", ["eval", "validate"])
def test_templates_that_fail_on_the_first_doc_exit_2(tmp_path, capsys, case, field, spec, needle, command):
    task = write_task(tmp_path, **spec)
    out = tmp_path / "o.json"
    if command == "eval":
        argv = ["eval", "--tasks", str(task), "--output", str(out), "--no-cache", "--model", "x"]
    else:
        argv = ["tasks", "validate", str(task)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{task}:{_line_of(task, field)}: {field}:" in err and needle in err, err
    assert not out.exists()


# lm-eval-style templates keep working in the sandbox, on Arabic script, Arabizi and Tifinagh rows
GOOD = [
    ("strip and upper", "{{ text.strip() | upper }}", ["SALAM 3LIK", "واش نتا مزيان؟", "ⴰⵣⵓⵍ"]),
    ("regex_replace", "{{ text | regex_replace('[0-9]', '') }}", ["salam lik", "واش نتا مزيان؟", "ⴰⵣⵓⵍ"]),
    ("dominant_script", "{{ text | dominant_script }}", ["Latn", "Arab", "Tfng"]),
    ("split loop", "{% for w in text.split() %}[{{ w }}]{% endfor %}", ["[salam][3lik]", "[واش][نتا][مزيان؟]", "[ⴰⵣⵓⵍ]"]),
    ("cycler method", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ text[:1] }}", ["as", "aو", "aⴰ"]),
    ("format", "{{ '%s!' | format(text) }}", ["salam 3lik!", "واش نتا مزيان؟!", "ⴰⵣⵓⵍ!"]),
    ("small power", "{{ 2 ** 10 }}", ["1024"] * 3),
    ("small repeat", "{{ text[:1] * 3 }}", ["sss", "ووو", "ⴰⴰⴰ"]),
    ("ljust and center", "{{ text[:2].ljust(3, '.') }}|{{ text[:1] | center(3) }}", ["sa.| s ", "وا.| و ", "ⴰⵣ.| ⴰ "]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "template", "want"), GOOD, ids=[c[0] for c in GOOD])
def test_lm_eval_templates_still_render(tmp_path, case, template, want):
    from aimm_nlp.evaluation.task import load_task, render

    task = load_task(write_task(tmp_path, text=template))
    assert [render(task.config["doc_to_text"], d) for d in task.docs()] == want


# data_files as written -> whether `tasks validate` must list it as outside the task's folder
DATA_FILES = [
    ("same folder", "data.tsv", False),
    ("dot slash", "./data.tsv", False),
    ("sub folder", "sub/data.tsv", False),
    ("parent", "../outside/data.tsv", True),
    ("absolute", "{outside}/data.tsv", True),
    ("env var", "${{AIMM_TEST_ELSEWHERE}}/data.tsv", True),
    ("dollar var", "$AIMM_TEST_ELSEWHERE/data.tsv", True),
    ("sub then up", "sub/../../outside/data.tsv", True),
]  # fmt: skip


@pytest.mark.parametrize(("case", "written", "listed"), DATA_FILES, ids=[c[0] for c in DATA_FILES])
def test_tasks_validate_lists_data_files_outside_the_task_folder(
    tmp_path, capsys, monkeypatch, case, written, listed
):
    home, outside = tmp_path / "tasks", tmp_path / "outside"
    for folder in (home, home / "sub", outside):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "data.tsv").write_text(ROWS, encoding="utf-8")
    monkeypatch.setenv("AIMM_TEST_ELSEWHERE", str(outside))
    task = write_task(home)
    task.write_text(
        task.read_text(encoding="utf-8").replace(
            "test: data.tsv", f"test: {written.format(outside=outside)}"
        ),
        encoding="utf-8",
    )
    assert main(["tasks", "validate", str(task)]) == 0
    err = capsys.readouterr().err
    assert "1 task file(s) valid" in err
    shown = f"{task}: data_files.test: "
    assert (shown in err) == listed, err
    if listed:
        assert str(outside / "data.tsv") in err
        assert "may read any local file and expands ~ and $VARS" in err


def test_hostile_template_in_a_suite_is_refused_not_skipped(tmp_path, capsys):
    task = write_task(tmp_path, text=_call(tmp_path, "cycler.__init__.__globals__."))
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"group: shared_suite\ntask:\n  - {task.name}\n", encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["eval", "--suite", str(suite), "--output", str(out), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert f"{task}:{_line_of(task, 'doc_to_text')}: doc_to_text: template refused by the sandbox" in err, err
    assert not (tmp_path / "pwned").exists() and not out.exists()
