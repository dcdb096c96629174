"""Render a report in a real headless browser (Debian's ``chromium``, installed by ``.ci/run``).

:func:`render` copies the page beside itself with a probe script that, on load, shows each view in
turn and writes what it measured into the DOM (``<pre id="aimm-probe">`` JSON): the document's
scroll width per view, every image's ``naturalWidth``, the leaderboard rows. ``--dump-dom`` with a
virtual-time budget reads it back; ``--screenshot`` takes a 1366x768 picture. A missing chromium
FAILS under ``CI=true`` and skips only locally (:mod:`ci_support`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ci_support import under_ci

WIDTH, HEIGHT = 1366, 768

PROBE = """<script>
window.addEventListener('load', function () {
  var out = {views: {page: {scrollWidth: document.documentElement.scrollWidth,
                            clientWidth: document.documentElement.clientWidth}}, images: [], rows: {}};
  var views = Array.prototype.slice.call(document.querySelectorAll('.view'));
  views.forEach(function (v) {
    views.forEach(function (w) { w.hidden = (w !== v); });
    out.views[v.id] = {scrollWidth: document.documentElement.scrollWidth,
                       clientWidth: document.documentElement.clientWidth};
    var board = v.querySelector('table.board');
    if (board) out.rows[v.id] = Array.prototype.map.call(board.tBodies[0].rows,
        function (r) { return r.dataset.system; });
  });
  document.querySelectorAll('img').forEach(function (img) {
    out.images.push({alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth});
  });
  var board = document.querySelector('#overview table.board');  // sort by the aggregate: one click
  if (board) {
    board.tHead.rows[0].cells[1].click();
    out.sorted = Array.prototype.map.call(board.tBodies[0].rows, function (r) { return r.dataset.system; });
  }
  var pre = document.createElement('pre');
  pre.id = 'aimm-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium() -> str:
    """The browser's path; FAILS under ``CI=true`` when it is missing, skips otherwise."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    msg = "chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
    if under_ci():
        pytest.fail(msg)
    pytest.skip(msg)


def _run(args: list[str]) -> str:
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--disable-extensions", f"--window-size={WIDTH},{HEIGHT}"]  # fmt: skip
    proc = subprocess.run([*base, *args], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def render(page: Path) -> tuple[dict, str]:
    """(probe measurements, dumped DOM) of ``page`` at 1366 px."""
    probed = page.with_name(f"probed_{page.name}")
    probed.write_text(page.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    dom = _run(["--virtual-time-budget=10000", "--dump-dom", probed.resolve().as_uri()])
    probed.unlink()
    found = re.search(r'<pre id="aimm-probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe script did not run: " + dom[-500:]
    return json.loads(html.unescape(found.group(1))), dom


def screenshot(page: Path, png: Path, fragment: str = "") -> tuple[int, int]:
    """Screenshot ``page`` (``#fragment`` picks a view) at 1366x768; returns the PNG's size."""
    _run([f"--screenshot={png}", "--virtual-time-budget=5000", page.resolve().as_uri() + fragment])
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


ARABIC = re.compile(r"[\u0600-\u06ff]")
TIFINAGH = re.compile(r"[\u2d30-\u2d7f]")


def check_page(page: Path, systems: list[str]) -> dict:
    """The acceptance checks of issue 22 on a rendered report; returns the probe's measurements."""
    probe, dom = render(page)
    for view, m in probe["views"].items():
        assert m["scrollWidth"] <= WIDTH, f"view #{view} scrolls horizontally at {WIDTH} px: {m}"
    assert probe["rows"].get("overview") == systems, "one leaderboard row per system"
    assert probe["images"], "no image in the report"
    for img in probe["images"]:
        assert img["complete"] and img["naturalWidth"] > 0, f"image did not load: {img['alt']}"
    assert ARABIC.search(dom), "no Arabic-script text in the DOM"
    assert TIFINAGH.search(dom), "no Tifinagh text in the DOM"
    return probe
