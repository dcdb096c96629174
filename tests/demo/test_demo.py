"""`aimm demo` end to end with small settings: artifacts, report sections and images."""

import json
import re
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    from aimm_nlp.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    messages: list[str] = []
    result = run_demo(out=out, limit=4, max_steps=3, vocab_size=1500, progress=False, log=messages.append)
    return result, messages


def test_every_step_leaves_a_reusable_artifact(demo_run) -> None:
    result, messages = demo_run
    assert len(messages) == 5 and messages[-1].endswith(str(result.report_html))
    assert (result.corpus_dir / "manifest.json").is_file()
    assert (result.tokenizer_dir / "tokenizer.json").is_file()
    for model_dir in result.run_dirs.values():
        assert (Path(model_dir) / "config.json").is_file()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(result.tokenizer_dir)
    text = "واش نتا مزيان؟ ana ghadi l réunion ⴰⵣⵓⵍ"
    assert tok.decode(tok(text)["input_ids"], skip_special_tokens=True) == text


def test_results_cover_models_and_baselines(demo_run) -> None:
    result, _ = demo_run
    assert {
        "tiny_classifier",
        "tiny_causal_lm",
        "baseline_majority",
        "baseline_char_ngram",
        "pipelines",
    } <= set(result.results)
    classifier = json.loads(result.results["tiny_classifier"].read_text("utf-8"))
    assert "mini_ary_sentiment_Arab" in classifier["results"]
    assert "mini_ary_sentiment_Latn" in classifier["results"]
    lm = json.loads(result.results["tiny_causal_lm"].read_text("utf-8"))
    assert "mini_zgh_Tfng_bpb" in lm["results"]
    gen = json.loads(result.results["tiny_causal_lm_generation"].read_text("utf-8"))
    assert {n["effective"] for n in gen["n-samples"].values()} == {4}  # only generation is cut to `limit`
    assert (
        lm["n-samples"]["mini_zgh_Tfng_bpb"]["effective"] == lm["n-samples"]["mini_zgh_Tfng_bpb"]["original"]
    )


def test_html_report_has_sections_and_images(demo_run) -> None:
    result, _ = demo_run
    assert result.report_html.name == "leaderboard.html"
    page = result.report_html.read_text("utf-8")
    views = re.findall(r'<section class="view" id="(.*?)"><h2>(.*?)</h2>', page)
    titles = [t for _, t in views]
    for title in (
        "Tasks",
        "Runs and provenance",
        "How this was run",
        "Corpus",
        "Tokenizer fairness",
        "Plots",
    ):
        assert title in titles
    assert "What this shows" in page.split('id="g-')[0]  # the story opens the overview
    images = re.findall(r'<img src="(.*?)"', page)
    assert len(images) == 3 and all(src.startswith("data:image/png;base64,") for src in images)
    rows = re.findall(r'<tr data-system="(.*?)"', page.split('id="g-')[0])
    assert rows == [
        "tiny_classifier",
        "tiny_causal_lm",
        "baseline_majority",
        "baseline_char_ngram",
        "pipelines",
    ]
    assert "not run: a sequence classifier: it cannot generate text" in page  # n/a with the reason
    assert "word_perplexity" not in page.split('id="g-')[0]  # no word-perplexity headline
    assert "mini_ary_sentiment_Latn" in result.leaderboard


def test_morocco_suite_on_the_finetuned_model_with_gate(demo_run, shared: Path, tmp_path: Path) -> None:
    from aimm_nlp.cli import main

    result, _ = demo_run
    model = str(result.run_dirs["classifier"])
    out = tmp_path / "morocco.json"
    argv = ["eval", "--model", model, "--suite", "morocco", "--data", str(shared), "--limit", "5"]
    assert main([*argv, "--output", str(out)]) == 0
    data = json.loads(out.read_text("utf-8"))
    assert {"ary_sentiment_Arab", "ary_sentiment_Latn"} <= set(data["results"])  # both scripts, side by side
    assert any("needs a" in s["reason"] for s in data["skipped"])  # bpb etc. skipped with a reason
    # gate: equal to itself passes; a baseline 0.5 higher on one metric fails with exit 1
    assert main([*argv, "--output", str(tmp_path / "again.json"), "--baseline", str(out)]) == 0
    better = json.loads(out.read_text("utf-8"))
    metrics = better["results"]["ary_sentiment_Arab"]
    key = next(k for k in metrics if k.startswith("acc") and "stderr" not in k and "ci" not in k)
    metrics[key] = float(metrics[key]) + 0.5
    base = tmp_path / "better.json"
    base.write_text(json.dumps(better), "utf-8")
    assert (
        main([*argv, "--output", str(tmp_path / "gated.json"), "--baseline", str(base), "--max-drop", "0.01"])
        == 1
    )
