"""Issue 17: lone surrogates in JSONL, numeric option ranges checked with the config, clean() column types.

Every CLI case runs in-process through ``aimm_nlp.cli.main`` and must give exit 2, a message naming the
file/line or the option, no traceback and no output folder (or, with on_error=skip, a correct result).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from aimm_nlp._surrogates import find_lone_surrogate, surrogate_problem
from aimm_nlp.cli import main
from aimm_nlp.corpus import clean, load_corpus
from aimm_nlp.corpus.config import config_from_dict
from aimm_nlp.errors import ConfigError, DataError

GOOD = ["salam labas 3lik", "واش نتا مزيااااان؟", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "merci bzaf 😍"]
LANGS = ["ary_Latn", "ary_Arab", "zgh_Tfng", "ary_Latn"]

# (JSON text of line 2, where the lone surrogate is reported)
SURROGATE_LINES = [
    (r'{"text": "\ud800 salam"}', "field 'text' holds a lone surrogate \\ud800 at character 0"),
    (r'{"text": "salam \udfff"}', "field 'text' holds a lone surrogate \\udfff at character 6"),
    (r'{"text": "had lmakla bnina \ud83d"}', "lone surrogate \\ud83d"),  # an emoji cut in half
    (r'{"text": "\ude00\ud83d"}', "lone surrogate \\ude00 at character 0"),  # a pair in the wrong order
    (r'{"text": "واش \udbff"}', "lone surrogate \\udbff at character 4"),
    (r'{"text": "ⴰⵣⵓⵍ \udc00"}', "lone surrogate \\udc00"),
    (r'{"text": "\ud800"}', "lone surrogate \\ud800"),  # one character
    (r'{"text": "ok", "lang": "ary_\ud800"}', "field 'lang' holds a lone surrogate"),
]


def _jsonl(tmp_path: Path, bad_line: str, name: str = "tweets.jsonl") -> Path:
    good = [
        json.dumps({"text": t, "lang": lang}, ensure_ascii=False) for t, lang in zip(GOOD, LANGS, strict=True)
    ]
    lines = [good[0], bad_line, good[1]]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config(tmp_path: Path, source: Path, **extra) -> Path:
    cfg = {"sources": [{"path": str(source)}], "output": {"dir": str(tmp_path / "out")}, "progress": False}
    cfg.update(extra)
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


@pytest.mark.parametrize(("line", "message"), SURROGATE_LINES)
def test_describe_names_file_line_and_field_of_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    src = _jsonl(tmp_path, line)
    argv = ["corpus", "describe", str(src), "--out", str(tmp_path / "stats"), "--no-plots"]
    _exit_2(capsys, argv, f"{src}:2: ", message, "\\ufffd")
    assert not (tmp_path / "stats").exists()


@pytest.mark.parametrize(("line", "message"), SURROGATE_LINES)
def test_build_refuses_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    src = _jsonl(tmp_path, line)
    _exit_2(
        capsys, ["corpus", "build", str(_config(tmp_path, src))], f"{src}:2: ", message, "on_error='skip'"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("line", "message"), SURROGATE_LINES)
def test_build_with_on_error_skip_drops_and_counts_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    src = _jsonl(tmp_path, line)
    config = _config(tmp_path, src, on_error="skip", clean={"quality": None, "normalize": None})
    assert main(["corpus", "build", str(config), "output.describe=false"]) == 0
    out = capsys.readouterr().out
    assert "| malformed | 1 |" in out and f"{src.name}:2: " in out
    kept = list(load_corpus(str(tmp_path / "out"))["text"])
    assert kept == [GOOD[0], GOOD[1]]


def test_valid_surrogate_pairs_and_escapes_still_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    lines = [
        r'{"text": "salam \ud83d\ude0d"}',
        r'{"text": "\\ud800 is text"}',
        r'{"text": "\u0648\u0627\u0634"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert list(load_corpus(str(path))["text"]) == ["salam 😍", "\\ud800 is text", "واش"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("s", None),
        ("salam 😍", None),
        ("\ud800", ("", 0, "\\ud800")),
        ({"a": ["ok", {"b": "x\udc01"}]}, ("'a'[1].'b'", 1, "\\udc01")),
        ({"\ud800": "key"}, ("", 0, "\\ud800")),
        ([1, None, 2.5, True], None),
    ],
)
def test_find_lone_surrogate(value: object, expected: tuple | None) -> None:
    assert find_lone_surrogate(value) == expected
    assert (surrogate_problem(value) is None) == (expected is None)


# --- numeric options: documented ranges, all errors at once, checked with the config ---------------

BAD_OPTIONS = [
    ("clean.num_proc=0", "clean.num_proc: must be null or an integer from 1 to 256, got 0"),
    ("clean.num_proc=-2", "clean.num_proc: must be null or an integer from 1 to 256, got -2"),
    ("clean.num_proc=1000000", "clean.num_proc: must be null or an integer from 1 to 256, got 1000000"),
    ("output.shard_rows=0", "output.shard_rows: must be in [1, 10**9], got 0"),
    ("output.shard_rows=-5", "output.shard_rows: must be in [1, 10**9], got -5"),
    ("output.shard_rows=1000000000000", "output.shard_rows: must be in [1, 10**9]"),
    ("clean.near_threshold=.nan", "clean.near_threshold: must be in (0, 1], got nan"),
    ("clean.near_threshold=0", "clean.near_threshold: must be in (0, 1], got 0"),
    ("clean.near_threshold=1.5", "clean.near_threshold: must be in (0, 1], got 1.5"),
    ("clean.min_lang_score=-0.1", "clean.min_lang_score: must be in [0, 1], got -0.1"),
    ("clean.min_lang_score=.inf", "clean.min_lang_score: must be in [0, 1], got inf"),
    ("clean.min_lang_score=.nan", "clean.min_lang_score: must be in [0, 1], got nan"),
    ("clean.min_chars=-1", "clean.min_chars/max_chars: need 0 <= min_chars <= max_chars"),
    ("clean.max_chars=0", "clean.min_chars/max_chars: need 0 <= min_chars <= max_chars"),
    ("clean.max_chars=10000000000", "clean.min_chars/max_chars: need 0 <= min_chars <= max_chars <= 10**9"),
]


@pytest.mark.parametrize(("override", "message"), BAD_OPTIONS)
def test_bad_numeric_option_exits_2_before_loading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], override: str, message: str
) -> None:
    missing = tmp_path / "not_there.txt"  # never read: the config is refused first
    _exit_2(capsys, ["corpus", "build", str(_config(tmp_path, missing)), override], message)
    assert not (tmp_path / "out").exists()


def test_every_bad_option_is_listed_at_once() -> None:
    data = {"sources": [{"path": "x.txt"}], "output": {"dir": "out"}}
    with pytest.raises(ConfigError) as info:
        config_from_dict(data, overrides=[o for o, _ in BAD_OPTIONS[::3]])
    assert len(info.value.errors) == len(BAD_OPTIONS[::3])


def test_clean_options_out_of_range_raise_before_any_row() -> None:
    from datasets import Dataset

    ds = Dataset.from_dict({"text": GOOD, "lang": LANGS})
    with pytest.raises(ConfigError) as info:
        clean(ds, num_proc=0, min_lang_score=float("nan"), near_threshold=2.0)
    assert len(info.value.errors) == 3


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"text": [1, 2], "lang": ["ary_Arab", "ary_Latn"]}, "column 'text' holds int64 values, not strings"),
        ({"text": [1.5, 2.0], "lang": ["ary_Arab", None]}, "column 'text' holds float64 values, not strings"),
        ({"text": ["salam", "واش"], "lang": [1, 2]}, "column 'lang' holds int64 values, not strings"),
        ({"text": [1, 2]}, "missing: lang (columns found: text)"),
        ({"tweet": ["salam"], "lang": ["ary_Latn"]}, "missing: text (columns found: tweet, lang)"),
    ],
)
def test_clean_names_a_missing_or_wrongly_typed_column(columns: dict, message: str) -> None:
    from datasets import Dataset

    with pytest.raises(DataError) as info:
        clean(Dataset.from_dict(columns), quality=None)
    assert message in str(info.value)


# --- encodings and data folders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "named"),
    [
        ("tweets.txt", "utf-16", "UTF-16LE"),  # with a BOM (Python writes little-endian here)
        ("tweets.txt", "utf-16-le", "UTF-16LE"),
        ("tweets.txt", "utf-16-be", "UTF-16BE"),
        ("tweets.jsonl", "utf-16", "UTF-16LE"),
        ("tweets.csv", "utf-16-be", "UTF-16BE"),
        ("tweets.tsv", "utf-16-le", "UTF-16LE"),
    ],
)
def test_utf16_files_are_named_with_how_to_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, encoding: str, named: str
) -> None:
    rows = {
        ".txt": "salam labas\nواش نتا\n",
        ".jsonl": '{"text": "salam"}\n',
        ".csv": "text\nsalam\n",
        ".tsv": "text\nsalam\n",
    }
    src = tmp_path / name
    src.write_bytes(rows[src.suffix].encode(encoding))
    argv = ["corpus", "describe", str(src), "--out", str(tmp_path / "stats"), "--no-plots"]
    _exit_2(capsys, argv, f"{src}:1: the file is {named} text, not UTF-8", f"iconv -f {named} -t UTF-8 {src}")
    assert not (tmp_path / "stats").exists()


def test_a_missing_data_dir_is_said_to_be_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = {"sources": [{"name": "afrisenti_ma"}], "output": {"dir": str(tmp_path / "out")}}
    cfg["data_dir"] = str(tmp_path / "no_data")
    path = tmp_path / "corpus.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    _exit_2(capsys, ["corpus", "build", str(path)], f"({tmp_path / 'no_data'} itself does not exist)")
    (tmp_path / "no_data").mkdir()
    err = _exit_2(
        capsys, ["corpus", "build", str(path)], f"looked in {tmp_path / 'no_data' / 'afrisenti_ma'})"
    )
    assert "itself does not exist" not in err


@pytest.mark.parametrize(
    ("top_k", "message"),
    [
        ("-5", "--top-k: must be from 0 to 10**6, got -5"),
        ("1000001", "--top-k: must be from 0 to 10**6, got 1000001"),
    ],
)
def test_describe_top_k_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], top_k: str, message: str
) -> None:
    src = tmp_path / "d.txt"
    src.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    argv = ["corpus", "describe", str(src), "--out", str(tmp_path / "stats"), "--no-plots", "--top-k", top_k]
    _exit_2(capsys, argv, message)
    assert not (tmp_path / "stats").exists()


@pytest.mark.parametrize(("top_k", "batch_size"), [(-1, 1000), (20, 0), (10**7, 1000), (True, 1000)])
def test_describe_api_checks_its_options(top_k: object, batch_size: object) -> None:
    from datasets import Dataset

    from aimm_nlp.corpus.stats import describe

    with pytest.raises(ConfigError, match="invalid describe"):
        describe(Dataset.from_dict({"text": GOOD}), top_k=top_k, batch_size=batch_size)


@pytest.mark.parametrize("name", ["d.txt", "d.jsonl", "*.txt"])
def test_a_split_for_plain_files_is_refused_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.txt").write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": GOOD[0]}) + "\n", encoding="utf-8")
    argv = ["corpus", "describe", name, "--split", "train", "--out", str(tmp_path / "stats"), "--no-plots"]
    _exit_2(capsys, argv, "split='train' applies to catalogued corpus names and save_to_disk folders only")
    assert not (tmp_path / "stats").exists()
