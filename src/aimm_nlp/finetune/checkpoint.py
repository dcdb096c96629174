"""Atomic checkpoints: model weights in safetensors, optimizer/scheduler/RNG as plain tensors.

A checkpoint is written into ``checkpoints/.step-N.tmp`` and renamed to ``checkpoints/step-N`` only
when complete, so a run killed at any moment (even SIGKILL) leaves either a whole checkpoint or
none. Optimizer, scheduler and RNG states are saved with ``torch.save`` and read back with
``torch.load(weights_only=True)``: no pickled code is ever executed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["latest_checkpoint", "load_checkpoint", "save_checkpoint"]


def _dist():
    import torch.distributed as dist

    return dist if dist.is_available() and dist.is_initialized() else None


def _state_dicts(model, optimizer, fsdp: bool):
    if fsdp:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

        opts = StateDictOptions(full_state_dict=True, cpu_offload=True)
        return get_state_dict(model, optimizer, options=opts)
    return model.state_dict(), optimizer.state_dict()


def save_checkpoint(
    root: Path,
    step: int,
    *,
    model,
    optimizer,
    scheduler,
    state: dict[str, Any],
    fsdp: bool = False,
    keep: int = 2,
) -> None:
    """Write checkpoint ``step`` under ``root/checkpoints`` (all ranks call this; rank 0 writes)."""
    import torch
    from safetensors.torch import save_file

    dist = _dist()
    rank = dist.get_rank() if dist else 0
    ckdir = root / "checkpoints"
    tmp, final = ckdir / f".step-{step:08d}.tmp", ckdir / f"step-{step:08d}"
    model_sd, optim_sd = _state_dicts(model, optimizer, fsdp)
    if rank == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    if dist:
        dist.barrier()
    rng = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        rng["cuda"] = torch.cuda.get_rng_state()
    torch.save(rng, tmp / f"rng_{rank}.pt")
    if rank == 0:
        tensors = {k: v.detach().to("cpu").contiguous().clone() for k, v in model_sd.items()}
        save_file(tensors, str(tmp / "model.safetensors"))
        torch.save({"optimizer": optim_sd, "scheduler": scheduler.state_dict()}, tmp / "optim.pt")
        (tmp / "trainer_state.json").write_text(json.dumps(state), encoding="utf-8")
        for f in tmp.iterdir():  # durable before the rename makes the checkpoint visible
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    if dist:
        dist.barrier()
    if rank == 0:
        os.replace(tmp, final)
        for old in sorted(ckdir.glob("step-*"))[:-keep] if keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
    if dist:
        dist.barrier()


def latest_checkpoint(root: Path) -> Path | None:
    """The newest complete checkpoint folder, or None."""
    found = sorted((root / "checkpoints").glob("step-*"))
    return found[-1] if found else None


def load_checkpoint(path: Path, *, model, optimizer, scheduler, fsdp: bool = False) -> dict[str, Any]:
    """Restore model, optimizer, scheduler and this rank's RNG; return the trainer state."""
    import torch
    from safetensors.torch import load_file

    dist = _dist()
    rank = dist.get_rank() if dist else 0
    model_sd = load_file(str(path / "model.safetensors"))
    extra = torch.load(path / "optim.pt", weights_only=True, map_location="cpu")
    if fsdp:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, set_state_dict

        opts = StateDictOptions(full_state_dict=True, broadcast_from_rank0=False)
        set_state_dict(
            model, optimizer, model_state_dict=model_sd, optim_state_dict=extra["optimizer"], options=opts
        )
    else:
        missing, unexpected = model.load_state_dict(model_sd, strict=False)
        # tied weights are stored once by safetensors; anything else missing is a real error
        if unexpected or any(k for k in missing if "lm_head" not in k and "decoder" not in k):
            raise RuntimeError(f"checkpoint {path} does not match the model: {missing[:3]} {unexpected[:3]}")
        optimizer.load_state_dict(extra["optimizer"])
    scheduler.load_state_dict(extra["scheduler"])
    rng_file = path / f"rng_{rank}.pt"
    if rng_file.exists():
        rng = torch.load(rng_file, weights_only=True)
        torch.set_rng_state(rng["torch"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state(rng["cuda"])
    return json.loads((path / "trainer_state.json").read_text(encoding="utf-8"))
