"""The report as one self-contained HTML page: inline CSS, a few lines of inline JS, embedded PNGs.

Views (one shown at a time by its ``#id``; without JavaScript they are all shown one after another):
``#overview`` (aggregates per group + systems x tasks on the primary metrics + the group figure),
``#g-<group>`` per language/script group, ``#tasks`` (every metric, CI, n, template and hashes per task;
``#task-<name>`` links to one), ``#runs`` (provenance per system), and one per extra section.
Columns sort on a click; text cells carry ``dir="auto"`` so Arabic-script text runs right to left.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from typing import Any

from aimm_nlp.report.board import GROUP_LABELS, GROUPS, NORMALIZATION, Board, TaskInfo

__all__ = ["render_page"]

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,'Noto Sans','Noto Sans Arabic','Noto Sans Tifinagh',
sans-serif;color:#1d1d1f;background:#fff;margin:0}main{max-width:1340px;margin:0 auto;padding:0 12px 40px}
header{padding:14px 12px 6px;max-width:1340px;margin:0 auto}h1{font-size:22px;margin:0 0 2px}
h2{font-size:17px;margin:22px 0 8px}h3{font-size:15px;margin:18px 0 6px}.sub{color:#555;margin:0}
nav{display:flex;flex-wrap:wrap;gap:4px;max-width:1340px;margin:0 auto;padding:6px 12px;
border-bottom:1px solid #ccc}nav a{padding:3px 9px;border-radius:4px;color:#0b57d0;text-decoration:none}
nav a[aria-current]{background:#0b57d0;color:#fff}table{border-collapse:collapse;width:100%;
table-layout:fixed;margin:6px 0 10px}th,td{border-bottom:1px solid #ddd;padding:4px 5px;
vertical-align:top;overflow-wrap:anywhere}th{background:#f3f4f6;font-weight:600;font-size:12px;
text-align:left}th.sortable{cursor:pointer}th.sortable:after{content:' \\21C5';color:#888}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.sys,th.sys{width:170px}
.best{font-weight:700;background:#e6f4ea}.ci{display:block;font-size:11px;color:#555}
.na{color:#888}.d{display:block;font-size:11px}.good{color:#0a7d32}.bad{color:#b3261e}
.kv th{width:190px}.kv td,.kv th{font-size:12px}code,.hash{font:12px ui-monospace,monospace;
overflow-wrap:anywhere}figure{margin:12px 0}img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#555}.note{color:#444;font-size:13px}.md table{width:auto;max-width:100%}
.md td,.md th{border:1px solid #ddd}pre{white-space:pre-wrap;background:#f6f8fa;padding:6px;font-size:12px}
"""

