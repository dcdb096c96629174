from __future__ import annotations

import json

import pytest
from tok_samples import CORPUS

from aimm_nlp.cli import main


@pytest.fixture
def data(tmp_path):
    paths = []
    for lang, items in CORPUS.items():
        path = tmp_path / f"{lang}.txt"
        path.write_text("\n".join(items * 8) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def test_train_eval_extend_end_to_end(tmp_path, data, capsys) -> None:
    out = tmp_path / "tok"
    assert (
        main(
            [
                "tokenizer",
                "train",
                "--data",
                *data,
                "--vocab-size",
                "1500",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    card = json.loads((out / "tokenizer_card.json").read_text())
    assert card["vocab_size"] == 1500 and "zgh_Tfng" in card["corpus"]["languages"]

    flores = tmp_path / "flores"
    for split in ("dev", "devtest"):
        (flores / split).mkdir(parents=True)
        for lang, items in [("eng_Latn", ["how are you", "fine"]), ("ary_Arab", CORPUS["ary_Arab"][:2])]:
            (flores / split / f"{lang}.{split}").write_text("\n".join(items) + "\n", encoding="utf-8")
    rc = main(["tokenizer", "eval", "--tokenizer", f"ours={out}", "--flores", str(flores), "--out", str(tmp_path / "ev"),
               "--no-progress"])  # fmt: skip
    assert rc == 0
    rows = json.loads((tmp_path / "ev" / "metrics.json").read_text())["rows"]
    assert {r["lang"] for r in rows} == {"eng_Latn", "ary_Arab"} and all(r["roundtrip"] == 1.0 for r in rows)

    rc = main(["tokenizer", "extend", "--base", str(out), "--data", data[0], "--n-new-tokens", "5", "--out",
               str(tmp_path / "ext")])  # fmt: skip
    assert rc == 0 and (tmp_path / "ext" / "tokenizer.json").is_file()


def test_train_from_config_with_overrides(tmp_path, data) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"kind: bpe\nvocab_size: 1500\nlang_weights: {{zgh_Tfng: 2}}\ndata:\n  - {{path: {data[0]}, lang: ary_Arab}}\n"
    )
    out = tmp_path / "tok"
    assert (
        main(
            [
                "tokenizer",
                "train",
                str(cfg),
                "--set",
                "lang_weights.ary_Arab=3",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    card = json.loads((out / "tokenizer_card.json").read_text())
    assert card["sampling"]["lang_weights"] == {"zgh_Tfng": 2, "ary_Arab": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--kind", "bpee", "--vocab-size", "1500"], "did you mean 'bpe'"),
        (["train", "--backend", "sentencepiece"], "valid names: hf, spm"),
        (["train", "--vocab-size", "50"], "smaller than the alphabet"),
        (["train", "--set", "vocab=3"], "unknown key 'vocab' (did you mean 'vocab_size'?)"),
        (["eval", "--tokenizer", "x=DATA0", "--flores", "FLORES"], "not a tokenizer"),
        (["eval", "--tokenizer", "x", "--flores", "FLORES"], "expected NAME=VALUE"),
        (["extend", "--base", "DATA0", "--data", "DATA0", "--n-new-tokens", "3"], "not a tokenizer"),
    ],
)
def test_bad_input_exits_2(tmp_path, data, capsys, args, message) -> None:
    flores = tmp_path / "flores"
    (flores / "dev").mkdir(parents=True)
    (flores / "devtest").mkdir()
    (flores / "dev" / "eng_Latn.dev").write_text("hi\n")
    (flores / "devtest" / "eng_Latn.devtest").write_text("hi\n")
    args = [a.replace("DATA0", data[0]).replace("FLORES", str(flores)) for a in args]
    if args[0] == "train":
        args += ["--data", *data]
    assert main(["tokenizer", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") <= 3
    assert not (tmp_path / "out").exists()


def test_empty_corpus_exits_2(tmp_path, capsys) -> None:
    empty = tmp_path / "ary_Arab.txt"
    empty.write_text("\n\n")
    assert main(["tokenizer", "train", "--data", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "corpus is empty" in capsys.readouterr().err
