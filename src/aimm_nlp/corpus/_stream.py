"""The streaming half of :func:`aimm_nlp.corpus.clean`: an ordered pass over Arrow batches.

``clean_tables`` is the generator behind a cleaned ``IterableDataset``. Per-document steps
(:func:`aimm_nlp.corpus._steps.row_steps`) run in-process or in a bounded process pool;
counting and deduplication run in order in the consuming process, so the rows are the same as
the in-memory path's whatever ``num_proc`` is.
"""

from __future__ import annotations

from typing import Any

from aimm_nlp.corpus._steps import row_steps
from aimm_nlp.corpus.dedup import NearDuplicates, signature
from aimm_nlp.corpus.report import Tally

__all__ = ["clean_tables"]


def clean_tables(upstream: Any, tally: Tally, dedup: str | None, threshold: float, **kw: Any) -> Any:
    """Generator behind a cleaned ``IterableDataset``: each pass starts with fresh dedup state and counts.

    With ``num_proc > 1`` the per-document steps of each Arrow batch run in a process pool, at most
    ``2 * num_proc`` batches ahead of the ordered dedup pass, so memory stays flat.
    """
    tally.reset()
    step = _StreamStep(tally, dedup, threshold, kw["features"])
    tables = upstream.with_format("arrow").iter(batch_size=10_000)
    num_proc, fn_kwargs = kw["num_proc"], kw["fn_kwargs"]
    if num_proc and num_proc > 1:
        results = _bounded_pool_map(tables, fn_kwargs, num_proc)
    else:
        results = ((t, row_steps(t.to_pydict(), **fn_kwargs)) for t in tables)
    for i, (table, res) in enumerate(results):
        out = step(table, res)
        if out.num_rows:
            yield f"clean_{i}", out
    tally.finish()


def _table_steps(table: Any, fn_kwargs: dict[str, Any]) -> dict[str, list[Any]]:
    return row_steps(table.to_pydict(), **fn_kwargs)


def _bounded_pool_map(tables: Any, fn_kwargs: dict[str, Any], num_proc: int) -> Any:
    from collections import deque

    import multiprocess  # dill-based, as datasets uses for num_proc: lambdas and closures work

    with multiprocess.Pool(num_proc) as pool:
        pending: deque[Any] = deque()
        for table in tables:
            pending.append((table, pool.apply_async(_table_steps, (table, fn_kwargs))))
            if len(pending) >= 2 * num_proc:
                table, job = pending.popleft()
                yield table, job.get()
        while pending:
            table, job = pending.popleft()
            yield table, job.get()


class _StreamStep:
    """Streaming path: per Arrow batch, count what each step dropped and deduplicate in order;
    return only the kept rows."""

    def __init__(self, tally: Tally, dedup: str | None, threshold: float, features: Any) -> None:
        self.tally, self.dedup = tally, dedup
        self.schema = features.arrow_schema if features is not None else None
        self.seen: set[int] = set()
        self.near = NearDuplicates(threshold) if dedup == "near" else None

    def __call__(self, table: Any, res: dict[str, list[Any]]) -> Any:
        import pyarrow as pa

        keep = self._keep(res)
        names = (
            self.schema.names if self.schema is not None else [c for c in table.column_names if c != "error"]
        )
        cols = {}
        for c in names:
            values = res[c] if c in ("text", "lang") else table.column(c).to_pylist()
            cols[c] = [v for v, k in zip(values, keep, strict=True) if k]
        return pa.table(cols, schema=self.schema)

    def _keep(self, res: dict[str, list[Any]]) -> list[bool]:
        tally, keep = self.tally, []
        tally.add_input(len(res["text"]))
        for text, drop, why, h in zip(res["text"], res["_drop"], res["_why"], res["_hash"], strict=True):
            if drop:
                tally.remove(drop, why if drop == "malformed" else text, why if drop == "quality" else "")
                keep.append(False)
            elif self.dedup and h in self.seen:
                tally.remove("exact_dup", text)
                keep.append(False)
            elif self.near is not None and self.near.seen(signature(text)):
                self.seen.add(h)
                tally.remove("near_dup", text)
                keep.append(False)
            else:
                if self.dedup:
                    self.seen.add(h)
                keep.append(True)
        return keep
