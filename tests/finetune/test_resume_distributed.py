"""Crash safety and distribution: SIGKILL + resume is bit-identical; 2 gloo ranks == 1 process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import torch
from ft_helpers import base_cfg, torchrun_finetune

from aimm_nlp.finetune import FinetuneConfig, finetune

REPO = Path(__file__).resolve().parents[2]

# Callbacks run after an optimizer step and before that step's checkpoint, so at step 8 (save_every=3)
# checkpoint 6 is on disk and step 7's metrics line is logged: the child dies there, on any machine load.
KILLED_CHILD = """
import json, os, signal, sys
from aimm_nlp.finetune import FinetuneConfig, finetune
raw = json.loads(open(sys.argv[1], encoding="utf-8").read())
kill_at = int(sys.argv[2])
def die(state):
    if state.step == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
finetune(FinetuneConfig.from_dict(raw), callbacks=[die])
"""


def _weights(model_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(model_dir / "model.safetensors"))


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    return env


def test_sigkill_then_resume_is_bit_identical(tok_dir, data_dir, tmp_path):
    extra = dict(
        optim__max_steps=10,
        optim__scheduler="linear",
        optim__warmup_steps=2,
        run__save_every=3,
        data__max_tokens=128,
    )
    ref = finetune(
        FinetuneConfig.from_dict(
            base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "ref", **extra)
        )
    )
    raw = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "killed", **extra)
    spec = tmp_path / "cfg.json"
    spec.write_text(json.dumps(raw), encoding="utf-8")
    child = tmp_path / "child.py"
    child.write_text(KILLED_CHILD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(child), str(spec), "8"], env=_env(), capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    killed = tmp_path / "killed"
    assert not (killed / "model").exists()  # really killed mid-way
    assert [p.name for p in sorted((killed / "checkpoints").iterdir())] == ["step-00000003", "step-00000006"]
    logged = [json.loads(x)["step"] for x in (killed / "metrics.jsonl").read_text().splitlines()]
    assert logged == list(range(1, 8))  # step 7 ran after the checkpoint: resume must redo it
    raw["run"]["resume"] = True
    res = finetune(FinetuneConfig.from_dict(raw))
    assert res.steps == 10
    a, b = _weights(ref.model_dir), _weights(res.model_dir)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    steps = [json.loads(x)["step"] for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 11))  # lines after the checkpoint were rewound, none repeated


def test_two_gloo_ranks_match_one_process(tok_dir, data_dir, tmp_path):
    """Tolerance: 1e-5 absolute on every step's loss (float sums in another order across ranks)."""
    import yaml

    extra = dict(optim__max_steps=6, data__max_tokens=128)
    one = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "one", **extra)
    one["optim"]["grad_accum"] = 2
    ref = finetune(FinetuneConfig.from_dict(one))
    two = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "two", **extra)
    cfg_file = tmp_path / "ddp.yaml"
    cfg_file.write_text(yaml.safe_dump(two), encoding="utf-8")
    cmd = torchrun_finetune(cfg_file)
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]

    def curve(path):
        return [json.loads(x)["loss"] for x in (path / "metrics.jsonl").read_text().splitlines()]

    a, b = curve(ref.output_dir), curve(tmp_path / "two")
    assert len(a) == len(b) == 6
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-5, (a, b)
    wa, wb = _weights(ref.model_dir), _weights(tmp_path / "two" / "model")
    assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) < 1e-4
    # run.json says how each run was spread (accelerate's launcher: tests/finetune/test_launch.py)
    one_info = json.loads((ref.output_dir / "run.json").read_text(encoding="utf-8"))["distributed"]
    two_info = json.loads((tmp_path / "two" / "run.json").read_text(encoding="utf-8"))["distributed"]
    assert (one_info["world_size"], one_info["backend"], one_info["launcher"]) == (1, None, "none")
    assert (two_info["world_size"], two_info["backend"], two_info["launcher"]) == (2, "gloo", "torchrun")
    assert [(d["rank"], d["device"]) for d in two_info["devices"]] == [(0, "cpu"), (1, "cpu")]
