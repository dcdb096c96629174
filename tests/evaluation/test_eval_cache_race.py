"""Runs that start together on a new cache file all succeed (issue 17: one used to fail with
"not an aimm eval cache" because it read the file while the other was still creating its table)."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

ROUNDS = 6
PROCS = 4


def _open_and_write(path, barrier, n, queue):
    """One `aimm eval` run's cache use: open (maybe create) the cache, read, write, read back."""
    try:
        from aimm_nlp.evaluation.cache import ResultCache

        barrier.wait(timeout=60)
        cache = ResultCache(path)
        key = f"سلام-{n}"
        cache.get_many([key])
        cache.put_many({key: [n, "ⴰⵣⵓⵍ"]})
        got = cache.get_many([key])
        cache.close()
        queue.put((n, "ok" if got == {key: [n, "ⴰⵣⵓⵍ"]} else f"read back {got!r}"))
    except BaseException as exc:  # reported to the test, which names it
        queue.put((n, f"{type(exc).__name__}: {exc}"))


@pytest.mark.parametrize("layout", ["new file", "new folder"])
def test_runs_starting_together_on_a_new_cache_all_succeed(tmp_path, layout):
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold torch threads
    for round_ in range(ROUNDS):
        folder = tmp_path / f"r{round_}"
        if layout == "new file":
            folder.mkdir()
        else:  # the cache's folder does not exist yet either (a fresh ~/.cache/aimm_nlp)
            folder = folder / "cache" / "aimm_nlp"
        path = folder / "eval.sqlite"
        barrier, queue = ctx.Barrier(PROCS), ctx.Queue()
        procs = [
            ctx.Process(target=_open_and_write, args=(str(path), barrier, n, queue)) for n in range(PROCS)
        ]
        for p in procs:
            p.start()
        results = dict(queue.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        assert results == dict.fromkeys(range(PROCS), "ok"), (round_, results)
        db = sqlite3.connect(path)
        assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (PROCS,)
        db.close()
        leftovers = sorted(q.name for q in folder.iterdir() if q.name.endswith(".tmp"))
        assert leftovers == [], "the temporary cache files are removed"
