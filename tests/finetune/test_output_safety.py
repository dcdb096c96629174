"""run.overwrite / run.resume never touch a folder aimm did not write; an earlier run survives a failed one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from ft_helpers import LABELS, base_cfg

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError
from aimm_nlp.finetune import FinetuneConfig, finetune
from aimm_nlp.finetune.run import RUN_MARKER, is_run_dir


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def _cfg(tok_dir: Path, data_dir: Path, out: Path, **extra) -> dict:
    extra = {"data__text_column": "tweet", "data__labels": LABELS, "optim__max_steps": 2, **extra}
    return base_cfg("sequence_classification", tok_dir, data_dir / "tweets.tsv", out, **extra)


def _cli(tmp_path: Path, raw: dict, *overrides: str) -> int:
    cfg = tmp_path / "ft.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return main(["finetune", "--quiet", str(cfg), *overrides])


def _hidden_siblings(out: Path) -> list[str]:
    return [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


@pytest.fixture
def user_project(tmp_path: Path) -> Path:
    project = tmp_path / "runs" / "userproj"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('salam')\n", encoding="utf-8")
    (project / "notes.txt").write_text("ملاحظات: ⴰⵣⵓⵍ\n", encoding="utf-8")
    (project / "model").mkdir()  # a folder name aimm also uses must not make it look like a run
    (project / "model" / "weights.bin").write_bytes(b"\x00\x01precious")
    return project


@pytest.mark.parametrize("option", ["run.overwrite=true", "run.resume=true", "run.seed=1"])
def test_a_user_folder_is_refused_and_left_byte_identical(
    tok_dir, data_dir, tmp_path, user_project, capsys, option
):
    before = snapshot(user_project)
    assert _cli(tmp_path, _cfg(tok_dir, data_dir, user_project), option) == 2
    err = capsys.readouterr().err
    assert f"run.output_dir {user_project}" in err and "not an aimm run folder" in err
    assert "Traceback" not in err
    assert snapshot(user_project) == before
    assert _hidden_siblings(user_project) == []


def test_a_file_is_never_a_run_folder(tok_dir, data_dir, tmp_path, capsys):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapitre 1\n", encoding="utf-8")
    assert _cli(tmp_path, _cfg(tok_dir, data_dir, thesis), "run.overwrite=true") == 2
    assert f"run.output_dir {thesis}: is a file" in capsys.readouterr().err
    assert thesis.read_text(encoding="utf-8") == "chapitre 1\n"


def test_overwrite_replaces_an_earlier_run_only_once_the_new_one_finished(tok_dir, data_dir, tmp_path):
    out = tmp_path / "run"
    first = finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))
    assert (out / RUN_MARKER).is_file() and is_run_dir(out)
    with pytest.raises(ConfigError, match=r"run\.overwrite=true to replace it"):
        finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))
    raw = _cfg(tok_dir, data_dir, out, optim__max_steps=3, run__overwrite=True)
    seen: list[bool] = []
    # while the new run trains, the earlier one is untouched in place
    second = finetune(
        FinetuneConfig.from_dict(raw), callbacks=[lambda s: seen.append(first.model_dir.is_dir())]
    )
    assert seen and all(seen)
    assert second.output_dir == out and second.model_dir == out / "model" and second.steps == 3
    steps = [json.loads(x)["step"] for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]
    summary = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert summary["output_dir"] == str(out) and summary["steps"] == 3
    assert (out / "model" / "config.json").is_file() and not (out / ".model.tmp").exists()
    assert _hidden_siblings(out) == []


def test_interrupted_overwrite_keeps_the_earlier_run(tok_dir, data_dir, tmp_path):
    out = tmp_path / "run"
    finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))
    before = snapshot(out)

    def ctrl_c(state):
        raise KeyboardInterrupt

    raw = _cfg(tok_dir, data_dir, out, optim__max_steps=3, run__overwrite=True)
    with pytest.raises(KeyboardInterrupt):
        finetune(FinetuneConfig.from_dict(raw), callbacks=[ctrl_c])
    assert snapshot(out) == before
    assert _hidden_siblings(out) == []


def test_overwrite_refuses_a_run_holding_user_files(tok_dir, data_dir, tmp_path, capsys):
    out = tmp_path / "run"
    finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))
    (out / "analysis.ipynb").write_text("{}", encoding="utf-8")
    before = snapshot(out)
    assert _cli(tmp_path, _cfg(tok_dir, data_dir, out), "run.overwrite=true") == 2
    err = capsys.readouterr().err
    assert str(out) in err and "aimm did not write (analysis.ipynb)" in err
    assert snapshot(out) == before


def test_resume_keeps_user_files_in_a_run(tok_dir, data_dir, tmp_path):
    out = tmp_path / "run"
    finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out, run__save_every=1)))
    (out / "analysis.ipynb").write_text("{}", encoding="utf-8")
    res = finetune(
        FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out, optim__max_steps=3, run__resume=True))
    )
    assert res.steps == 3 and res.output_dir == out
    assert (out / "analysis.ipynb").read_text(encoding="utf-8") == "{}"


def test_an_empty_folder_and_a_run_without_marker_are_accepted(tok_dir, data_dir, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))  # empty: no option needed
    (out / RUN_MARKER).unlink()  # a run written before the marker existed
    assert is_run_dir(out)
    res = finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out, run__overwrite=True)))
    assert res.steps == 2 and (out / RUN_MARKER).is_file()


def test_a_user_config_yaml_does_not_make_a_run(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "config.yaml").write_text(
        yaml.safe_dump(
            {"task": "causal_lm", "model": {}, "data": {}, "optim": {}, "run": {"output_dir": "proj"}}
        ),
        encoding="utf-8",
    )
    assert not is_run_dir(folder)


def test_leftovers_of_a_killed_overwrite_are_cleaned_but_foreign_ones_kept(tok_dir, data_dir, tmp_path):
    import subprocess
    import sys

    from aimm_nlp._outdir import STAGING_NOTE

    out = tmp_path / "run"
    finetune(FinetuneConfig.from_dict(_cfg(tok_dir, data_dir, out)))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    killed = tmp_path / f".run.aimm-new.{dead}-0123abcd"  # what a kill -9 during an overwrite leaves
    killed.mkdir()
    (killed / STAGING_NOTE).write_text(json.dumps({"command": "aimm finetune", "pid": int(dead)}), "utf-8")
    (killed / RUN_MARKER).write_text('{"written_by": "aimm_nlp.finetune"}', encoding="utf-8")
    (killed / "metrics.jsonl").write_text('{"step": 1}\n', encoding="utf-8")
    foreign = tmp_path / f".run.aimm-new.{dead}-4567cdef"  # same name pattern, but not aimm's
    foreign.mkdir()
    (foreign / "mine.txt").write_text("not aimm's\n", encoding="utf-8")
    alive = tmp_path / f".run.aimm-old.{os.getpid()}-89abcdef"  # a running process's: left alone
    alive.mkdir()
    (alive / STAGING_NOTE).write_text('{"command": "aimm finetune"}', encoding="utf-8")
    assert _cli(tmp_path, _cfg(tok_dir, data_dir, out), "run.overwrite=true") == 0
    assert not killed.exists() and alive.is_dir()
    assert (foreign / "mine.txt").read_text(encoding="utf-8") == "not aimm's\n"
    assert sorted(_hidden_siblings(out)) == sorted([foreign.name, alive.name])
