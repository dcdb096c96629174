"""Output paths: symlinks, FIFOs, /dev/null and /dev/fd/N are written through, never replaced; a folder,
a file in the way, no permission or a closed stdout is one message and exit code 2, with nothing written."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from aimm_nlp._io import atomic_output
from aimm_nlp.cli import main


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess[bytes]:
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "aimm_nlp", *args], timeout=120, check=False, **kwargs)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Small valid inputs for every command, and ``blocker``: a file standing where a folder would go."""
    (tmp_path / "in.txt").write_text("salam labas\nbonjour\n", "utf-8")
    (tmp_path / "pairs.tsv").write_text("latin\tarabic\n3lach\tعلاش\nwakha\tواخا\n", "utf-8")
    rows = ["salam labas", "wach nta mzyan", "bonjour tout le monde", "merci beaucoup"]
    labels = ["ary_Latn", "ary_Latn", "fra_Latn", "fra_Latn"]
    table = "text\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab in zip(rows, labels, strict=True))
    (tmp_path / "train.tsv").write_text(table, "utf-8")
    run = {
        "results": {
            "ary_sentiment": {"alias": "ary_sentiment", "acc,none": 0.5, "acc_ci95,none": [0.4, 0.6]}
        },
        "higher_is_better": {"ary_sentiment": {"acc": True}},
        "lang": {"ary_sentiment": "ary_Arab"},
    }
    (tmp_path / "run.json").write_text(json.dumps(run), "utf-8")
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        ["salam labas", "how are you"], trainers.BpeTrainer(vocab_size=60, show_progress=False)
    )
    tok.save(str(tmp_path / "tok.json"))
    for split in ("dev", "devtest"):
        (tmp_path / "flores" / split).mkdir(parents=True)
        for lang in ("eng_Latn", "ary_Latn"):
            (tmp_path / "flores" / split / f"{lang}.{split}").write_text("how are you\nfine\n", "utf-8")
    (tmp_path / "blocker").write_text("precious\n", "utf-8")
    (tmp_path / "adir").mkdir()
    return tmp_path


# {W}: the work folder; OUT is appended by each test.
COMMANDS = {
    "normalize": (["normalize", "{W}/in.txt", "-o"], "file"),
    "translit": (["translit", "{W}/in.txt", "-o"], "file"),
    "langid": (["langid", "{W}/in.txt", "-o"], "file"),
    "cp": (["cp", "ary_sentiment"], "file"),
    "report": (["report", "{W}/run.json", "--out"], "folder"),
    "corpus describe": (["corpus", "describe", "{W}/in.txt", "--no-plots", "--out"], "folder"),
    "tokenizer eval": (
        [
            "tokenizer",
            "eval",
            "--tokenizer",
            "t={W}/tok.json",
            "--flores",
            "{W}/flores",
            "--no-progress",
            "--out",
        ],
        "folder",
    ),
    "translit train": (
        [
            "translit",
            "train",
            "--pairs",
            "{W}/pairs.tsv",
            "--src-col",
            "latin",
            "--dst-col",
            "arabic",
            "--out",
        ],
        "folder",
    ),
    "langid train": (
        ["langid", "train", "--data", "{W}/train.tsv", "--text-col", "text", "--label-col", "label", "--out"],
        "folder",
    ),
    "demo": (["demo", "--no-progress", "--out"], "folder"),
}


