"""Issue 17: truncated SentencePiece models, vocab_size / n_new_tokens upper bounds checked before any
work (no Rust abort, no build folder left), lone surrogates in training texts named with their position."""

from __future__ import annotations

import pytest
from tok_samples import CORPUS, texts

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError, DataError, InputFileError
from aimm_nlp.tokenization import extend_tokenizer, train_tokenizer


@pytest.fixture(scope="module")
def spm_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spm") / "tok"
    train_tokenizer(texts(), out_dir=folder, backend="spm", kind="bpe", vocab_size=1600)
    return (folder / "tokenizer.model").read_bytes()


@pytest.fixture
def ary(tmp_path):
    path = tmp_path / "ary_Arab.txt"
    path.write_text("\n".join(CORPUS["ary_Arab"] * 20) + "\n", encoding="utf-8")
    return path


def _entries(folder):
    return sorted(p.name for p in folder.iterdir())


# where the .model file is cut: a fraction of its length, or a byte count from its start/end
CUTS = [1, 2, 10, 100, 0.25, 0.5, 0.75, 0.9, -40, -2, -1]


@pytest.mark.parametrize("cut", CUTS)
def test_extend_names_a_truncated_sentencepiece_model(spm_model, ary, tmp_path, capsys, cut):
    n = int(len(spm_model) * cut) if isinstance(cut, float) else cut % len(spm_model)
    base = tmp_path / "tokenizer.model"
    base.write_bytes(spm_model[:n])
    before = _entries(tmp_path)
    argv = ["tokenizer", "extend", "--base", str(base), "--data", str(ary), "--n-new-tokens", "5",
            "--out", str(tmp_path / "ext"), "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{base}: " in err and "truncated or corrupt" in err and "Traceback" not in err
    assert _entries(tmp_path) == before


def test_the_whole_sentencepiece_model_still_extends(spm_model, ary, tmp_path):
    base = tmp_path / "tokenizer.model"
    base.write_bytes(spm_model)
    ext = extend_tokenizer(
        base, ary.read_text(encoding="utf-8").splitlines(), n_new_tokens=3, min_frequency=1
    )
    assert 1 <= len(ext.new_tokens) <= 3


BAD_SIZES = [
    (["--vocab-size", str(10**12)], "vocab_size: expected an integer from 1 to 2**20 (1048576), got 1000000000000"),
    (["--vocab-size", str(2**20 + 1)], "vocab_size: expected an integer from 1 to 2**20 (1048576), got 1048577"),
    (["--vocab-size", "0"], "vocab_size: expected an integer from 1 to 2**20"),
    (["--vocab-size", "-32000"], "vocab_size: expected an integer from 1 to 2**20"),
    (["--set", f"vocab_size={10**12}"], "vocab_size: expected an integer from 1 to 2**20"),
    (["--set", "vocab_size=1e12"], "vocab_size: expected an integer from 1 to 2**20"),
    (["--backend", "spm", "--vocab-size", str(10**9)], "vocab_size: expected an integer from 1 to 2**20"),
]  # fmt: skip


@pytest.mark.parametrize(("flags", "needle"), BAD_SIZES)
def test_train_refuses_a_huge_vocab_before_any_work(ary, tmp_path, capsys, flags, needle):
    before = _entries(tmp_path)
    argv = ["tokenizer", "train", "--data", str(ary), "--out", str(tmp_path / "tok"), "--no-progress", *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert _entries(tmp_path) == before  # no output and no hidden build folder


@pytest.mark.parametrize("n", [10**12, 2**20 + 1])
def test_extend_refuses_a_huge_n_new_tokens_before_reading(tmp_path, ary, capsys, n):
    missing = tmp_path / "no_such_tokenizer.json"  # never read: the number is refused first
    argv = ["tokenizer", "extend", "--base", str(missing), "--data", str(ary), "--n-new-tokens", str(n),
            "--out", str(tmp_path / "ext")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--n-new-tokens must be at most 2**20 (1048576)" in err and "no such" not in err


@pytest.mark.parametrize("vocab_size", [10**12, 2**20 + 1, 0, -5])
def test_train_tokenizer_api_bounds_vocab_size(tmp_path, vocab_size):
    with pytest.raises(ConfigError, match=r"vocab_size must be an integer from 1 to 2\*\*20"):
        train_tokenizer(texts(), out_dir=tmp_path / "tok", vocab_size=vocab_size)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("corpus", "needle"),
    [
        (["salam", "\ud800 salam"], "corpus text 2 '\\ud800 salam': holds a lone surrogate \\ud800 at character 0"),
        (["\udfff"], "corpus text 1 '\\udfff': holds a lone surrogate \\udfff at character 0"),
        (["had lmakla bnina \ud83d"], "lone surrogate \\ud83d at character 17"),
        ([("واش نتا \udbff", "ary_Arab")], "corpus text 1 (language ary_Arab)"),
        ({"zgh_Tfng": ["ⴰⵣⵓⵍ", "ⴰⵣⵓⵍ \udc00"]}, "corpus text 2 (language zgh_Tfng)"),
        ({"ary_Latn": "\ud800"}, "corpus text 1 (language ary_Latn)"),
    ],
)  # fmt: skip
def test_train_tokenizer_names_a_lone_surrogate(tmp_path, corpus, needle):
    with pytest.raises(DataError) as info:
        train_tokenizer(corpus, out_dir=tmp_path / "tok", vocab_size=1300)
    assert needle in str(info.value) and "\\ufffd" in str(info.value)
    assert not any(tmp_path.iterdir())


def test_an_unreadable_model_path_is_an_input_file_error(tmp_path):
    from aimm_nlp.tokenization._load import spm_to_hf

    with pytest.raises(InputFileError, match="no such file"):
        spm_to_hf(tmp_path / "missing.model")


def test_docs_say_config_paths_read_any_local_file(capsys):
    """Item 7: data[].path expands $VARS and may read any local file; --help, the shipped config and
    read_sources say so."""
    from importlib import resources

    from aimm_nlp.tokenization._corpus import read_sources

    with pytest.raises(SystemExit):
        main(["tokenizer", "train", "--help"])
    assert "may read any local file" in " ".join(capsys.readouterr().out.split())
    shipped = resources.files("aimm_nlp") / "configs" / "tokenizer" / "moroccan_32k.yaml"
    assert "may name ANY local file" in shipped.read_text(encoding="utf-8")
    assert "any local file" in " ".join(read_sources.__doc__.split())


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("text\tlabel\nsalam\tary_Latn\nواش\tary_Arab\textra\n", "t.tsv:3: expected 2 tab-separated fields (text, label), found 3"),
        ("text\tlabel\nsalam\n", "t.tsv:2: expected 2 tab-separated fields (text, label), found 1"),
        ("text\tlabel\nⴰⵣⵓⵍ\tzgh_Tfng\n\tary_Latn\t\n", "t.tsv:3: expected 2 tab-separated fields"),
    ],
)  # fmt: skip
def test_config_tsv_rows_with_another_field_count_are_refused(tmp_path, capsys, content, needle):
    (tmp_path / "t.tsv").write_text(content, encoding="utf-8")
    config = tmp_path / "tok.yaml"
    config.write_text(
        "vocab_size: 1300\ndata:\n  - {path: t.tsv, column: text, lang_column: label}\n", encoding="utf-8"
    )
    argv = ["tokenizer", "train", str(config), "--shared", str(tmp_path), "--out", str(tmp_path / "tok")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and str(tmp_path) in err and "Traceback" not in err
    assert not (tmp_path / "tok").exists()


def test_config_tsv_with_a_bom_and_blank_lines_reads(tmp_path):
    from aimm_nlp.tokenization._corpus import read_sources

    (tmp_path / "t.tsv").write_text("\ufefftext\tlabel\nsalam\tary_Latn\n\nواش\tary_Arab\n", encoding="utf-8")
    got = read_sources([{"path": "t.tsv", "column": "text", "lang_column": "label"}], root=tmp_path)
    assert got == {"ary_Latn": ["salam"], "ary_Arab": ["واش"]}


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--seed", "-1"], "seed: expected an integer from 0 to 2**32 - 1, got -1"),
        (["--seed", str(2**32)], "seed: expected an integer from 0 to 2**32 - 1, got 4294967296"),
        (["--temperature", "1e9"], "temperature: expected a number > 0 and <= 100, got 1000000000.0"),
        (["--temperature", "nan"], "temperature: expected a number > 0 and <= 100, got nan"),
        (
            ["--set", "lang_weights.ary_Arab=1e300"],
            "lang_weights.ary_Arab: expected a number >= 0 and <= 10**6",
        ),
        (
            ["--set", "lang_weights.ary_Arab=.inf"],
            "lang_weights.ary_Arab: expected a number >= 0 and <= 10**6",
        ),
    ],
)
def test_train_sampling_numbers_have_ranges(ary, tmp_path, capsys, flags, needle):
    argv = ["tokenizer", "train", "--data", str(ary), "--out", str(tmp_path / "tok"), "--no-progress", *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "tok").exists()


def test_a_kind_of_the_other_backend_names_that_backend(ary, tmp_path, capsys):
    argv = [
        "tokenizer",
        "train",
        "--data",
        str(ary),
        "--kind",
        "wordpiece",
        "--backend",
        "spm",
        "--out",
        str(tmp_path / "t"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "unknown tokenizer kind 'wordpiece' for backend 'spm' (it needs backend hf)" in err
    assert "did you mean 'wordpiece'" not in err
