"""Issue 22 acceptance in a real browser: a report from the fixture results, rendered by headless chromium
at 1366x768 (the demo's own report: tests/demo/test_demo_report_browser.py, slow)."""

from __future__ import annotations

import json

import pytest
from leaderboard_samples import SCORES, write_suite

from aimm_nlp.report import report
from browser_support import WIDTH, check_page, render, screenshot


def _eight_by_twelve(folder):
    """8 systems x 12 tasks with long names: the largest board the page must show without scrolling."""
    tasks = [f"mini_translation_eng_zgh_variant_{i}" for i in range(12)]
    paths = []
    for k in range(8):
        results = {
            t: {"chrf,none": 10.0 + k + i, "chrf_ci95,none": [9.0 + k, 12.0 + k + i]}
            for i, t in enumerate(tasks)
        }
        doc = {"schema_version": 1, "results": results, "lang": {t: "zgh_Tfng" for t in tasks},
               "higher_is_better": {t: {"chrf": True} for t in tasks},
               "configs": {t: {"output_type": "generate_until", "primary_metric": "chrf"} for t in tasks}}  # fmt: skip
        path = folder / f"system_with_a_long_name_{k}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(path)
    return paths


def test_fixture_report_in_chromium(tmp_path):
    page = report(write_suite(tmp_path), out=tmp_path / "rep", baseline="bert")["html"]
    probe = check_page(page, list(SCORES))
    assert {"overview", "g-ary_Arab", "g-ary_Latn", "g-zgh_Tfng", "g-multi", "tasks", "runs"} <= set(
        probe["views"]
    )
    assert screenshot(page, tmp_path / "overview.png") == (WIDTH, 768)
    assert screenshot(page, tmp_path / "zgh.png", "#g-zgh_Tfng") == (WIDTH, 768)


def test_eight_systems_by_twelve_tasks_fit_1366_px(tmp_path):
    paths = _eight_by_twelve(tmp_path)
    page = report(paths, out=tmp_path / "rep", baseline="system_with_a_long_name_0")["html"]
    probe, _ = render(page)
    assert probe["rows"]["overview"] == [p.stem for p in paths]
    for view, m in probe["views"].items():
        assert m["scrollWidth"] <= WIDTH, (view, m)


def test_the_probe_sees_a_page_wider_than_the_screen(tmp_path):
    """The overflow check can fail: the pre-issue-22 layout (one column per run, unwrapped) scrolls."""
    page = report(write_suite(tmp_path), out=tmp_path / "rep")["html"]
    wide = page.read_text("utf-8").replace("table-layout:fixed", "table-layout:auto;white-space:nowrap")
    page.write_text(wide.replace("<main>", '<main><div style="width:1600px">x</div>'), "utf-8")
    probe, _ = render(page)
    assert probe["views"]["overview"]["scrollWidth"] > WIDTH


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_chromium_fails_under_ci_and_skips_only_locally(monkeypatch, ci, outcome):
    import browser_support

    monkeypatch.setattr(browser_support.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium is not installed"):
        browser_support.chromium()
