"""How this process was launched and where the run's processes train: read from the environment.

``torchrun`` (``python -m torch.distributed.run``) and ``accelerate launch`` both start one process per
rank and set ``WORLD_SIZE``/``RANK``/``LOCAL_RANK`` (accelerate runs torchrun underneath when it starts
several processes). Without GPUs, ``accelerate launch --num_processes N`` starts a *single* process
unless ``--multi_gpu`` is given (it turns multi-process on by itself only when it sees more than one
GPU, or a config file says so): :func:`detect_launch` recognises that case from accelerate's own
``ACCELERATE_*`` variables and :func:`warn_single_process` says how to get N processes, instead of a
silent one-process run. ``accelerate`` itself is never imported.

No torch at import time; :func:`run_info` takes the torch objects the recipe already holds.
"""

from __future__ import annotations

import logging
import os
import platform
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Launch", "detect_launch", "run_info", "warn_single_process"]

log = logging.getLogger(__name__)

# accelerate sets these in every process it launches, single or many (accelerate/commands/launch.py)
_ACCELERATE_VARS = ("ACCELERATE_MIXED_PRECISION", "ACCELERATE_DYNAMO_BACKEND", "ACCELERATE_USE_CPU")
# torchrun's elastic agent sets these in every worker
_TORCHRUN_VARS = ("TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT")


@dataclass(frozen=True)
class Launch:
    """This process's place in the run.

    ``launcher`` is ``"torchrun"``, ``"accelerate"`` (several processes, torchrun underneath),
    ``"accelerate-single"`` (accelerate started one process), ``"env"`` (``WORLD_SIZE`` set by
    something else, e.g. a cluster script) or ``"none"`` (a plain ``python``/``aimm`` call).
    """

    world: int
    rank: int
    local: int
    launcher: str


def detect_launch(environ: Mapping[str, str] | None = None) -> Launch:
    """Read ``WORLD_SIZE``/``RANK``/``LOCAL_RANK`` and the launcher's marks from ``environ``
    (default ``os.environ``).

    Raises:
        ConfigError: one of the three variables is not an integer, or ranks fall outside the world.
    """
    from aimm_nlp.errors import ConfigError

    env = os.environ if environ is None else environ
    values, problems = {}, []
    for name, default in (("WORLD_SIZE", 1), ("RANK", 0), ("LOCAL_RANK", 0)):
        raw = env.get(name, "")
        try:
            values[name] = int(raw) if raw.strip() else default
        except ValueError:
            problems.append(
                f"${name}={raw!r} is not an integer (set by torchrun/accelerate; unset it to train alone)"
            )
    if not problems:
        world, rank, local = values["WORLD_SIZE"], values["RANK"], values["LOCAL_RANK"]
        if world < 1:
            problems.append(f"$WORLD_SIZE={world} must be >= 1")
        elif not 0 <= rank < world or not 0 <= local < world:
            problems.append(f"$RANK={rank} and $LOCAL_RANK={local} must lie in [0, $WORLD_SIZE={world})")
    if problems:
        raise ConfigError("bad distributed launch environment:", errors=problems)
    by_accelerate = any(v in env for v in _ACCELERATE_VARS)
    if "WORLD_SIZE" not in env:
        launcher = "accelerate-single" if by_accelerate else "none"
    elif by_accelerate:
        launcher = "accelerate"
    elif any(v in env for v in _TORCHRUN_VARS):
        launcher = "torchrun"
    else:
        launcher = "env"
    return Launch(world=world, rank=rank, local=local, launcher=launcher)


def warn_single_process(launch: Launch) -> None:
    """Log a warning when ``accelerate launch`` started this run as one process."""
    if launch.launcher == "accelerate-single":
        log.warning(
            "accelerate launch started a single process (no $WORLD_SIZE): on a machine without GPUs it "
            "starts several only with --multi_gpu, e.g. `accelerate launch --multi_gpu --num_processes 2 "
            "-m aimm_nlp finetune CONFIG.yaml` (gloo on CPU), or use `torchrun --nproc_per_node=2 -m "
            "aimm_nlp finetune CONFIG.yaml`; training on 1 process"
        )


def run_info(launch: Launch, *, device: Any, dist: Any, strategy: str | None) -> dict[str, Any]:
    """The ``distributed`` block of ``run.json``: world size, launcher, backend, strategy and every
    rank's device. A collective when ``dist`` is set: every rank must call it."""
    mine = _describe_device(device, launch)
    if dist is not None:
        devices: list[Any] = [None] * launch.world
        dist.all_gather_object(devices, mine)
    else:
        devices = [mine]
    return {
        "world_size": launch.world,
        "launcher": launch.launcher,
        "backend": dist.get_backend() if dist is not None else None,
        "strategy": strategy if dist is not None else None,
        "devices": devices,
    }


def _describe_device(device: Any, launch: Launch) -> dict[str, Any]:
    name = platform.processor() or platform.machine()
    if getattr(device, "type", None) == "cuda":
        import torch

        name = torch.cuda.get_device_name(device)
    return {"rank": launch.rank, "local_rank": launch.local, "host": socket.gethostname(),
            "device": str(device), "name": name}  # fmt: skip
