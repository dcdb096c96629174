"""One output policy for every command that writes a folder (issue 17, Build, first bullet).

For each command: a folder holding a user's file is never modified (with or without the overwrite
option); the command's own earlier output is replaced only with the overwrite option, and not when
files of the user's were added to it; a failure midway leaves the earlier output byte-identical; no
hidden staging folder is left behind. Plus the repros of HIGH items 2 and 3, leftovers of killed runs,
and messages that name the path the user gave.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from aimm_nlp._io import atomic_output, clean_stale_temps
from aimm_nlp._outdir import KINDS, STAGING_NOTE, clean_leftovers
from aimm_nlp.cli import main

sys.path.insert(0, str(Path(__file__).parents[1] / "finetune"))
from ft_helpers import TWEETS, base_cfg, build_tokenizer, write_tsv

LABELS = sorted({lab for _, lab in TWEETS})
TEXTS = {
    "ary_Arab": ["واش نتا مزيان؟", "كنبغي نمشي للدار", "شحال هادي ما شفتك", "الله يعاونك أ خويا", "ⴰⵣⵓⵍ"],
    "ary_Latn": ["salam labas 3lik", "wach nta mzyan?", "bghit nmchi l dar", "chhal hadi ma chftek 😅"],
}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small valid inputs of every command."""
    w = tmp_path_factory.mktemp("work")
    for lang, texts in TEXTS.items():
        (w / f"{lang}.txt").write_text("\n".join(texts * 3) + "\n", "utf-8")
    (w / "in.txt").write_text("salam labas\nwaaaaa3r bzzaf\nⴰⵣⵓⵍ\n", "utf-8")
    (w / "pairs.tsv").write_text("latin\tarabic\n3lach\tعلاش\nwakha\tواخا\nbzaf\tبزاف\n", "utf-8")
    rows = [("salam labas", "ary_Latn"), ("wach nta mzyan", "ary_Latn"), ("bonjour tout le monde", "fra_Latn"),
            ("merci beaucoup", "fra_Latn")]  # fmt: skip
    (w / "train.tsv").write_text("text\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab in rows), "utf-8")
    run = {
        "results": {
            "ary_sentiment": {"alias": "ary_sentiment", "acc,none": 0.5, "acc_ci95,none": [0.4, 0.6]}
        },
        "higher_is_better": {"ary_sentiment": {"acc": True}},
        "lang": {"ary_sentiment": "ary_Arab"},
    }
    (w / "run.json").write_text(json.dumps(run), "utf-8")
    for split in ("dev", "devtest"):
        (w / "flores" / split).mkdir(parents=True)
        for lang in ("eng_Latn", "ary_Latn"):
            (w / "flores" / split / f"{lang}.{split}").write_text("how are you\nlabas 3lik\n", "utf-8")
    corpus = {"sources": [{"path": str(w / "ary_Latn.txt"), "lang": "ary_Latn"}], "clean": {"min_chars": 2},
              "output": {"dir": "unused", "describe": True}, "progress": False}  # fmt: skip
    (w / "corpus.yaml").write_text(yaml.safe_dump(corpus, allow_unicode=True), "utf-8")
    tok = build_tokenizer(w / "fttok")
    write_tsv(
        w / "tweets.tsv", ["ID", "tweet", "label"], [(f"t{i}", t, lab) for i, (t, lab) in enumerate(TWEETS)]
    )
    raw = base_cfg("sequence_classification", tok, w / "tweets.tsv", w / "unused",
                   data__text_column="tweet", data__labels=LABELS, optim__max_steps=1)  # fmt: skip
    (w / "ft.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    assert main(["tokenizer", "train", "--data", str(w / "ary_Arab.txt"), str(w / "ary_Latn.txt"),
                 "--vocab-size", "2500", "--no-progress", "--out", str(w / "base_tok")]) == 0  # fmt: skip
    return w


