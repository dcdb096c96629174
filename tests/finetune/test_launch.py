"""Launch detection and run.json's ``distributed`` block: torchrun and ``accelerate launch`` on 2 gloo ranks.

``accelerate launch --num_processes 2`` on a machine without GPUs starts ONE process unless
``--multi_gpu`` is given; the fine-tuner recognises that case and warns instead of training silently alone.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ft_helpers import base_cfg, free_port

from aimm_nlp.errors import ConfigError
from aimm_nlp.finetune import FinetuneConfig, finetune
from aimm_nlp.finetune.launch import Launch, detect_launch, warn_single_process

REPO = Path(__file__).resolve().parents[2]

TORCHRUN = {"WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1", "TORCHELASTIC_RUN_ID": "none"}
# what accelerate 1.x sets: several processes (torchrun underneath) / the single-process launcher
ACCEL_MULTI = {**TORCHRUN, "ACCELERATE_MIXED_PRECISION": "no", "ACCELERATE_DYNAMO_BACKEND": "NO"}
ACCEL_SINGLE = {"ACCELERATE_USE_CPU": "False", "ACCELERATE_MIXED_PRECISION": "no", "MASTER_PORT": "29500"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, Launch(world=1, rank=0, local=0, launcher="none")),
        (TORCHRUN, Launch(world=2, rank=1, local=1, launcher="torchrun")),
        (ACCEL_MULTI, Launch(world=2, rank=1, local=1, launcher="accelerate")),
        (ACCEL_SINGLE, Launch(world=1, rank=0, local=0, launcher="accelerate-single")),
        (
            {"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1"},
            Launch(world=4, rank=3, local=1, launcher="env"),
        ),
        ({"WORLD_SIZE": " ", "RANK": ""}, Launch(world=1, rank=0, local=0, launcher="env")),
    ],
)
def test_detect_launch(env: dict, expected: Launch) -> None:
    assert detect_launch(env) == expected


@pytest.mark.parametrize(
    ("env", "needles"),
    [
        ({"WORLD_SIZE": "two"}, ["$WORLD_SIZE='two' is not an integer"]),
        ({"WORLD_SIZE": "2", "RANK": "1.0", "LOCAL_RANK": "x"}, ["$RANK='1.0'", "$LOCAL_RANK='x'"]),
        ({"WORLD_SIZE": "0"}, ["$WORLD_SIZE=0 must be >= 1"]),
        ({"WORLD_SIZE": "2", "RANK": "2"}, ["$RANK=2 and $LOCAL_RANK=0 must lie in [0, $WORLD_SIZE=2)"]),
        ({"WORLD_SIZE": "2", "RANK": "-1"}, ["$RANK=-1"]),
    ],
)
def test_detect_launch_bad_env_lists_every_problem(env: dict, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        detect_launch(env)
    for needle in needles:
        assert needle in str(err.value)


@pytest.mark.parametrize(("env", "warns"), [(ACCEL_SINGLE, True), (ACCEL_MULTI, False), ({}, False)])
def test_single_process_accelerate_launch_warns(env: dict, warns: bool, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="aimm_nlp.finetune.launch"):
        warn_single_process(detect_launch(env))
    text = caplog.text
    assert ("--multi_gpu" in text and "training on 1 process" in text) is warns, text


def test_single_process_run_json(tok_dir, data_dir, tmp_path, monkeypatch, caplog) -> None:
    """A plain call, here under accelerate's single-process launcher: run.json says world 1, and why."""
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ACCEL_SINGLE.items():
        monkeypatch.setenv(name, value)
    cfg = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "run", optim__max_steps=2)
    with caplog.at_level(logging.WARNING, logger="aimm_nlp.finetune.launch"):
        finetune(FinetuneConfig.from_dict(cfg))
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["distributed"]
    assert info["world_size"] == 1 and info["backend"] is None and info["strategy"] is None
    assert info["launcher"] == "accelerate-single"
    assert [d["device"] for d in info["devices"]] == ["cpu"]
    assert "accelerate launch started a single process" in caplog.text


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCELERATE_", "TORCHELASTIC_"))}
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env["HF_HOME"] = str(tmp_path / "hf_home")  # no accelerate default_config.yaml of the user's
    env["OMP_NUM_THREADS"] = "1"
    return env


def _accelerate(cfg_file: Path) -> list[str]:
    return [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
        "--main_process_ip", "127.0.0.1", "--main_process_port", str(free_port()),
        "-m", "aimm_nlp", "finetune", str(cfg_file), "--quiet",
    ]  # fmt: skip


def test_accelerate_launch_runs_two_cpu_processes(tok_dir, data_dir, tmp_path) -> None:
    """``accelerate launch --multi_gpu --num_processes 2`` (the README's CPU command) starts 2 gloo ranks
    and run.json records them (torchrun: test_resume_distributed.py, which also compares the curves)."""
    cfg = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "run", optim__max_steps=2)
    cfg_file = tmp_path / "cfg.yaml"
    cfg_file.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    out = subprocess.run(
        _accelerate(cfg_file), env=_env(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    info = json.loads((tmp_path / "run" / "run.json").read_text(encoding="utf-8"))["distributed"]
    assert info["world_size"] == 2 and info["backend"] == "gloo" and info["strategy"] == "ddp"
    assert info["launcher"] == "accelerate"
    assert [(d["rank"], d["local_rank"], d["device"]) for d in info["devices"]] == [
        (0, 0, "cpu"),
        (1, 1, "cpu"),
    ]
    assert "started a single process" not in out.stderr
