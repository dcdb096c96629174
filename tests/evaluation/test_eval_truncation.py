"""Requests longer than the model window: the task's ``truncation`` policy, counted, never over the window."""

from __future__ import annotations

import json

import pytest
import torch

from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.evaluation import evaluate, wrap_model
from aimm_nlp.evaluation.task import load_task
from aimm_nlp.evaluation.validation import validate_task_file

WINDOW = 16
LONG = " واش نتا مزيااااان؟ الحمد لله، كلشي بخير salam labas 3lik ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ 😂😂" * 3
SHORT_DOCS = [{"text": "salam", "label": 0}, {"text": "واش", "label": 1}]
LONG_CTX_DOCS = [*SHORT_DOCS, {"text": LONG, "label": 0}, {"text": "ⴰⵣⵓⵍ" + LONG, "label": 1}]


def _task(tmp_path, docs, choices, truncation=None, *, extra=""):
    (tmp_path / "data.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    path = tmp_path / "window.yaml"
    path.write_text(
        "task: window\noutput_type: multiple_choice\ndataset_path: json\n"
        "dataset_kwargs:\n  data_files:\n    test: data.jsonl\n"
        f"doc_to_text: text\ndoc_to_target: label\ndoc_to_choice: {json.dumps(choices, ensure_ascii=False)}\n"
        "metric_list:\n  - metric: acc\n" + (f"truncation: {truncation}\n" if truncation else "") + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def small(tok):
    """A backend with a 16-token window whose forward passes record each row's real length."""
    from aimm_nlp.testing import tiny_causal_lm

    backend = wrap_model(tiny_causal_lm(tok, seed=0), tok, max_length=WINDOW)
    assert backend.pad == tok.pad_token_id  # <pad>, which no text encodes to: real length = last non-pad + 1
    lengths: list[int] = []
    forward = backend._forward

    def recording(ids, **kwargs):
        mask = kwargs.get("attention_mask")
        if mask is not None:  # context from the KV cache + the continuation tokens of this pass
            lengths.extend(int(n) for n in mask.sum(-1))
        else:
            lengths.extend(
                max((i + 1 for i, t in enumerate(row.tolist()) if t != backend.pad), default=0) for row in ids
            )
        return forward(ids, **kwargs)

    backend._forward = recording
    backend.lengths = lengths
    return backend


def _never_pad(backend, texts):
    for text in texts:
        assert backend.pad not in backend.encode(text), "the recording pad id occurs in the test text"


@pytest.mark.parametrize("truncation", [None, "left", "error"])
def test_continuation_longer_than_window_is_refused(small, tmp_path, truncation):
    assert len(small.encode(LONG, add_special_tokens=False)) > WINDOW
    task = _task(tmp_path, SHORT_DOCS, ["iyeh", LONG.strip()], truncation)
    with pytest.raises(DataError, match=r"task window: doc 0: continuation of \d+ tokens is longer than"):
        evaluate(small, [str(task)], bootstrap_iters=0)
    assert small.lengths == []  # refused before any forward pass


def test_left_cuts_the_context_only_counts_it_and_stays_in_the_window(small, tmp_path):
    _never_pad(small, [d["text"] + c for d in LONG_CTX_DOCS for c in (" iyeh", " la")])
    task = _task(tmp_path, LONG_CTX_DOCS, ["iyeh", "la"], "left")
    res = evaluate(small, [str(task)], bootstrap_iters=0)
    assert res.n_truncated == {"window": 2}
    assert res.to_dict()["n-truncated"] == {"window": 2}
    assert res.to_dict()["n-samples"]["window"] == {"original": 4, "effective": 4}  # lm-eval's keys kept
    assert small.lengths and max(small.lengths) <= WINDOW
    # each score equals lm-eval's: the last window+1 tokens of context + continuation, continuation whole
    for doc, sample in zip(LONG_CTX_DOCS, res.samples["window"], strict=True):
        for cont, ll in zip((" iyeh", " la"), sample["lls"], strict=True):
            ctx = small.encode(doc["text"])
            enc = small.encode(doc["text"] + cont)[len(ctx) :]
            inp = torch.tensor([(ctx + enc)[-(WINDOW + 1) :][:-1]])
            with torch.no_grad():
                lp = torch.log_softmax(small.model(inp).logits.double(), -1)[0]
            want = float(lp[-len(enc) :].gather(-1, torch.tensor(enc)[:, None]).sum())
            assert ll == pytest.approx(want, abs=1e-4)


def test_default_is_left_as_lm_eval(small, tmp_path):
    res = evaluate(small, [str(_task(tmp_path, LONG_CTX_DOCS, ["iyeh", "la"]))], bootstrap_iters=0)
    assert res.n_truncated == {"window": 2}


def test_error_refuses_a_context_that_does_not_fit(small, tmp_path):
    task = _task(tmp_path, LONG_CTX_DOCS, ["iyeh", "la"], "error")
    with pytest.raises(DataError, match=r"task window: doc 2: .*truncation: error"):
        evaluate(small, [str(task)], bootstrap_iters=0)
    assert small.lengths == []


def test_requests_that_fit_are_not_counted(small, tmp_path):
    res = evaluate(small, [str(_task(tmp_path, SHORT_DOCS, ["iyeh", "la"], "error"))], bootstrap_iters=0)
    assert res.n_truncated == {"window": 0}


@pytest.mark.parametrize("text", [LONG * 3, "ⴰ" * 200, "😂" * 100, "a"])
def test_rolling_windows_never_exceed_the_window(small, text):
    _never_pad(small, [text])
    dict(small.score_rolling([text]))
    assert max(small.lengths) <= WINDOW


@pytest.mark.parametrize("value", ["right", "Left", "", 3, ["left"], True])
def test_bad_truncation_value_is_listed(tmp_path, value):
    task = _task(tmp_path, SHORT_DOCS, ["iyeh", "la"], json.dumps(value, ensure_ascii=False))
    errors = validate_task_file(task)
    assert any("truncation:" in e and "left, error" in e for e in errors), errors
    with pytest.raises(ConfigError, match="truncation"):
        load_task(str(task))


def _gen_task(tmp_path, docs, truncation, max_gen_toks):
    path = _task(tmp_path, docs, ["iyeh", "la"], truncation)
    text = path.read_text(encoding="utf-8").replace("multiple_choice", "generate_until")
    text = text.replace("metric: acc", "metric: exact_match").replace(
        "doc_to_target: label", "doc_to_target: text"
    )
    path.write_text(
        text + f"generation_kwargs:\n  until: ['\\n']\n  max_gen_toks: {max_gen_toks}\n", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(("truncation", "max_gen_toks", "cut"), [("left", 4, 2), (None, 4, 2), (None, 1, 2)])
def test_generation_prompt_leaves_room_for_max_gen_toks(small, tmp_path, truncation, max_gen_toks, cut):
    seen: list[int] = []
    generate = small.model.generate

    def recording(**kwargs):
        seen.extend(int(n) + kwargs["max_new_tokens"] for n in kwargs["attention_mask"].sum(-1))
        return generate(**kwargs)

    small.model.generate = recording
    res = evaluate(
        small, [str(_gen_task(tmp_path, LONG_CTX_DOCS, truncation, max_gen_toks))], bootstrap_iters=0
    )
    assert res.n_truncated == {"window": cut}
    assert seen and max(seen) <= WINDOW


@pytest.mark.parametrize(("docs", "truncation", "max_gen_toks", "doc"), [
    (LONG_CTX_DOCS, "error", 4, 2),  # the policy refuses a cut prompt
    (SHORT_DOCS, "left", WINDOW, 0),  # max_gen_toks fills the window: no room for any prompt
])  # fmt: skip
def test_generation_refused(small, tmp_path, docs, truncation, max_gen_toks, doc):
    with pytest.raises(DataError, match=rf"task window: doc {doc}: prompt \+ max_gen_toks is longer"):
        evaluate(small, [str(_gen_task(tmp_path, docs, truncation, max_gen_toks))], bootstrap_iters=0)


@pytest.mark.parametrize(("choices", "truncation", "message"), [
    (["iyeh", LONG.strip()], None, "doc 0: continuation of"),  # a continuation over the window, default policy
    (["iyeh", "la"], "error", "doc 2: context + continuation is longer"),  # the policy refuses the cut
])  # fmt: skip
def test_cli_exits_2_naming_task_and_doc_and_writes_nothing(
    tok, tmp_path, capsys, choices, truncation, message
):
    from aimm_nlp.cli import main
    from aimm_nlp.testing import tiny_causal_lm

    model = tmp_path / "llm"
    tiny_causal_lm(tok, max_len=WINDOW).save_pretrained(model)
    tok.save_pretrained(model)
    task = _task(tmp_path, LONG_CTX_DOCS, choices, truncation)
    out = tmp_path / "r.json"
    assert (
        main(["eval", "--model", str(model), "--tasks", str(task), "--output", str(out), "--no-cache"]) == 2
    )
    err = capsys.readouterr().err
    assert "aimm eval: error: task window: " + message in err
    assert not out.exists()
