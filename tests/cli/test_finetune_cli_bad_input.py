"""`aimm finetune` on bad input (issue 17): every out-of-range number, malformed data line (lone surrogates,
TSV rows with extra fields or NUL bytes) and unsafe or mismatched model folder is refused with
file/line or folder, exit 2, and no run folder. (The API checks are in tests/finetune/test_finetune_bad_input.py.)"""

from __future__ import annotations

import pytest
import yaml
from ft_helpers import BAD_NUMBERS, LABELS, base_cfg, write_model_dirs

from aimm_nlp.cli import main


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


@pytest.mark.parametrize(("override", "message"), BAD_NUMBERS)
def test_out_of_range_number_exits_2_before_any_folder(
    tok_dir, data_dir, tmp_path, capsys, override, message
):
    _refused(tmp_path, capsys, _cls(tok_dir, data_dir / "tweets.tsv", tmp_path), [override], message)


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


# --- model.path: safetensors only; config.json must match the weights ------------------------------


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    return write_model_dirs(tmp_path_factory.mktemp("models"))


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
