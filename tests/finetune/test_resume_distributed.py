"""Crash safety and distribution: SIGKILL + resume is bit-identical; 2 gloo ranks == 1 process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from ft_helpers import base_cfg  # noqa: E402

from aimm_nlp.finetune import FinetuneConfig, finetune  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

SLOW_CHILD = """
import json, sys, time
from aimm_nlp.finetune import FinetuneConfig, finetune
raw = json.loads(open(sys.argv[1], encoding="utf-8").read())
def slow(state):  # give the parent time to kill us between checkpoints
    time.sleep(0.4)
finetune(FinetuneConfig.from_dict(raw), callbacks=[slow])
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
    child.write_text(SLOW_CHILD, encoding="utf-8")
    log = tmp_path / "child.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, str(child), str(spec)], env=_env(), stderr=err)
        ck = tmp_path / "killed" / "checkpoints" / "step-00000006"
        deadline = time.monotonic() + 120
        while not ck.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, log.read_text(errors="replace")[-2000:]
    assert not (tmp_path / "killed" / "model").exists()  # really killed mid-way
    raw["run"]["resume"] = True
    res = finetune(FinetuneConfig.from_dict(raw))
    assert res.steps == 10
    a, b = _weights(ref.model_dir), _weights(res.model_dir)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    steps = [json.loads(x)["step"] for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 11))  # lines after the checkpoint were rewound, none repeated


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_addr=127.0.0.1",
        f"--master_port={_free_port()}",
        "-m",
        "aimm_nlp",
        "finetune",
        str(cfg_file),
        "--quiet",
    ]
    out = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]

    def curve(path):
        return [json.loads(x)["loss"] for x in (path / "metrics.jsonl").read_text().splitlines()]

    a, b = curve(ref.output_dir), curve(tmp_path / "two")
    assert len(a) == len(b) == 6
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-5, (a, b)
    wa, wb = _weights(ref.model_dir), _weights(tmp_path / "two" / "model")
    assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) < 1e-4
