"""The results cache is keyed by every model file (issue 24): two folders with the same weights and a
different config.json never share cache entries, and the provenance holds plain per-file sha256 digests."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import pytest
from test_eval_vs_lmeval import ITEMS, TEXTS  # the Darija/Arabizi/Tifinagh items compared with lm-eval

from ci_support import require


@pytest.fixture(scope="module")
def twin_folders(tmp_path_factory, tok):
    """Two model folders: the same safetensors and tokenizer files, a config.json that differs in one key."""
    from aimm_nlp.testing import tiny_causal_lm

    root = tmp_path_factory.mktemp("twins")
    first = root / "rope-base"
    tiny_causal_lm(tok, seed=5, max_len=64).save_pretrained(first, safe_serialization=True)
    tok.save_pretrained(first)
    second = root / "rope-extended"
    shutil.copytree(first, second)
    cfg = json.loads((second / "config.json").read_text(encoding="utf-8"))
    cfg["rope_theta"] = 7.0  # a re-configured model: same weights, other positions
    cfg["rms_norm_eps"] = 0.5
    (second / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    return first, second


def _rows(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    finally:
        db.close()


def test_same_weights_other_config_is_another_cache_entry(twin_folders, tmp_path):
    from aimm_nlp.evaluation import evaluate

    first, second = twin_folders
    assert (first / "model.safetensors").read_bytes() == (second / "model.safetensors").read_bytes()
    cache = tmp_path / "eval.sqlite"
    kw = {"limit": 4, "bootstrap_iters": 0, "cache": cache}
    a = evaluate(str(first), ["mini_ary_Arab_bpb"], **kw)
    n = _rows(cache)
    assert n > 0
    b = evaluate(str(second), ["mini_ary_Arab_bpb"], **kw)
    assert _rows(cache) == 2 * n, "the second model was served the first model's cached scores"
    again = evaluate(str(first), ["mini_ary_Arab_bpb"], **kw)
    assert _rows(cache) == 2 * n  # the same model, same settings: every item is a hit
    ll = [[s["ll"] for s in r.samples["mini_ary_Arab_bpb"]] for r in (a, b, again)]
    assert ll[0] == ll[2] and ll[0] != ll[1]
    pa, pb = (r.provenance["model"] for r in (a, b))
    assert pa["files_sha256"]["config.json"] != pb["files_sha256"]["config.json"]
    assert pa["files_sha256"]["model.safetensors"] == pb["files_sha256"]["model.safetensors"]
    assert pa["model_path"] == str(first.resolve()) and pb["model_path"] == str(second.resolve())


def test_provenance_digests_are_plain_sha256_of_each_file(twin_folders, tmp_path):
    from aimm_nlp.evaluation import evaluate

    first, _ = twin_folders
    res = evaluate(str(first), ["mini_ary_Arab_bpb"], limit=2, bootstrap_iters=0, cache=None)
    path = res.write(tmp_path / "run.json")
    model = json.loads(path.read_text(encoding="utf-8"))["provenance"]["model"]
    files = sorted(p for p in first.iterdir() if p.is_file())
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in files}
    assert model["files_sha256"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert model["dtype"] == "float32" and model["softmax_dtype"] == "float32"
    assert model["device_type"] == "cpu" and model["max_length"] == 64


def test_each_twin_scores_like_lm_eval(twin_folders):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from aimm_nlp.evaluation.backends import load_model

    scores = []
    for folder in twin_folders:
        ours = load_model(folder)
        ref = HFLM(pretrained=str(folder), batch_size=4, max_length=64, device="cpu", dtype="float32")
        reqs = [Instance(request_type="loglikelihood_rolling", doc={}, arguments=(t,), idx=0) for t in TEXTS]
        theirs = ref.loglikelihood_rolling(reqs, disable_tqdm=True)
        mine = dict(ours.score_rolling(TEXTS))
        assert [mine[i] for i in range(len(TEXTS))] == pytest.approx(theirs, abs=1e-4)
        pairs = [(ctx, cont) for ctx, conts in ITEMS for cont in conts]
        reqs = [Instance(request_type="loglikelihood", doc={}, arguments=p, idx=0) for p in pairs]
        their_ll = [ll for ll, _ in ref.loglikelihood(reqs, disable_tqdm=True)]
        choices = dict(ours.score_choices(ITEMS))
        my_ll = [v[0] for i in range(len(ITEMS)) for v in choices[i]]
        assert my_ll == pytest.approx(their_ll, abs=1e-4)
        scores.append(theirs + their_ll)
    assert scores[0] != scores[1]  # lm-eval reads config.json too: the twins are different models


def test_dtype_and_softmax_dtype_are_cache_key_and_provenance(twin_folders, tmp_path):
    """Each precision is its own cache entry (never served another precision's scores) and is recorded."""
    from aimm_nlp.evaluation import evaluate

    cache = tmp_path / "eval.sqlite"
    seen, lls = [], []
    for dtype, softmax in [("auto", None), ("auto", "float64"), ("float64", "float64"), ("bfloat16", None)]:
        res = evaluate(
            str(twin_folders[0]), ["mini_ary_Arab_bpb"], limit=3, bootstrap_iters=0, cache=cache,
            dtype=dtype, softmax_dtype=softmax,
        )  # fmt: skip
        seen.append(_rows(cache))
        model = res.provenance["model"]
        assert model["dtype"] == ("float32" if dtype == "auto" else dtype)
        assert model["softmax_dtype"] == (softmax or "float32")
        lls.append([s["ll"] for s in res.samples["mini_ary_Arab_bpb"]])
    assert seen == [3, 6, 9, 12], "a run with another precision was served cached scores"
    assert lls[0] != lls[3]  # bfloat16 moves the scores: a shared entry would have hidden it
    assert lls[1] == pytest.approx(lls[2], abs=1e-3)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"dtype": "float8"}, ["dtype='float8'"]),
        ({"dtype": "fp32"}, ["dtype='fp32'"]),
        ({"softmax_dtype": "bfloat16"}, ["softmax_dtype='bfloat16'"]),
        ({"dtype": "", "softmax_dtype": "float16"}, ["dtype=''", "softmax_dtype='float16'"]),
        ({"dtype": None, "limit": 0}, ["limit=0", "dtype=None"]),
    ],
)
def test_bad_precision_options_are_refused_all_at_once(kw, expected):
    from aimm_nlp.errors import ConfigError
    from aimm_nlp.evaluation import evaluate

    with pytest.raises(ConfigError) as err:
        evaluate("no/such/model", ["mini_ary_Arab_bpb"], **kw)
    for part in expected:
        assert part in str(err.value)


def test_cli_dtype_options_reach_the_results(twin_folders, tmp_path, capsys):
    from aimm_nlp.cli import main

    out = tmp_path / "run.json"
    args = ["eval", "--model", str(twin_folders[1]), "--tasks", "mini_ary_Arab_bpb", "--limit", "2",
            "--output", str(out), "--no-cache", "--bootstrap-iters", "0",
            "--dtype", "float64", "--softmax-dtype", "float64"]  # fmt: skip
    assert main(args) == 0
    model = json.loads(out.read_text(encoding="utf-8"))["provenance"]["model"]
    assert (model["dtype"], model["softmax_dtype"]) == ("float64", "float64")
    assert model["model_path"] == str(twin_folders[1].resolve())
    bad_out = tmp_path / "bad.json"
    bad = [
        *args[:6],
        "0",
        "--output",
        str(bad_out),
        "--no-cache",
        "--dtype",
        "float8",
        "--softmax-dtype",
        "fp64",
    ]
    assert main(bad) == 2 and not bad_out.exists()
    err = capsys.readouterr().err
    for part in ("--limit '0'", "--dtype 'float8'", "--softmax-dtype 'fp64'"):
        assert part in err  # every bad option at once