def _argv(name: str, work: Path, out: Path) -> list[str]:
    return [a.format(W=work) for a in COMMANDS[name][0]] + [str(out)]


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _check_refused(work: Path, argv: list[str], capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    before = _listing(work)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("aimm ") and "error:" in err and all(n in err for n in needles), err
    assert _listing(work) == before  # nothing written, no folder made, no temporary file left
    assert (work / "blocker").read_text("utf-8") == "precious\n"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_file_in_the_way_of_the_output_folder(
    name: str, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_refused(work, _argv(name, work, work / "blocker" / "sub"), capsys, "blocker")


@pytest.mark.parametrize("name", [n for n, (_, kind) in COMMANDS.items() if kind == "folder"])
def test_an_existing_file_given_as_the_output_folder(
    name: str, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_refused(work, _argv(name, work, work / "blocker"), capsys, "blocker")


@pytest.mark.parametrize(
    "argv",
    [
        ["normalize", "{W}/in.txt", "-o"],
        ["translit", "{W}/in.txt", "-o"],
        ["langid", "{W}/in.txt", "-o"],
        ["translit", "eval", "--pairs", "{W}/pairs.tsv", "--src-col", "latin", "--dst-col", "arabic", "-o"],
        ["eval", "--model", "{W}/no-model", "--tasks", "ary_sentiment", "--output"],
    ],
    ids=["normalize", "translit", "langid", "translit eval", "eval"],
)
def test_a_folder_given_as_the_output_file(
    argv: list[str], work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _check_refused(work, [a.format(W=work) for a in argv] + [str(work / "adir")], capsys, "adir", "folder")


def test_missing_folders_are_made_on_success_and_removed_on_failure(work: Path) -> None:
    assert main(["normalize", str(work / "missing.txt"), "-o", str(work / "new" / "sub" / "out.txt")]) == 2
    assert not (work / "new").exists()
    assert main(["normalize", str(work / "in.txt"), "-o", str(work / "new" / "sub" / "out.txt")]) == 0
    assert (work / "new" / "sub" / "out.txt").read_text("utf-8") == "salam labas\nbonjour\n"


def test_a_symlink_stays_a_link_and_its_target_is_replaced(work: Path) -> None:
    real, link = work / "real.txt", work / "link.txt"
    real.write_text("old\n", "utf-8")
    real.chmod(0o640)
    link.symlink_to("real.txt")
    assert main(["normalize", str(work / "in.txt"), "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == "real.txt"
    assert real.read_text("utf-8") == "salam labas\nbonjour\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the replaced file keeps its mode
    dangling = work / "dangling.txt"
    dangling.symlink_to("made-by-the-write.txt")
    assert main(["normalize", str(work / "in.txt"), "-o", str(dangling)]) == 0
    assert dangling.is_symlink() and (work / "made-by-the-write.txt").read_text("utf-8").startswith("salam")


def test_a_fifo_is_written_through(work: Path) -> None:
    fifo = work / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["normalize", str(work / "in.txt"), "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert got == [b"salam labas\nbonjour\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".pipe")) == []


def test_dev_null_is_written_through() -> None:
    before = os.lstat("/dev/null")
    assert stat.S_ISCHR(before.st_mode)  # guard: never run against a damaged /dev
    with atomic_output("/dev/null") as fh:
        fh.write("discarded\n")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not [p for p in os.listdir("/dev") if p.startswith(".null.")]


def test_dev_fd_output_appends_to_what_the_shell_opened(work: Path) -> None:
    """`-o /dev/stdout >> log`: /dev/fd/1 is written through; the log keeps its lines and its inode."""
    log = work / "log.txt"
    log.write_text("earlier\n", "utf-8")
    inode = log.stat().st_ino
    with open(log, "ab") as fh:
        proc = run_cli(
            "normalize", str(work / "in.txt"), "-o", "/dev/fd/1", stdout=fh, stderr=subprocess.PIPE
        )
    assert proc.returncode == 0, proc.stderr
    assert log.read_text("utf-8") == "earlier\nsalam labas\nbonjour\n" and log.stat().st_ino == inode


def test_library_callers_get_os_errors_before_the_block_runs(work: Path) -> None:
    ran = []
    with pytest.raises(IsADirectoryError), atomic_output(work / "adir"):
        ran.append(1)
    with pytest.raises(NotADirectoryError, match="blocker is a file, not a folder"):
        with atomic_output(work / "blocker" / "x" / "out.txt"):
            ran.append(1)
    assert ran == [] and (work / "blocker").read_text("utf-8") == "precious\n"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.EACCES, "Permission denied; choose a place you can write to"),
        (errno.EROFS, "Read-only file system; choose a folder on a writable disk"),
        (errno.ENOSPC, "No space left on device; free some space or write elsewhere"),
    ],
)
def test_os_errors_are_one_line_and_exit_2(
    code: int, message: str, work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # the temporary file of atomic_output
    out = work / "out.txt"
    assert main(["normalize", str(work / "in.txt"), "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"aimm normalize: error: {out}: {message}\n"  # the path asked for
    assert not out.exists()


def test_closed_stdout_is_a_message_and_exit_2(work: Path) -> None:
    proc = run_cli(
        "normalize", str(work / "in.txt"), stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(1)
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "standard output is closed" in err and "Traceback" not in err, err


def test_broken_pipe_stays_silent(work: Path) -> None:
    big = work / "big.txt"
    big.write_text("wach nta mzyan\n" * 200_000, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "aimm_nlp", "normalize", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"wach nta mzyan\n"
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0 and err == b""


@pytest.mark.parametrize("command", ["normalize", "translit", "langid"])
def test_full_disk_names_the_output_file(work: Path, command: str, capsys) -> None:
    """ENOSPC from a write carries no file name; the message must still say which output failed."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    assert main([command, str(work / "in.txt"), "-o", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert "/dev/full: No space left on device" in err and "Traceback" not in err


def test_nameless_write_error_in_atomic_output_names_the_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old\n", "utf-8")
    with pytest.raises(OSError) as info, atomic_output(out) as fh:
        fh.write("new\n")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.filename == str(out) and info.value.errno == errno.ENOSPC
    assert out.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_any_command_prints_arabic_under_an_ascii_locale(work: Path) -> None:
    """`aimm report` lists the files it wrote; an Arabic folder name crashed under PYTHONIOENCODING=ascii."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    out = work / "تقرير"
    proc = run_cli("report", str(work / "run.json"), "--out", str(out), env=env)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert f"{out / 'leaderboard.md'}" in proc.stdout.decode("utf-8")
    assert b"Traceback" not in proc.stderr