JS = """
function show(){var id=decodeURIComponent(location.hash.slice(1))||'overview',el=document.getElementById(id),
v=el&&el.closest('.view');if(!v)v=document.getElementById('overview');
document.querySelectorAll('.view').forEach(function(s){s.hidden=(s!==v)});
document.querySelectorAll('nav a').forEach(function(a){if(a.getAttribute('href')==='#'+v.id)
a.setAttribute('aria-current','page');else a.removeAttribute('aria-current')});
if(el&&el!==v)el.scrollIntoView();else window.scrollTo(0,0)}
window.addEventListener('hashchange',show);show();
document.querySelectorAll('th.sortable').forEach(function(th){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],i=th.cellIndex,up=th.dataset.dir!=='desc';th.dataset.dir=up?'desc':'asc';
var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){var x=a.cells[i].dataset.v,
y=b.cells[i].dataset.v;if(x===undefined||x==='')return 1;if(y===undefined||y==='')return -1;
var p=parseFloat(x),q=parseFloat(y);var c=isNaN(p)||isNaN(q)?x.localeCompare(y):p-q;return up?-c:c});
rows.forEach(function(r){tb.appendChild(r)})})});
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _wbr(name: str) -> str:
    return _e(name).replace("_", "_<wbr>")


def _arrow(up: bool) -> str:
    return "↑" if up else "↓"


def _num(v: float) -> str:
    return f"{v:.1f}" if abs(v) >= 100 else f"{v:.3f}"


def _score_td(board: Board, system: str, t: TaskInfo, baseline: str | None) -> str:
    cell = board.cell(system, t.name)
    if cell is None or cell.value is None:
        why = board.missing_reason(system, t.name)
        return f'<td class="num na" data-v="" title="{_e(why)}">n/a</td>'
    best = system in board.best(t.name)
    ci = f'<span class="ci">±{_num(cell.half_width)}</span>' if cell.half_width is not None else ""
    delta = ""
    base = board.cell(baseline, t.name) if baseline and baseline != system else None
    if base is not None and base.value is not None:
        d = cell.value - base.value
        better = d > 0 if t.up(t.primary or "") else d < 0
        cls = "good" if better and d else ("bad" if d else "")
        delta = f'<span class="d {cls}" title="vs {_e(baseline)}">{d:+.3f}</span>'
    attrs = ' class="num best" title="best in this column"' if best else ' class="num"'
    return f'<td{attrs} data-v="{cell.value!r}">{_num(cell.value)}{ci}{delta}</td>'


def _agg_td(board: Board, system: str, group: str | None) -> str:
    value, k, total = board.aggregate(system, group)
    if value is None:
        return '<td class="num na" data-v="" title="no task of this group with a normalized primary">n/a</td>'
    tops = [board.aggregate(s, group)[0] for s in board.systems]
    scored = [v for v in tops if v is not None]
    best = len(scored) > 1 and value == max(scored)
    attrs = ' class="num best" title="best in this column"' if best else ' class="num"'
    return f'<td{attrs} data-v="{value!r}">{value:.3f}<span class="ci">{k}/{total} tasks</span></td>'


def _sys_th(name: str) -> str:
    return f'<th class="sys sortable" dir="auto">{_e(name)}</th>'


def _sys_td(name: str) -> str:
    return f'<td class="sys" dir="auto" data-v="{_e(name)}"><a href="#run-{_e(name)}">{_e(name)}</a></td>'


def leaderboard_table(board: Board, tasks: list[TaskInfo], baseline: str | None, group: str | None) -> str:
    """Systems x tasks on the primary metric (+ the aggregate of ``group``, or overall)."""
    label = "overall" if group is None else f"{group} mean"
    heads = [_sys_th("system"), f'<th class="sortable" title="{_e(NORMALIZATION)}">{_e(label)}</th>']
    for t in tasks:
        heads.append(f'<th class="sortable" dir="auto"><a href="#task-{_e(t.name)}">{_wbr(t.name)}</a>'
                     f'<span class="ci">{_e(t.primary)} {_arrow(t.up(t.primary or ""))}</span></th>')  # fmt: skip
    rows = []
    for s in board.systems:
        tds = [_sys_td(s), _agg_td(board, s, group)]
        tds += [_score_td(board, s, t, baseline) for t in tasks]
        rows.append(f'<tr data-system="{_e(s)}">{"".join(tds)}</tr>')
    return (
        f'<table class="board"><thead><tr>{"".join(heads)}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def summary_table(board: Board, groups: list[str]) -> str:
    heads = [_sys_th("system"), '<th class="sortable">overall</th>']
    heads += [f'<th class="sortable" dir="auto">{_e(g)}<span class="ci" dir="auto">{_e(GROUP_LABELS[g])}</span></th>'
              for g in groups]  # fmt: skip
    rows = [f"<tr>{_sys_td(s)}{_agg_td(board, s, None)}{''.join(_agg_td(board, s, g) for g in groups)}</tr>"
            for s in board.systems]  # fmt: skip
    return f'<table class="summary"><thead><tr>{"".join(heads)}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _kv(pairs: list[tuple[str, Any]]) -> str:
    rows = "".join(
        f'<tr><th>{_e(k)}</th><td dir="auto">{v}</td></tr>' for k, v in pairs if v not in (None, "")
    )
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _template(config: Mapping[str, Any]) -> str:
    keys = (
        "doc_to_text",
        "doc_to_target",
        "doc_to_choice",
        "pipeline",
        "pipeline_kwargs",
        "generation_kwargs",
    )
    shown = [f"{k}: {config[k]!r}" for k in keys if k in config]
    return f'<pre dir="auto">{_e(chr(10).join(shown))}</pre>' if shown else ""


def task_section(board: Board, t: TaskInfo) -> str:
    metrics = board.metrics(t.name)
    heads = (
        _sys_th("system")
        + "".join(
            f'<th class="sortable">{_e(m)} {_arrow(t.up(m))}{" (primary)" if m == t.primary else ""}</th>'
            for m in metrics
        )
        + '<th class="sortable">n</th>'
    )
    rows = []
    for s in board.systems:
        cells = [board.cell(s, t.name, m) for m in metrics]
        if not any(cells):
            continue
        tds = []
        for m, c in zip(metrics, cells, strict=True):
            if c is None or c.value is None:
                tds.append(
                    f'<td class="num na" data-v="" title="{_e(board.missing_reason(s, t.name))}">n/a</td>'
                )
                continue
            ci = f'<span class="ci">[{_num(c.ci[0])}, {_num(c.ci[1])}] {_e(c.ci_kind)}</span>' if c.ci else ""
            best = ' class="num best"' if s in board.best(t.name, m) else ' class="num"'
            tds.append(f'<td{best} data-v="{c.value!r}">{_num(c.value)}{ci}</td>')
        n = next((c.n for c in cells if c and c.n is not None), None)
        rows.append(f'<tr>{_sys_td(s)}{"".join(tds)}<td class="num" data-v="{n or ""}">{n or "-"}</td></tr>')
    ex = t.example or {}
    example = " → ".join(f'<bdi dir="auto">{_e(v)}</bdi>' for v in ex.values())
    meta = _kv([("language", _e(t.lang)), ("group", _e(t.group)), ("type", _e(t.output_type)),
                ("version", _e(t.version) if t.version is not None else None),
                ("n-shot", _e(t.n_shot) if t.n_shot is not None else None),
                ("primary metric", f"{_e(t.primary)} ({'higher' if t.up(t.primary or '') else 'lower'} is better)"),
                ("data sha256", f'<span class="hash">{_e(t.data_sha256)}</span>' if t.data_sha256 else None),
                ("prompt sha256", f'<span class="hash">{_e(t.prompt_sha256)}</span>' if t.prompt_sha256 else None),
                ("first test item", example or None), ("prompt / template", _template(t.config) or None)])  # fmt: skip
    table = f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<article id="task-{_e(t.name)}"><h3 dir="auto">{_e(t.name)}</h3>{meta}{table}</article>'


def run_section(board: Board, system: str) -> str:
    parts = [f'<article id="run-{_e(system)}"><h3 dir="auto">{_e(system)}</h3>']
    if system in board.notes:
        parts.append(f'<p class="note">{_e(board.notes[system])}</p>')
    for path, prov in zip(board.files[system], board.provenance[system], strict=True):
        model = prov.get("model") or {}
        files = model.get("files_sha256") if isinstance(model, dict) else None
        hashes = "<br>".join(f'{_e(k)}: <span class="hash">{_e(v)}</span>' for k, v in (files or {}).items())
        other = {k: v for k, v in model.items() if k != "files_sha256"} if isinstance(model, dict) else model
        data = prov.get("data_sha256") or prov.get("task_hashes") or {}
        parts.append(_kv([
            ("results file", f"<code>{_e(path)}</code>"), ("written by", _e(prov.get("written_by", "aimm eval"))),
            ("model", _e(other) if other else None), ("model kind", _e(prov.get("model_kind") or "") or None),
            ("model and tokenizer files (sha256)", hashes or None),
            ("data (sha256)", "<br>".join(f'{_e(k)}: <span class="hash">{_e(v)}</span>' for k, v in data.items()) or None),
            ("package versions", _e(", ".join(f"{k} {v}" for k, v in (prov.get("packages") or {}).items())) or None),
            ("python", _e(prov.get("python") or "") or None), ("command line", f"<code>{_e(prov['command'])}</code>"
                                                                if prov.get("command") else None),
            ("date (UTC)", _e(prov.get("created_utc") or "") or None), ("machine", _e(prov.get("machine") or "") or None),
            ("device", _e(prov.get("device") or "") or None), ("seed", _e(prov.get("seed", "")) or None),
        ]))  # fmt: skip
    skipped = [(t, why) for (s, t), why in board.skipped.items() if s == system]
    if skipped:
        items = "".join(f"<li><b>{_e(t)}</b>: {_e(why)}</li>" for t, why in skipped)
        parts.append(f'<p class="note">Skipped tasks:</p><ul class="skipped">{items}</ul>')
    return "".join(parts) + "</article>"


def _figure(title: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{_e(title)}"><figcaption>{_e(title)}</figcaption></figure>'


def render_page(board: Board, *, title: str, baseline: str | None, figures: Mapping[str, bytes],
                sections: Mapping[str, str] | None = None, created: str = "", summary: str | None = None) -> str:  # fmt: skip
    """The whole page; ``figures`` by title (the first is the overview's), ``sections`` as Markdown."""
    groups = [g for g in dict.fromkeys(t.group for t in board.tasks)]  # those with tasks: summary columns
    shown = [g for g in GROUPS if g != "multi" or g in groups]  # a view per language/script, empty or not
    nav = [("overview", "Overview")] + [(f"g-{g}", g) for g in shown] + [("tasks", "Tasks"), ("runs", "Runs")]
    extra = list((sections or {}).items())
    nav += [(f"s{i}", name) for i, (name, _) in enumerate(extra)]
    figs = list(figures.items())
    if figs[1:]:
        nav.append(("plots", "Plots"))
    views = []
    base_note = (f'<p class="note">Deltas under each score: against <b dir="auto">{_e(baseline)}</b>, green when '
                 "better, red when worse (by the metric's direction).</p>") if baseline else ""  # fmt: skip
    intro = (f'<p class="note">Each column is a task\'s <b>primary metric</b> (↑ higher is better, ↓ lower); '
             "the value is followed by ± half the width of its 95 % interval; the best score of a column is bold "
             f"on green. n/a: hover for the reason. Click a column head to sort. {_e(NORMALIZATION)}</p>{base_note}")  # fmt: skip
    lead = f'<div class="md" dir="auto">{_markdown(summary)}</div>' if summary else ""
    overview = [lead, intro, "<h2>Aggregates per language/script group</h2>", summary_table(board, groups),
                "<h2>All tasks</h2>", leaderboard_table(board, board.tasks, baseline, None)]  # fmt: skip
    if figs:
        overview.append(_figure(*figs[0]))
    views.append(("overview", "".join(overview)))
    for g in shown:
        head = f'<h2 dir="auto">{_e(g)} · {_e(GROUP_LABELS[g])}</h2>'
        if g in groups:
            views.append((f"g-{g}", head + leaderboard_table(board, board.in_group(g), baseline, g)))
            continue
        mixed = [t.name for t in board.tasks if g in t.lang.split("+")]
        also = f" It is one of the languages of {', '.join(mixed)} (view multi)." if mixed else ""
        views.append(
            (f"g-{g}", f'{head}<p class="note">No task in these results is in {_e(g)} alone.{_e(also)}</p>')
        )
    views.append(("tasks", "<h2>Tasks</h2>" + "".join(task_section(board, t) for t in board.tasks)))
    runs = "".join(run_section(board, s) for s in board.systems)
    if board.duplicates:
        runs += (
            "<h3>Scores given twice</h3><ul>"
            + "".join(f"<li>{_e(d)}</li>" for d in board.duplicates)
            + "</ul>"
        )
    views.append(("runs", "<h2>Runs and provenance</h2>" + runs))
    for i, (name, md) in enumerate(extra):
        views.append((f"s{i}", f'<h2>{_e(name)}</h2><div class="md" dir="auto">{_markdown(md)}</div>'))
    if figs[1:]:
        views.append(("plots", "<h2>Plots</h2>" + "".join(_figure(*f) for f in figs[1:])))
    links = "".join(f'<a href="#{_e(i)}" dir="auto">{_e(label)}</a>' for i, label in nav)
    body = "".join(f'<section class="view" id="{_e(i)}">{content}</section>' for i, content in views)
    sub = f"{len(board.systems)} systems × {len(board.tasks)} tasks" + (f" · {created}" if created else "")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body><header><h1>{_e(title)}</h1><p class=\"sub\">{_e(sub)}</p>"
            f"</header><nav>{links}</nav><main>{body}</main><script>{JS}</script></body></html>\n")  # fmt: skip


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