# name: (argv before the output, how the output is given, overwrite option, marker, step made to fail)
COMMANDS = {
    "corpus build": (["corpus", "build", "{W}/corpus.yaml"], "output.dir=", "output.overwrite=true",
                     "manifest.json", "aimm_nlp.corpus.stats.describe"),
    "finetune": (["finetune", "--quiet", "{W}/ft.yaml"], "run.output_dir=", "run.overwrite=true",
                 ".aimm_run.json", "aimm_nlp.finetune.card.write_card"),
    "tokenizer train": (["tokenizer", "train", "--data", "{W}/ary_Arab.txt", "{W}/ary_Latn.txt", "--vocab-size",
                         "2500", "--no-progress"], "--out", "--overwrite", "tokenizer_card.json",
                        "aimm_nlp.tokenization._hf.train_hf"),
    "tokenizer extend": (["tokenizer", "extend", "--base", "{W}/base_tok", "--data", "{W}/ary_Arab.txt",
                          "--n-new-tokens", "5", "--no-progress"], "--out", "--overwrite", "tokenizer_card.json",
                         "aimm_nlp.tokenization.extend.ExtendedTokenizer.to_transformers"),
    "tokenizer eval": (["tokenizer", "eval", "--tokenizer", "t={W}/base_tok", "--flores", "{W}/flores",
                        "--no-progress"], "--out", "--overwrite", ".aimm_output.json",
                       "aimm_nlp.tokenization.evaluate.TokenizerReport.to_png"),
    "langid train": (["langid", "train", "--data", "{W}/train.tsv", "--text-col", "text", "--label-col", "label",
                      "--bits", "12"], "--out", "--overwrite", "config.json", "aimm_nlp.text.langid._train._save"),
    "translit train": (["translit", "train", "--pairs", "{W}/pairs.tsv", "--src-col", "latin", "--dst-col",
                        "arabic", "--iterations", "1"], "--out", "--overwrite", "model.json",
                       "aimm_nlp.text.translit._train.save_joint"),
    "report": (["report", "{W}/run.json"], "--out", "--overwrite", ".aimm_output.json",
               "aimm_nlp.report.tables._csv"),
    "corpus describe": (["corpus", "describe", "{W}/in.txt", "--no-plots"], "--out", "--overwrite",
                        ".aimm_output.json", "aimm_nlp.corpus.stats.CorpusStats.to_markdown"),
}  # fmt: skip
#: what a user's folder holds: notes, and files named like the commands' own (an HF model folder)
USER_FILES = {
    "notes.md": "ملاحظات ديالي: ⴰⵣⵓⵍ، salam 3lik 😅\n",
    "config.json": '{"model_type": "bert", "architectures": ["BertForMaskedLM"]}\n',
    "tokenizer.json": '{"version": "1.0"}\n',
    "manifest.json": '{"mine": true}\n',
    "model.json": "{}\n",
    "leaderboard.md": "| my | table |\n",
    "stats.json": "{}\n",
    "sub/weights.safetensors": "\x00precious",
}


def argv(name: str, work: Path, out: Path, *, overwrite: bool = False) -> list[str]:
    before, how, option, _, _ = COMMANDS[name]
    args = [a.format(W=work) for a in before]
    args += [f"{how}{out}"] if how.endswith("=") else [how, str(out)]
    return args + ([option] if overwrite else [])


def snapshot(root: Path) -> dict[str, bytes | None]:
    """``root`` and everything under it, with bytes (None for a folder) and modes."""
    paths = [root, *sorted(root.rglob("*"))]
    return {str(p.relative_to(root.parent)): (None if p.is_dir() else p.read_bytes(), p.stat().st_mode)
            for p in paths}  # fmt: skip


def hidden_siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def user_folder(out: Path) -> Path:
    for name, text in USER_FILES.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, "utf-8")
    return out


