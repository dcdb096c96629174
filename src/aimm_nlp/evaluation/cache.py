"""Per-item result cache in sqlite, keyed by content hash: what makes runs resumable.

A key is ``sha256(model fingerprint, task config hash, request)``, so changing the
weights, the tokenizer, a template or the data invalidates exactly the affected items.
Rows are committed as each batch finishes: a run killed mid-way keeps every finished item.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["ResultCache", "default_cache_path", "item_key"]


def default_cache_path() -> Path:
    """``$AIMM_CACHE_DIR/eval.sqlite``, else ``~/.cache/aimm_nlp/eval.sqlite``."""
    from aimm_nlp._io import cache_dir

    return cache_dir() / "eval.sqlite"


def item_key(model_fp: str, task_hash: str, request: Any) -> str:
    blob = json.dumps([model_fp, task_hash, request], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResultCache:
    """``key -> JSON value`` store; ``path=None`` keeps it in memory for one run.

    Examples:
        >>> c = ResultCache(None)
        >>> c.put_many({"k": [-1.5, True]})
        >>> c.get_many(["k", "missing"])
        {'k': [-1.5, True]}
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(":memory:" if path is None else str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for at in range(0, len(keys), 500):
            chunk = keys[at : at + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self.db.execute(f"SELECT key, value FROM items WHERE key IN ({marks})", chunk):
                out[key] = json.loads(value)
        return out

    def put_many(self, values: dict[str, Any]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO items (key, value) VALUES (?, ?)",
            [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()],
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()
