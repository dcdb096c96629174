"""Issue 17: every numeric config field has a range checked before any folder is made; malformed data
lines (lone surrogates, TSV rows with extra fields or NUL bytes, a BOM) and unsafe or mismatched model
folders are refused with file/line or folder, exit 2, and no run folder."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from ft_helpers import LABELS, TINY, TWEETS, base_cfg, write_tsv

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.finetune import FinetuneConfig, finetune
from aimm_nlp.finetune.data import read_records


def _cls(tok_dir, train, tmp_path, **extra):
    extra = {"data__text_column": "tweet", "data__labels": LABELS, **extra}
    return base_cfg("sequence_classification", tok_dir, train, tmp_path / "run", **extra)


def _cli(tmp_path, raw, *overrides) -> int:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return main(["finetune", "--quiet", str(cfg), *overrides])


def _refused(tmp_path, capsys, raw, overrides, *needles) -> str:
    assert _cli(tmp_path, raw, *overrides) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "run").exists()
    return err


# --- numeric fields: (override, message) --------------------------------------------------------------

BAD_NUMBERS = [
    ("optim.lr=.nan", "optim.lr: must be in (0, 10], got nan"),
    ("optim.lr=.inf", "optim.lr: must be in (0, 10], got inf"),
    ("optim.lr=-.inf", "optim.lr: must be in (0, 10], got -inf"),
    ("optim.lr=nan", "optim.lr: must be in (0, 10], got nan"),
    ("optim.lr=0", "optim.lr: must be in (0, 10], got 0.0"),
    ("optim.lr=1e6", "optim.lr: must be in (0, 10], got 1000000.0"),
    ("optim.weight_decay=.nan", "optim.weight_decay: must be in [0, 10], got nan"),
    ("optim.weight_decay=-0.1", "optim.weight_decay: must be in [0, 10], got -0.1"),
    ("optim.eps=0", "optim.eps: must be in (0, 1], got 0.0"),
    ("optim.betas=[0.9, 1.5]", "optim.betas[1]: must be in [0, 1), got 1.5"),
    ("optim.betas=[.nan, 0.999]", "optim.betas[0]: must be in [0, 1), got nan"),
    ("optim.epochs=-1", "optim.epochs: must be in (0, 10**6], got -1.0"),
    ("optim.epochs=0", "optim.epochs: must be in (0, 10**6], got 0.0"),
    ("optim.epochs=.inf", "optim.epochs: must be in (0, 10**6], got inf"),
    ("optim.warmup_steps=-1", "optim.warmup_steps: must be in [0, 10**9], got -1"),
    ("optim.max_steps=0", "optim.max_steps: must be in [1, 10**9] or null, got 0"),
    ("optim.max_steps=1000000000000", "optim.max_steps: must be in [1, 10**9] or null, got 1000000000000"),
    ("optim.grad_accum=0", "optim.grad_accum: must be in [1, 65536], got 0"),
    ("optim.max_grad_norm=-1", "optim.max_grad_norm: must be in (0, 10**6] or null, got -1.0"),
    ("optim.max_grad_norm=.nan", "optim.max_grad_norm: must be in (0, 10**6] or null, got nan"),
    ("data.limit=-5", "data.limit: must be in [1, 10**9] or null, got -5"),
    ("data.limit=0", "data.limit: must be in [1, 10**9] or null, got 0"),
    ("data.max_length=1", "data.max_length: must be in [2, 2**20], got 1"),
    ("data.max_length=10000000", "data.max_length: must be in [2, 2**20], got 10000000"),
    ("data.max_tokens=100000000", "data.max_tokens: must be in [2, 2**24], got 100000000"),
    ("data.mlm_probability=1.0", "data.mlm_probability: must be in (0, 0.99], got 1.0"),
    ("data.mlm_probability=.nan", "data.mlm_probability: must be in (0, 0.99], got nan"),
    ("run.threads=-4", "run.threads: must be in [1, 1024] or null, got -4"),
    ("run.threads=0", "run.threads: must be in [1, 1024] or null, got 0"),
    ("run.threads=100000", "run.threads: must be in [1, 1024] or null, got 100000"),
    ("run.keep_checkpoints=-1", "run.keep_checkpoints: must be in [0, 10**6], got -1"),
    ("run.eval_every=-1", "run.eval_every: must be in [0, 10**9], got -1"),
    ("run.save_every=-10", "run.save_every: must be in [0, 10**9], got -10"),
    ("run.log_every=0", "run.log_every: must be in [1, 10**9], got 0"),
    ("run.early_stopping_patience=0", "run.early_stopping_patience: must be in [1, 10**6], got 0"),
    ("run.seed=-1", "run.seed: must be in [0, 2**32 - 1], got -1"),
    ("run.seed=4294967296", "run.seed: must be in [0, 2**32 - 1], got 4294967296"),
    ("model.lora.r=0", "model.lora.r: must be in [1, 4096], got 0"),
    ("model.lora.alpha=-16", "model.lora.alpha: must be in [1, 65536], got -16"),
    ("model.lora.dropout=1.5", "model.lora.dropout: must be in [0, 0.99], got 1.5"),
]


@pytest.mark.parametrize(("override", "message"), BAD_NUMBERS)
def test_out_of_range_number_exits_2_before_any_folder(
    tok_dir, data_dir, tmp_path, capsys, override, message
):
    _refused(tmp_path, capsys, _cls(tok_dir, data_dir / "tweets.tsv", tmp_path), [override], message)


def test_every_out_of_range_number_is_listed_at_once(tok_dir, data_dir, tmp_path):
    raw = _cls(tok_dir, data_dir / "tweets.tsv", tmp_path)
    overrides = [o for o, _ in BAD_NUMBERS if not o.startswith(("optim.lr=", "optim.betas"))]
    with pytest.raises(ConfigError) as info:
        FinetuneConfig.from_dict(raw, overrides=overrides)
    for _, message in BAD_NUMBERS:
        if not message.startswith(("optim.lr", "optim.betas", "data.max_tokens")):
            assert any(message.split(", got")[0] in e for e in info.value.errors), message


def test_a_config_built_in_python_is_checked_by_finetune_before_any_folder(tok_dir, data_dir, tmp_path):
    import dataclasses

    cfg = FinetuneConfig.from_dict(_cls(tok_dir, data_dir / "tweets.tsv", tmp_path))
    cfg = dataclasses.replace(cfg, optim=dataclasses.replace(cfg.optim, lr=float("nan")))
    with pytest.raises(ConfigError, match=r"optim\.lr: must be in"):
        finetune(cfg)
    assert not (tmp_path / "run").exists()


# --- malformed data lines: (file name, bytes, message) ----------------------------------------------

HEADER = "ID\ttweet\tlabel\n"
ROW = "t0\tsalam labas 3lik\tpositive\n"

BAD_FILES = [
    ("tweets.jsonl", '{"tweet": "ok", "label": "neutral"}\n{"tweet": "\\ud800 salam", "label": "positive"}\n',
     "tweets.jsonl:2: field 'tweet' holds a lone surrogate \\ud800 at character 0"),
    ("tweets.jsonl", '{"tweet": "had lmakla \\ud83d", "label": "positive"}\n',
     "tweets.jsonl:1: field 'tweet' holds a lone surrogate \\ud83d at character 11"),
    ("tweets.jsonl", '{"tweet": "\\ude00", "label": "positive"}\n', "tweets.jsonl:1: field 'tweet' holds"),
    ("tweets.jsonl", '{"tweet": "salam", "label": "neutral\\udfff"}\n', "field 'label' holds a lone surrogate"),
    ("tweets.jsonl", '{"tweet": "salam", "label": "neutral", "meta": ["\\ud800"]}\n', "field 'meta'[0] holds"),
    ("tweets.jsonl", '{"tweet": "salam"\n', "tweets.jsonl:1: invalid JSON"),
    ("tweets.tsv", HEADER + ROW + "t1\tواش نتا مزيان\tpositive\textra\n",
     "tweets.tsv:3: expected 3 tab-separated fields (ID, tweet, label), found 4"),
    ("tweets.tsv", HEADER + "t1\tsalam\n", "tweets.tsv:2: expected 3 tab-separated fields (ID, tweet, label), found 2"),
    ("tweets.tsv", HEADER + ROW + "t2\tsa\tlam\tneutral\n", "tweets.tsv:3: expected 3 tab-separated fields"),
    ("tweets.tsv", HEADER + ROW + "t1\tsal\x00am\tpositive\n", "tweets.tsv:3: NUL byte"),
    ("tweets.tsv", HEADER + "t1\t\x00\tpositive\n", "tweets.tsv:2: NUL byte"),
    ("tweets.csv", "ID,tweet,label\nt0,salam,positive\nt1,wa,fin,neutral\n",
     "tweets.csv:3: expected 3 comma-separated fields (ID, tweet, label), found 4"),
    ("tweets.csv", 'ID,tweet,label\nt0,"salam,positive\n', "tweets.csv:"),
    ("tweets.tsv", (HEADER + ROW).encode("utf-16"), "tweets.tsv:1: "),
    ("tweets.tsv", (HEADER + "t1\tsalam \xff\tpositive\n").encode("utf-8").replace(b"\xc3\xbf", b"\xff"),
     "tweets.tsv:2: invalid UTF-8"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_malformed_data_line_exits_2_with_file_and_line(tok_dir, tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    err = _refused(tmp_path, capsys, _cls(tok_dir, path, tmp_path, data__labels="auto"), [], message)
    assert str(tmp_path) in err  # the full path, not just the name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.tsv", "\ufeffID\ttweet\tlabel\nt0\tسلام\tpositive\nt1\tsalam\tneutral\n"),
        ("bom.csv", "\ufeffID,tweet,label\nt0,سلام,positive\nt1,salam,neutral\n"),
        ("bom.jsonl", '\ufeff{"ID": "t0", "tweet": "سلام", "label": "positive"}\n'
                      '{"ID": "t1", "tweet": "salam", "label": "neutral"}\n'),
    ],
)  # fmt: skip
def test_a_utf8_bom_does_not_break_the_header(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    recs = read_records(str(path))
    assert [r["ID"] for r in recs] == ["t0", "t1"] and recs[0]["tweet"] == "سلام"


@pytest.mark.parametrize(("limit", "expected"), [(None, 18), (1, 1), (5, 5), (18, 18), (10**6, 18)])
def test_limit_keeps_the_first_n_records(data_dir, limit, expected):
    recs = read_records(str(data_dir / "tweets.tsv"), limit=limit)
    assert len(recs) == expected and recs[0]["tweet"] == TWEETS[0][0]


@pytest.mark.parametrize("limit", [0, -5, True, 2.5])
def test_a_limit_below_one_is_refused_not_read_as_no_limit(data_dir, limit):
    with pytest.raises(ConfigError, match=r"data\.limit"):
        read_records(str(data_dir / "tweets.tsv"), limit=limit)


def test_lines_split_only_at_newlines(tmp_path):
    """U+2028, \\x0b and \\x1c inside a tweet stay in the tweet (str.splitlines would cut the row)."""
    path = write_tsv(tmp_path / "t.tsv", ["tweet", "label"], [("salam\u2028labas\x0b3lik\x1c", "positive")])
    assert read_records(str(path)) == [{"tweet": "salam\u2028labas\x0b3lik\x1c", "label": "positive"}]


def test_read_records_raises_data_error_for_the_surrogate(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "\\udaaa"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"x.jsonl:1: field 'text' holds a lone surrogate \\udaaa"):
        read_records(str(path))


# --- model.path: safetensors only; config.json must match the weights ------------------------------


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    import torch
    import transformers

    root = tmp_path_factory.mktemp("models")
    model = transformers.BertForMaskedLM(transformers.BertConfig(vocab_size=300, **TINY))
    model.save_pretrained(root / "safetensors")
    (root / "pickle").mkdir()
    shutil.copy(root / "safetensors" / "config.json", root / "pickle")
    torch.save(model.state_dict(), root / "pickle" / "pytorch_model.bin")
    shutil.copytree(root / "safetensors", root / "mismatch")
    config = json.loads((root / "mismatch" / "config.json").read_text())
    (root / "mismatch" / "config.json").write_text(json.dumps({**config, "hidden_size": 64}))
    (root / "empty").mkdir()
    shutil.copy(root / "safetensors" / "config.json", root / "empty")
    return root


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("pickle", "holds only pickle weights (pytorch_model.bin), which can run code"),
        ("pickle", "weights_only=True"),  # the conversion command is given
        ("mismatch", "the weights do not match its config.json"),
        ("mismatch", "is [32] in model.safetensors but config.json gives [64]"),
        ("empty", "no weights (no *.safetensors file)"),
    ],
)
def test_model_path_must_hold_matching_safetensors(
    tok_dir, data_dir, tmp_path, capsys, model_dirs, folder, message
):
    raw = _cls(tok_dir, data_dir / "tweets.tsv", tmp_path)
    raw["model"] = {"path": str(model_dirs / folder), "tokenizer": str(tok_dir)}
    _refused(tmp_path, capsys, raw, [], message, f"model.path {model_dirs / folder}")


def test_pickle_weights_are_never_loaded(tok_dir, data_dir, tmp_path, model_dirs, monkeypatch):
    """Even with safetensors present, from_pretrained is asked for safetensors only."""
    import transformers

    seen = {}
    real = transformers.AutoModelForSequenceClassification.from_pretrained

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", spy)
    from aimm_nlp.finetune.models import build_model, load_tokenizer

    raw = _cls(tok_dir, data_dir / "tweets.tsv", tmp_path)
    raw["model"] = {"path": str(model_dirs / "safetensors"), "tokenizer": str(tok_dir)}
    cfg = FinetuneConfig.from_dict(raw)
    build_model(cfg, load_tokenizer(str(tok_dir)), label_names=LABELS)
    assert seen.get("use_safetensors") is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("root:x:0:0:root:/root:/bin/bash\n", "cannot load (expected value at line 1 column 1)"),
        ('{"version": "1.0", "model": {"type": "BPE"', "cannot load"),  # a truncated tokenizer.json
        ("", "cannot load"),
    ],
)
def test_a_tokenizer_file_that_is_not_one_exits_2(tok_dir, data_dir, tmp_path, capsys, content, message):
    bad = tmp_path / "tokenizer.json"
    bad.write_text(content, encoding="utf-8")
    raw = _cls(tok_dir, data_dir / "tweets.tsv", tmp_path)
    raw["model"]["tokenizer"] = str(bad)
    _refused(tmp_path, capsys, raw, [], f"tokenizer {bad}: {message}")


def test_an_empty_eval_file_is_refused_not_skipped(tok_dir, data_dir, tmp_path, capsys):
    empty = tmp_path / "dev.tsv"
    empty.write_text(HEADER, encoding="utf-8")
    raw = _cls(tok_dir, data_dir / "tweets.tsv", tmp_path, data__eval=str(empty))
    _refused(tmp_path, capsys, raw, [], f"{empty}: no records: the evaluation data set (data.eval) is empty")
