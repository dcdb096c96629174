"""`aimm tokenizer train|eval|extend` (and the other YAML configs) on bad input: exit 2, every problem named,
nothing written, no user file overwritten. (The API checks are in tests/tokenization.)"""

from __future__ import annotations

import json

import pytest
from tok_samples import CORPUS

from aimm_nlp.cli import main


@pytest.fixture
def ary(tmp_path):
    path = tmp_path / "ary_Arab.txt"
    path.write_text("\n".join(CORPUS["ary_Arab"] * 20) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def flores(tmp_path):
    root = tmp_path / "flores"
    for split in ("dev", "devtest"):
        (root / split).mkdir(parents=True)
        for lang, items in [("eng_Latn", ["how are you", "fine"]), ("ary_Arab", CORPUS["ary_Arab"][:2])]:
            (root / split / f"{lang}.{split}").write_text("\n".join(items) + "\n", encoding="utf-8")
    return root


def _snapshot(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ extend


def _extend(bpe_dir, ary, out, *extra):
    return ["tokenizer", "extend", "--base", str(bpe_dir), "--data", str(ary), "--n-new-tokens", "5",
            "--out", str(out), "--no-progress", *extra]  # fmt: skip


def _user_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine", encoding="utf-8")
    return path


def _user_folder(tmp_path):
    folder = tmp_path / "my_tok"
    folder.mkdir()
    (folder / "tokenizer.json").write_text('{"mine": true}', encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("make_out", "extra", "needle"),
    [
        (_user_file, [], "notes.txt is a file, not a folder"),
        (_user_folder, [], "my_tok exists and is not an aimm tokenizer folder"),
        (lambda t: t / "ext", ["--scripts", "Klingon"], "unknown script 'Klingon'; valid scripts: Arab, Latn, Tfng"),
        (lambda t: t / "ext", ["--scripts", "Arab", "latn"], "unknown script 'latn' (did you mean 'Latn'?)"),
    ],
    ids=["out-is-a-file", "out-is-a-user-folder", "unknown-script", "script-case"],
)  # fmt: skip
def test_extend_bad_input_exits_2_and_keeps_user_files(
    bpe_dir, ary, tmp_path, capsys, make_out, extra, needle
):
    out = make_out(tmp_path)
    before = _snapshot(tmp_path)
    assert main(_extend(bpe_dir, ary, out, *extra)) == 2
    captured = capsys.readouterr()
    assert needle in captured.err and "Traceback" not in captured.err and "wrote" not in captured.out
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("flag", "value"), [("--min-frequency", "-1"), ("--min-frequency", "0"), ("--n-new-tokens", "0")]
)
def test_extend_bad_numbers(bpe_dir, ary, tmp_path, capsys, flag, value):
    numbers = {"--n-new-tokens": "5", flag: value}
    argv = ["tokenizer", "extend", "--base", str(bpe_dir), "--data", str(ary), "--out", str(tmp_path / "ext")]
    with pytest.raises(SystemExit) as exc:
        main([*argv, *(x for kv in numbers.items() for x in kv)])
    assert exc.value.code == 2
    assert f"argument {flag}: expected a positive integer" in capsys.readouterr().err
    assert not (tmp_path / "ext").exists()


def test_extend_writes_a_card_and_can_replace_its_own_output(bpe_dir, ary, tmp_path):
    out = tmp_path / "ext"
    assert main(_extend(bpe_dir, ary, out)) == 0
    card = json.loads((out / "tokenizer_card.json").read_text(encoding="utf-8"))
    assert card["kind"] == "extension" and card["base"] == str(bpe_dir)
    assert main(_extend(bpe_dir, ary, out, "--scripts", "Arab")) == 2  # replaced only with --overwrite
    assert main(_extend(bpe_dir, ary, out, "--scripts", "Arab", "--overwrite")) == 0
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(str(out)).encode("واش", add_special_tokens=False)


# ------------------------------------------------------------------ eval


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--reference", "zz"], "--reference 'zz': unknown language; parity needs one of the languages read"),
        (["--reference", "fra_Latn"], "--reference 'fra_Latn'"),
        (["--tokenizer", "a={tok}"], "the name 'a' is given twice"),
        (["--tokenizer", "b"], "expected NAME=VALUE"),
    ],
)
def test_tokenizer_eval_bad_options(bpe_dir, flores, tmp_path, capsys, flags, needle):
    flags = [f.format(tok=bpe_dir) for f in flags]
    argv = ["tokenizer", "eval", "--tokenizer", f"a={bpe_dir}", "--flores", str(flores),
            "--out", str(tmp_path / "ev"), "--no-progress", *flags]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "ev").exists()


