"""Issue 17 through the Python API: all out-of-range numbers at once, a config built in Python checked by
finetune(), BOMs, data.limit, line splitting, lone surrogates, safetensors-only loading.
(The same refusals on the command line are in tests/cli/test_finetune_cli_bad_input.py.)"""

from __future__ import annotations

import pytest
from ft_helpers import BAD_NUMBERS, LABELS, TWEETS, base_cfg, write_model_dirs, write_tsv

from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.finetune import FinetuneConfig, finetune
from aimm_nlp.finetune.data import read_records


def _cls(tok_dir, train, tmp_path, **extra):
    extra = {"data__text_column": "tweet", "data__labels": LABELS, **extra}
    return base_cfg("sequence_classification", tok_dir, train, tmp_path / "run", **extra)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    return write_model_dirs(tmp_path_factory.mktemp("models"))


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