def refused(args: list[str], out: Path, capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    before = snapshot(out)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(out) in err and all(n in err for n in needles), err
    assert ".aimm-new" not in err and ".aimm-old" not in err
    assert snapshot(out) == before and hidden_siblings(out) == []
    return err


@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_user_folder_is_never_modified(name, overwrite, work, tmp_path, capsys) -> None:
    out = user_folder(tmp_path / "my_model")
    refused(argv(name, work, out, overwrite=overwrite), out, capsys, "notes.md", "never")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_link_to_a_folder_is_refused_and_its_target_kept(name, work, tmp_path, capsys) -> None:
    target = user_folder(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    before = snapshot(target)
    assert main(argv(name, work, link, overwrite=True)) == 2
    err = capsys.readouterr().err
    assert f"{link}: is a link" in err and "Traceback" not in err
    assert snapshot(target) == before and link.is_symlink() and hidden_siblings(link) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_own_output_is_replaced_only_with_the_overwrite_option(name, work, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(argv(name, work, out)) == 0
    marker = COMMANDS[name][3]
    assert (out / marker).is_file() and hidden_siblings(out) == []
    refused(argv(name, work, out), out, capsys, COMMANDS[name][2])  # no option: kept as it was
    stamp = out / marker
    os.utime(stamp, (1, 1))
    assert main(argv(name, work, out, overwrite=True)) == 0
    assert stamp.stat().st_mtime > 1 and hidden_siblings(out) == []  # really rewritten, nothing left over
    (out / "notes.md").write_text("mine\n", "utf-8")  # the user adds a file: no longer only aimm's
    refused(argv(name, work, out, overwrite=True), out, capsys, "aimm did not write (notes.md)")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_failure_midway_leaves_the_earlier_output_intact(name, work, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"
    assert main(argv(name, work, out)) == 0
    before = snapshot(out)

    def boom(*args, **kwargs):
        raise RuntimeError("killed midway")

    monkeypatch.setattr(COMMANDS[name][4], boom)
    with pytest.raises(RuntimeError, match="killed midway"):
        main(argv(name, work, out, overwrite=True))
    assert snapshot(out) == before and hidden_siblings(out) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_empty_folder_is_used_without_the_option(name, work, tmp_path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert main(argv(name, work, out)) == 0
    assert (out / COMMANDS[name][3]).is_file() and hidden_siblings(out) == []


# --- HIGH 2: `aimm tokenizer train/extend --out DIR` deleted everything in DIR that had a card ---------------


@pytest.mark.parametrize("name", ["tokenizer train", "tokenizer extend"])
@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
@pytest.mark.parametrize("extra", ["notes.md", "checkpoints/step-100/model.safetensors", "ⵜⴰⵎⴰⵣⵉⵖⵜ.txt"])
def test_tokenizer_out_with_a_card_and_user_files_is_kept(name, overwrite, extra, work, tmp_path, capsys):
    out = tmp_path / "tok"
    assert main(argv(name, work, out)) == 0
    (out / extra).parent.mkdir(parents=True, exist_ok=True)
    (out / extra).write_text("precious ⴰⵣⵓⵍ\n", "utf-8")
    refused(
        argv(name, work, out, overwrite=overwrite), out, capsys, "aimm did not write", extra.split("/")[0]
    )


# --- HIGH 3: langid/translit train wrote into any folder, file by file -----------------------------------


@pytest.mark.parametrize("name", ["langid train", "translit train"])
@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
@pytest.mark.parametrize(
    "files",
    [
        {"config.json": '{"model_type": "bert"}', "model.safetensors": "\x00w"},  # an HF model folder
        {"config.json": '{"format": "not_aimm"}'},
        {"model.json": '{"kind": "mine"}', "joint.json.gz": "x"},
        {"README.md": "# نموذج ديالي\n"},
        {"words/config.json": "{}"},
    ],
    ids=["hf-model", "other-config", "other-model-json", "readme", "nested"],
)
def test_model_training_never_writes_into_a_foreign_folder(name, overwrite, files, work, tmp_path, capsys):
    out = tmp_path / "hf_model"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, "utf-8")
    refused(argv(name, work, out, overwrite=overwrite), out, capsys, "is never written into or replaced")


def test_a_full_disk_names_the_output_not_the_staging_folder(work, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "model"

    def full(model, folder, meta, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(folder) / "joint.json.gz"))

    monkeypatch.setattr("aimm_nlp.text.translit._train.save_joint", full)
    assert main(argv("translit train", work, out)) == 2
    err = capsys.readouterr().err
    assert f"{out}/joint.json.gz" in err and "aimm-new" not in err and "No space left" in err
    assert not out.exists() and hidden_siblings(out) == []


# --- demo and cp ----------------------------------------------------------------------------------------


def test_demo_refuses_a_user_folder(tmp_path, monkeypatch, capsys) -> None:
    def started(*args, **kwargs):
        raise AssertionError("the demo must refuse --out before its first step")

    monkeypatch.setattr("aimm_nlp.demo._stages.step_corpus", started)
    out = user_folder(tmp_path / "my_model")
    refused(["demo", "--no-progress", "--out", str(out)], out, capsys, "notes.md")


@pytest.mark.parametrize("option", [[], ["--overwrite"], ["--force"]])
def test_cp_touches_only_the_file_it_names(option, tmp_path, capsys) -> None:
    out = user_folder(tmp_path / "project")
    (out / "ary_sentiment.yaml").write_text("# my edited config\n", "utf-8")
    before = snapshot(out)
    code = main(["cp", "ary_sentiment", f"{out}/", *option])
    after = snapshot(out)
    changed = {k for k in before if before[k] != after.get(k)} | (after.keys() - before.keys())
    if option:
        assert code == 0 and changed == {"project/ary_sentiment.yaml"}
    else:
        assert code == 2 and "--force (or --overwrite)" in capsys.readouterr().err and changed == set()


# --- leftovers of killed runs ----------------------------------------------------------------------------


def dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)  # fmt: skip


def test_leftover_staging_folders_are_cleaned_only_when_ours_and_dead(tmp_path) -> None:
    out, kind, dead = tmp_path / "model", KINDS["langid train"], dead_pid()
    note = json.dumps({"command": kind.command, "pid": dead})
    cases = {  # name: (note, files, removed?)
        f".model.aimm-new.{dead}-00000001": (note, {"weights.npz": "x"}, True),
        f".model.aimm-old.{dead}-00000002": (note, {"model/config.json": "{}"}, True),
        f".model.aimm-new.{dead}-00000003": (None, {}, True),  # killed before the note was written
        f".model.aimm-new.{dead}-00000004": (None, {"mine.txt": "x"}, False),  # no note: not ours
        f".model.aimm-new.{dead}-00000005": (json.dumps({"command": "aimm report"}), {}, False),  # another's
        f".model.aimm-new.{os.getpid()}-00000006": (note, {}, False),  # its writer still runs
        f".model.aimm-new.x{dead}-00000007": (note, {}, False),  # not our name pattern
        f".other.aimm-new.{dead}-00000008": (note, {}, False),  # another output's
        ".model.aimm-new": (note, {}, False),
    }
    for name, (text, files, _) in cases.items():
        (tmp_path / name).mkdir()
        if text is not None:
            (tmp_path / name / STAGING_NOTE).write_text(text, "utf-8")
        for rel, data in files.items():
            (tmp_path / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / rel).write_text(data, "utf-8")
    removed = {p.name for p in clean_leftovers(out, kind)}
    assert removed == {name for name, (_, _, gone) in cases.items() if gone}
    assert all((tmp_path / name).is_dir() != gone for name, (_, _, gone) in cases.items())


def test_stale_temporary_files_of_atomic_output_are_cleaned(tmp_path) -> None:
    target, dead = tmp_path / "out.txt", dead_pid()
    day_ago = time.time() - 25 * 3600
    cases = {  # name: (age in the past, removed?)
        f".out.txt.{dead}-abcd_123.tmp": (None, True),  # its writer was killed
        f".out.txt.{os.getpid()}-abcd_124.tmp": (None, False),  # a running writer's
        ".out.txt.abcd_125.tmp": (None, False),  # older versions' name, recent: maybe still written
        ".out.txt.abcd_126.tmp": (day_ago, True),  # ... and a day old: stale
        ".out.txt.notes.tmp": (day_ago, False),  # not our name pattern
        f".other.txt.{dead}-abcd_127.tmp": (None, False),  # another file's
        "out.txt.tmp": (day_ago, False),
    }
    for name, (age, _) in cases.items():
        (tmp_path / name).write_text("partial", "utf-8")
        if age is not None:
            os.utime(tmp_path / name, (age, age))
    with atomic_output(target) as fh:
        fh.write("ⴰⵣⵓⵍ\n")
    assert target.read_text("utf-8") == "ⴰⵣⵓⵍ\n"
    assert {n for n, (_, gone) in cases.items() if not (tmp_path / n).exists()} == {
        n for n, (_, gone) in cases.items() if gone
    }
    assert clean_stale_temps(target) == []


KILLED_WRITER = """
import os, signal, sys
from aimm_nlp._io import atomic_output
from aimm_nlp._outdir import KINDS, output_folder
sig = getattr(signal, sys.argv[3])
if sys.argv[1] == "folder":
    with output_folder(sys.argv[2], KINDS["report"], overwrite=True) as tmp:
        (tmp / "leaderboard.md").write_text("half", "utf-8")
        os.kill(os.getpid(), sig)
else:
    with atomic_output(sys.argv[2]) as fh:
        fh.write("half")
        fh.flush()
        os.kill(os.getpid(), sig)
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGKILL"])
def test_what_a_killed_run_leaves_is_cleaned_by_the_next_run(sig, work, tmp_path) -> None:
    out, text = tmp_path / "report", tmp_path / "langs.tsv"
    assert main(argv("report", work, out)) == 0
    before = snapshot(out)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    for what, target in (("folder", out), ("file", text)):
        proc = subprocess.run(
            [sys.executable, "-c", KILLED_WRITER, what, str(target), sig], env=env, check=False
        )
        assert proc.returncode == -getattr(signal, sig)
    assert snapshot(out) == before and not text.exists()  # the old output is intact, no partial file
    assert len(hidden_siblings(out)) == 1 and len(hidden_siblings(text)) == 1  # the killed runs' leftovers
    assert main(argv("report", work, out, overwrite=True)) == 0
    with atomic_output(text) as fh:
        fh.write("ary_Latn\tsalam\n")
    assert hidden_siblings(out) == [] and hidden_siblings(text) == []