def test_tokenizer_eval_default_reference_is_measured(bpe_dir, flores, tmp_path, capsys):
    argv = ["tokenizer", "eval", "--tokenizer", f"a={bpe_dir}", "--flores", str(flores),
            "--out", str(tmp_path / "ev"), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    rows = json.loads((tmp_path / "ev" / "metrics.json").read_text(encoding="utf-8"))["rows"]
    assert all(r["parity"] is not None for r in rows)
    assert main([*argv, "--langs", "ary_Arab", "--overwrite"]) == 0  # replacing needs --overwrite
    assert "parity not measured: eng_Latn is not among the languages" in capsys.readouterr().err


# ------------------------------------------------------------------ train config


@pytest.mark.parametrize(
    ("config", "sets", "needles"),
    [
        ("data: [1, 2]\n", [], ["data[0]: expected a mapping", "data[1]: expected a mapping"]),
        ("data: ary_Arab.txt\n", [], ["data: expected a list"]),
        ("temperature: hot\n", [], ["temperature: expected a number > 0 and <= 100, got 'hot'"]),
        ("", ["lang_weights=[1"], ["--set lang_weights=[1: invalid YAML value"]),
        ("", ["seed=abc"], ["seed: expected an integer from 0 to 2**32 - 1, got 'abc'"]),
        ("data:\n  - {path: ary_Arab.txt, lang: xx}\n", [], ["data[0].lang: unknown language code 'xx'"]),
        ("data:\n  - {path: ary_Arab.txt, lang_prefix: zz}\n", [], ["data[0].lang_prefix: unknown language 'zz'"]),
        ("lang_weights: {ary_Arab: 2, darija: 1}\n", [], ["lang_weights.darija: unknown language code"]),
        ("", ["lang_weights.ary_arab=2"], ["lang_weights.ary_arab: unknown language code 'ary_arab' (did you mean 'ary_Arab'?)"]),
        ("", ["lang_weights.ary_Arab=-1"], ["lang_weights.ary_Arab: expected a number >= 0"]),
        ("", ["lang_weights.a.b=1"], ["at most one level below a key"]),
        ("vocab_size: big\nkind: bpee\nbogus: 1\n", [], ["vocab_size: expected an integer from 1 to 2**20",
                                                          "kind: unknown tokenizer kind 'bpee'",
                                                          "unknown key 'bogus'"]),
        ("special_tokens: <unk>\nbyte_fallback: maybe\nfold_letters: 1\n", [],
         ["special_tokens: expected a non-empty list", "byte_fallback: expected true, false or null",
          "fold_letters: expected true or false"]),
        ("normalizer: darija\n", [], ["normalizer: unknown normalizer preset 'darija'"]),
        ("- a\n- b\n", [], ["the config must be a mapping of keys"]),
        # several problems: all listed at once
        ("data: [1]\ntemperature: hot\n", ["seed=abc", "lang_weights=[1"],
         ["data[0]", "temperature", "seed", "--set lang_weights=[1"]),
    ],
)  # fmt: skip
def test_train_config_errors_are_listed_at_once(tmp_path, ary, capsys, config, sets, needles):
    cfg = tmp_path / "tok.yaml"
    cfg.write_text(config, encoding="utf-8")
    argv = ["tokenizer", "train", str(cfg), "--out", str(tmp_path / "tok"), "--shared", str(tmp_path),
            "--no-progress", *(x for s in sets for x in ("--set", s))]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "tok").exists()


def test_train_config_that_is_valid_still_trains(tmp_path, ary):
    cfg = tmp_path / "tok.yaml"
    cfg.write_text("vocab_size: 1500\nlang_weights: {ary_Arab: 2, und_Latn: 1}\n"
                   "data:\n  - {path: ary_Arab.txt, lang: ary_Arab}\n", encoding="utf-8")  # fmt: skip
    argv = ["tokenizer", "train", str(cfg), "--out", str(tmp_path / "tok"), "--shared", str(tmp_path),
            "--no-progress", "--set", "seed=3"]  # fmt: skip
    assert main(argv) == 0
    card = json.loads((tmp_path / "tok" / "tokenizer_card.json").read_text(encoding="utf-8"))
    assert card["sampling"]["seed"] == 3 and card["sampling"]["lang_weights"] == {
        "ary_Arab": 2,
        "und_Latn": 1,
    }


def test_train_refuses_a_user_folder_before_reading_data(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    argv = ["tokenizer", "train", "--data", str(tmp_path / "missing.txt"), "--out", str(out)]
    assert main(argv) == 2
    assert "not an aimm tokenizer folder" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


# ------------------------------------------------------------------ non-UTF-8 config files


@pytest.mark.parametrize(
    "argv",
    [
        lambda p, t: ["tokenizer", "train", str(p), "--out", str(t / "tok")],
        lambda p, t: ["tasks", "validate", str(p)],
        lambda p, t: ["finetune", str(p)],
    ],
    ids=["tokenizer-train", "tasks-validate", "finetune"],
)
def test_non_utf8_config_names_file_and_line(tmp_path, capsys, argv):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_bytes(b"# settings\nseed: 1  # caf\xe9\n")
    assert main(argv(cfg, tmp_path)) == 2
    err = capsys.readouterr().err
    assert f"{cfg}:2: invalid UTF-8 at byte offset 25 (byte 0xe9)" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cfg.yaml"]
