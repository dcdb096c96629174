"""Split one corpus pipeline across ``torchrun`` ranks or machines.

Examples:
    >>> from datasets import Dataset
    >>> ds = Dataset.from_dict({"text": ["salam", "labas", "ⴰⵣⵓⵍ", "واش"], "lang": [None] * 4})
    >>> [list(shard_for_rank(ds, rank=r, world_size=2)["text"]) for r in (0, 1)]
    [['salam', 'labas'], ['ⴰⵣⵓⵍ', 'واش']]
"""

from __future__ import annotations

import os
from typing import Any

from aimm_nlp.errors import ConfigError

__all__ = ["rank_and_world_size", "shard_for_rank"]


def rank_and_world_size(rank: int | None = None, world_size: int | None = None) -> tuple[int, int]:
    """``rank``/``world_size``, defaulting to ``$RANK``/``$WORLD_SIZE`` (set by ``torchrun``), else 0/1."""
    try:
        rank = int(os.environ.get("RANK", 0)) if rank is None else int(rank)
        world_size = int(os.environ.get("WORLD_SIZE", 1)) if world_size is None else int(world_size)
    except ValueError as exc:
        raise ConfigError(f"RANK and WORLD_SIZE must be integers ({exc})") from None
    if world_size < 1 or not 0 <= rank < world_size:
        raise ConfigError(f"need 0 <= rank < world_size, got rank={rank}, world_size={world_size}")
    return rank, world_size


def shard_for_rank(ds: Any, *, rank: int | None = None, world_size: int | None = None) -> Any:
    """The disjoint part of ``ds`` this rank processes (``datasets.distributed.split_dataset_by_node``).

    A ``Dataset`` is cut into ``world_size`` contiguous blocks. An ``IterableDataset`` is split by
    shard (one per input file) when the file count divides evenly, else example by example; either
    way every document goes to exactly one rank.

    Args:
        ds: a ``Dataset`` or ``IterableDataset``.
        rank, world_size: default to ``$RANK`` and ``$WORLD_SIZE`` (``torchrun``), else 0 and 1.
    """
    from datasets.distributed import split_dataset_by_node

    rank, world_size = rank_and_world_size(rank, world_size)
    return split_dataset_by_node(ds, rank=rank, world_size=world_size)
