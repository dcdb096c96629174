"""Per-item result cache in sqlite, keyed by content hash: what makes runs resumable.

A key is ``sha256(SCORING_VERSION, model fingerprint, task config hash, request)``. The model
fingerprint covers every file of the model folder by content (config.json, generation_config.json,
weights, tokenizer files...) and the settings that move a score (model dtype, softmax dtype,
max length, device class): changing any of them, a template or the data misses exactly the affected items,
never serves another model's scores.
Rows are committed as each batch finishes: a run killed mid-way keeps every finished item.

Several runs may share one cache file (the default one is shared by every run of a user): a new
file is built in a temporary file next to it and linked into place only if none exists yet, so
runs starting together on a new cache all open a complete one; writers wait for each other
(sqlite WAL mode and a busy timeout).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SCORING_VERSION", "ResultCache", "default_cache_path", "item_key"]

# The version of the code that turns a request into a cached value. Bump rule: ANY change to how a request is
# scored (tokenization, context/continuation split, truncation, the log-softmax or its sums, generation,
# what a value holds) bumps it, so every older entry misses instead of being served. 2: the key covers every
# model file and the model dtype / device class (1 hashed only the weights and tokenizer files). 3: a causal
# generation prompt keeps its last max_length - max_gen_toks tokens (was: the whole prompt).
SCORING_VERSION = 3

_SCHEMA = "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
_BUSY_S = 60.0  # how long a run waits for another run's write to the same cache


def default_cache_path() -> Path:
    """``$AIMM_CACHE_DIR/eval.sqlite``, else ``~/.cache/aimm_nlp/eval.sqlite``."""
    from aimm_nlp._io import cache_dir

    return cache_dir() / "eval.sqlite"


def item_key(model_fp: str, task_hash: str, request: Any) -> str:
    """The cache key of one request: see the module docstring."""
    blob = json.dumps([SCORING_VERSION, model_fp, task_hash, request], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _create_file(path: Path) -> None:
    """Build an empty cache in a temporary file next to ``path``, then link it into place unless another
    run did so first (``os.link`` fails on an existing name, so the first complete cache wins)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # recorded in the file: every later connection uses WAL
            db.execute(_SCHEMA)
            db.commit()
        finally:
            db.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another run created the cache first: use that one
        except OSError:  # a file system without hard links: rename, unless a cache appeared meanwhile
            if not os.path.lexists(path):
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


class ResultCache:
    """``key -> JSON value`` store; ``path=None`` keeps it in memory for one run.

    Examples:
        >>> c = ResultCache(None)
        >>> c.put_many({"k": [-1.5, True]})
        >>> c.get_many(["k", "missing"])
        {'k': [-1.5, True]}
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        """Open (or create) the cache at ``path``.

        Raises:
            InputFileError: ``path`` is a folder, cannot be created, or is not an aimm cache (another
                file, or a corrupt database). Such a file is never modified: delete it or pick another path.
        """
        self.path = path
        if path is None:
            self.db = sqlite3.connect(":memory:")
            self._create()
            return
        from aimm_nlp.errors import InputFileError

        p = Path(path)
        fix = "pass another --cache file, or --no-cache"
        if p.is_dir():
            raise InputFileError(
                f"{p}: the cache is a folder; pass a file path such as {p / 'eval.sqlite'}", path=str(p)
            )
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            if not os.path.lexists(p):
                _create_file(p)
            existed = p.is_file() and p.stat().st_size > 0  # sqlite treats an empty file as a new database
            self.db = sqlite3.connect(str(p), timeout=_BUSY_S)
        except (OSError, sqlite3.Error) as exc:
            raise InputFileError(f"{p}: cannot open the eval cache ({exc}); {fix}", path=str(p)) from None
        try:
            if existed:  # read before any write, so a file that is not our cache stays untouched
                self.db.execute("SELECT key, value FROM items LIMIT 1").fetchall()
            self._create()
        except sqlite3.Error as exc:
            self.db.close()
            if isinstance(exc, sqlite3.OperationalError) and "no such" in str(exc):  # someone else's database
                why = f"an sqlite database, but not an aimm eval cache ({exc}); {fix}"
            else:
                why = (
                    f"not a readable eval cache ({exc}); if it is an aimm cache, delete it (it only holds "
                    f"per-item results, recomputed on the next run); else {fix}"
                )
            raise InputFileError(f"{p}: {why}", path=str(p)) from None

    def _create(self) -> None:
        if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(_SCHEMA)
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
