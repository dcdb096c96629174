"""What a run carries from the recipe's set-up stages into the training loop: :class:`RunContext`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp.finetune.config import FinetuneConfig

__all__ = ["RunContext"]


@dataclass(kw_only=True)
class RunContext:
    """Everything the training loop needs, built by keyword once the data, model and devices are ready.

    ``cfg`` is the config the run actually uses: ``cfg.data.max_length`` is already capped at the
    model's position limit, so it is the one length every stage reads (encoding, batching, evaluation).
    """

    cfg: FinetuneConfig
    train: Any  # encoded training split (aimm_nlp.finetune.data.Encoded)
    eval: Any  # encoded held-out split, or None
    model: Any  # the trainable model (possibly DDP/FSDP-wrapped)
    core: Any  # the unwrapped model (checkpoints, saving)
    step_model: Any  # what the loop calls (compiled or not)
    device: Any  # torch.device
    bf16: bool  # bf16 autocast
    pad_id: int
    mlm: dict[str, Any] = field(default_factory=dict)  # masked_lm masking settings
    out: Path  # the folder this run writes (a hidden sibling while an overwrite is staged)
    world: int = 1
    rank: int = 0
    dist: Any = None  # torch.distributed when world > 1
    fsdp: bool = False
    callbacks: list[Callable] = field(default_factory=list)

    def write_metrics(self, rec: dict[str, Any]) -> None:
        """Append one line to ``metrics.jsonl`` (rank 0 only)."""
        if self.rank == 0:
            with open(self.out / "metrics.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
