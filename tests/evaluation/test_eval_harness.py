"""evaluate() end-to-end on tiny in-test models and a few real items from ../shared."""

from __future__ import annotations

import json
import socket

import pytest

from aimm_nlp.errors import ModelError
from aimm_nlp.evaluation import evaluate
from aimm_nlp.evaluation.cache import ResultCache
from aimm_nlp.testing import DummyModel

LM_EVAL_KEYS = {"results", "versions", "configs", "n-shot", "higher_is_better", "n-samples"}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network call attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_causal_lm_tasks_on_real_items_without_network(shared, causal, nllb_seed_rows, no_network, tmp_path):
    from aimm_nlp.evaluation.task import load_task

    gen = load_task("nllb_seed_eng_ary")  # shorter generations keep the test fast
    gen = type(gen)(
        **{
            **gen.__dict__,
            "config": {**gen.config, "generation_kwargs": {"until": ["\n"], "max_gen_toks": 8}},
        }
    )
    res = evaluate(causal, ["ary_sentiment", "flores_ary_Arab_bpb", gen], limit=4, bootstrap_iters=50)
    assert set(res.scores) == {"ary_sentiment", "flores_ary_Arab_bpb", "nllb_seed_eng_ary"}
    bpb = res.scores["flores_ary_Arab_bpb"]["bits_per_byte"]
    assert 0 < bpb < 20  # a random 400-token model: several bits per byte
    samples = res.samples["flores_ary_Arab_bpb"]
    assert bpb == pytest.approx(
        -sum(s["ll"] for s in samples) / sum(s["bytes"] for s in samples) / 0.6931471805599453
    )
    assert len(res.samples["ary_sentiment"][0]["lls"]) == 3
    # chrF/BLEU equal sacrebleu's on the model's own greedy outputs for the first 4 rows of the TSV
    import sacrebleu

    rows = nllb_seed_rows[:4]
    prompts = [f"English: {r['eng_Latn']}\nDarija:" for r in rows]
    outs = dict(causal.generate(prompts, until=["\n"], max_gen_toks=8))
    preds, refs = [outs[i] for i in range(4)], [r["ary_Arab"] for r in rows]
    assert all(preds)  # empty outputs would score 0 whatever the metric did
    assert [s["pred"] for s in res.samples["nllb_seed_eng_ary"]] == preds
    assert res.scores["nllb_seed_eng_ary"]["chrf"] == pytest.approx(
        sacrebleu.corpus_chrf(preds, [refs]).score
    )
    assert res.scores["nllb_seed_eng_ary"]["bleu"] == pytest.approx(
        sacrebleu.corpus_bleu(preds, [refs]).score
    )
    path = res.write(tmp_path / "run.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert LM_EVAL_KEYS <= set(data)
    row = data["results"]["flores_ary_Arab_bpb"]
    assert row["bits_per_byte,none"] == bpb and len(row["bits_per_byte_ci95,none"]) == 2
    prov = data["provenance"]
    assert len(prov["data_sha256"]["ary_sentiment"]) == 64 and len(prov["model"]["weights_sha256"]) == 64
    assert prov["prompt_template_sha256"]["nllb_seed_eng_ary"] and prov["packages"]["torch"]
    assert data["n-samples"]["ary_sentiment"] == {"original": 2509, "effective": 4}
    lines = (tmp_path / "run.samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and json.loads(lines[0])["task"] == "ary_sentiment"


def test_encoder_classifier_and_token_classifier(shared, tok):
    from aimm_nlp.evaluation import wrap_model
    from aimm_nlp.testing import tiny_classifier, tiny_token_classifier

    clf = wrap_model(tiny_classifier(tok, ["negative", "neutral", "positive"]), tok)
    res = evaluate(clf, ["ary_sentiment"], limit=6, bootstrap_iters=0)
    preds = [s["pred"] for s in res.samples["ary_sentiment"]]
    assert set(preds) <= {"negative", "neutral", "positive"}
    assert (
        res.scores["ary_sentiment"]["acc"]
        == sum(s["pred"] == s["gold"] for s in res.samples["ary_sentiment"]) / 6
    )
    tags = ["NOUN", "V", "PREP", "PRON", "EOS"]
    tagger = wrap_model(tiny_token_classifier(tok, tags), tok)
    res = evaluate(tagger, ["qcri_pos_mgr"], limit=3, bootstrap_iters=0)
    for s in res.samples["qcri_pos_mgr"]:
        assert len(s["pred"]) == len(s["ref"]) == len(s["request"]) and set(s["pred"]) <= set(tags)


def test_pipeline_task_scores_aimm_text_function(shared, no_network):
    res = evaluate(None, ["script_id"], limit=200, bootstrap_iters=100)
    assert res.scores["script_id"]["acc"] > 0.95  # dominant_script reproduces the build script's column
    lo, hi = res.ci95["script_id"]["acc"]
    assert lo <= res.scores["script_id"]["acc"] <= hi


def test_langid_pipeline_scores_identify_above_a_floor(shared, no_network):
    res = evaluate(None, ["langid_moroccan"], limit=200, bootstrap_iters=0)
    assert res.n_samples["langid_moroccan"]["effective"] == 200
    # measured: acc 0.99, macro F1 0.988 on these 200 items (0.996 / 0.994 on all 17,445); the
    # majority class is 25 %. Floors leave margin for small changes to the identifier, not a collapse.
    assert res.scores["langid_moroccan"]["acc"] >= 0.95
    assert res.scores["langid_moroccan"]["f1"] >= 0.93
    preds = {s["pred"] for s in res.samples["langid_moroccan"]}
    assert preds >= {"ary_Arab", "ary_Latn", "arb_Arab", "fra_Latn", "eng_Latn", "zgh_Tfng", "ber_Latn"}


def test_wrong_model_kind_is_a_model_error(shared, tok):
    from aimm_nlp.evaluation import wrap_model
    from aimm_nlp.testing import tiny_classifier

    clf = wrap_model(tiny_classifier(tok, ["a", "b"]), tok)
    with pytest.raises(ModelError, match="needs a causal_lm model"):
        evaluate(clf, ["flores_ary_Arab_bpb"], limit=2)
    with pytest.raises(ModelError, match="lack"):
        evaluate(clf, ["ary_sentiment"], limit=2)


def test_kill_and_resume_recomputes_nothing_finished(shared, tmp_path):
    db = tmp_path / "cache.sqlite"
    killed = DummyModel(fail_after=70)
    with pytest.raises(KeyboardInterrupt):
        evaluate(killed, ["flores_ary_Arab_bpb"], limit=100, cache=db)
    assert killed.calls == 71
    cached = ResultCache(db).db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert cached == 70  # every finished item was committed before the kill
    resumed = DummyModel()
    res = evaluate(resumed, ["flores_ary_Arab_bpb"], limit=100, cache=db, bootstrap_iters=0)
    assert resumed.calls == 30
    fresh = evaluate(DummyModel(), ["flores_ary_Arab_bpb"], limit=100, bootstrap_iters=0)
    assert res.scores == fresh.scores
    warm = DummyModel()
    evaluate(warm, ["flores_ary_Arab_bpb"], limit=100, cache=db, bootstrap_iters=0)
    assert warm.calls == 0


def test_cache_key_changes_with_the_task_config(shared, tmp_path):
    from aimm_nlp.evaluation.task import load_task

    db = tmp_path / "c.sqlite"
    task = load_task("flores_ary_Arab_bpb")
    evaluate(DummyModel(), [task], limit=5, cache=db, bootstrap_iters=0)
    changed = type(task)(**{**task.__dict__, "config": {**task.config, "doc_to_target": "{{text}} "}})
    model = DummyModel()
    evaluate(model, [changed], limit=5, cache=db, bootstrap_iters=0)
    assert model.calls == 5


KILLED_RUN = """
import os, signal, sys
from aimm_nlp.evaluation import evaluate
from aimm_nlp.testing import DummyModel

class KilledAt(DummyModel):
    def score_rolling(self, texts):
        for n, item in enumerate(super().score_rolling(texts), 1):
            if n == int(sys.argv[2]):  # items 1..N-1 were handed over; item N never is
                os.kill(os.getpid(), signal.SIGKILL)
            yield item

evaluate(KilledAt(), ["flores_ary_Arab_bpb"], limit=400, cache=sys.argv[1], bootstrap_iters=0)
"""


def test_sigkill_mid_run_then_resume(shared, tmp_path):
    import signal
    import subprocess
    import sys

    db = tmp_path / "cache.sqlite"
    # the child SIGKILLs itself when asked for item 150: 149 are done, and the harness commits
    # every 64 (flush_every in evaluate), so exactly 128 survive; no finally block runs
    proc = subprocess.run([sys.executable, "-c", KILLED_RUN, str(db), "150"], timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL
    kept = ResultCache(db).db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert kept == 128
    resumed = DummyModel()
    res = evaluate(resumed, ["flores_ary_Arab_bpb"], limit=400, cache=db, bootstrap_iters=0)
    assert resumed.calls == 400 - kept
    assert res.scores == evaluate(DummyModel(), ["flores_ary_Arab_bpb"], limit=400, bootstrap_iters=0).scores


def _protocol_methods(proto) -> list[str]:
    return [n for n, v in vars(proto).items() if callable(v) and not n.startswith("_")]


@pytest.mark.parametrize(
    ("cls", "protocols"),
    [
        ("testing:DummyModel", ["ChoiceScorer", "RollingScorer", "Generator", "Classifier", "Tagger"]),
        ("evaluation.backends.causal:CausalLM", ["ChoiceScorer", "RollingScorer", "Generator"]),
        ("evaluation.backends.encoders:EncoderClassifier", ["Classifier"]),
        ("evaluation.backends.encoders:TokenClassifier", ["Tagger"]),
        ("evaluation.backends.encoders:Seq2SeqLM", ["Generator"]),
        ("evaluation.backends.baselines:Baseline", ["Classifier", "Tagger"]),
    ],
)
def test_shipped_backends_have_the_methods_of_their_protocols(cls, protocols):
    """Each backend has a kind and every method of the request protocols it answers, same parameters."""
    import importlib
    import inspect

    from aimm_nlp.evaluation.backends import base

    module, _, name = cls.partition(":")
    backend = getattr(importlib.import_module(f"aimm_nlp.{module}"), name)
    assert isinstance(vars(backend).get("kind"), str) or "kind" in backend.__annotations__  # set per instance
    for proto in (getattr(base, p) for p in protocols):
        assert _protocol_methods(proto), proto
        for method in _protocol_methods(proto):
            want = list(inspect.signature(getattr(proto, method)).parameters)
            assert list(inspect.signature(getattr(backend, method)).parameters) == want, (name, method)


@pytest.mark.parametrize(
    ("model", "is_backend"),
    [
        (DummyModel(), True),
        (DummyModel(labels=["pos", "neg"]), True),
        ("a/model/folder", False),
        (None, False),
    ],
)
def test_a_backend_is_told_from_a_folder_by_its_kind(model, is_backend):
    from aimm_nlp.evaluation.backends import Backend

    assert isinstance(model, Backend) is is_backend
