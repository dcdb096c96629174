"""The shipped ranker's data as flat arrays, kept in the store so a process reads it instead of parsing JSON.

``ranker.json.gz`` holds three n-gram models and a word list (~300k keys): decoding the JSON and
rebuilding the dicts costs ~0.7 s per process, every ``aimm translit`` run. Once per install the same
data goes to the store of :mod:`~aimm_nlp.text.translit._store` (keyed on the model's sidecar, which
holds the SHA-256 of the data file, and on this module's source) as arrays: each key list is one
``\\x00``-joined UTF-32 string and each value list one float64 array, read back with ``np.load`` and
turned into the same dicts (the same floats: JSON's values go through float64 both ways).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimm_nlp.errors import ModelError
from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._store import fingerprint, load_or_build

if TYPE_CHECKING:
    import numpy as np

__all__ = ["decode", "from_arrays", "rule_data", "sound", "to_arrays"]

_TABLES = ("char_lm", "foreign_lm", "arabizi_lm")
_SEP = "\x00"


def _pack(keys: list[str]) -> np.ndarray:
    import numpy as np

    if any(_SEP in k for k in keys):
        raise ValueError("a key holds the separator")
    return np.frombuffer(_SEP.join(keys).encode("utf-32-le"), dtype=np.uint32).copy()


def _unpack(codes: np.ndarray, count: int) -> list[str]:
    return codes.tobytes().decode("utf-32-le").split(_SEP) if count else []


def _lists(prefix: str) -> list[str]:
    return [f"{prefix}.keys", f"{prefix}.values"]


def _names() -> list[str]:
    parts = [f"{t}.{p}" for t in _TABLES for p in ("logp", "bow")]
    return [n for part in [*parts, "vocab"] for n in _lists(part)] + [f"{t}.head" for t in _TABLES]


def to_arrays(data: dict[str, Any]) -> dict[str, np.ndarray]:
    """The decoded JSON of a rule ranker as arrays (``ValueError`` when a key holds ``\\x00``)."""
    import numpy as np

    out = {}
    for prefix, table in [(f"{t}.{p}", data[t][p]) for t in _TABLES for p in ("logp", "bow")] + [
        ("vocab", data["vocab"])
    ]:
        out[f"{prefix}.keys"] = _pack([str(k) for k in table])
        out[f"{prefix}.values"] = np.array([float(v) for v in table.values()], dtype=np.float64)
    for t in _TABLES:
        out[f"{t}.head"] = np.array([float(data[t]["order"]), float(data[t]["floor"])])
    return out


def sound(arrays: dict[str, np.ndarray]) -> bool:
    """Whether arrays read back from the store are complete: every list, keys as many as values."""
    import numpy as np

    if set(arrays) != set(_names()):
        return False
    for name in _names():
        if name.endswith(".keys"):
            keys, values = arrays[name], arrays[name[: -len("keys")] + "values"]
            if keys.dtype != np.uint32 or values.dtype != np.float64 or keys.ndim != 1 or values.ndim != 1:
                return False
            if len(values) and int(np.count_nonzero(keys == 0)) + 1 != len(values):
                return False
    return all(arrays[f"{t}.head"].shape == (2,) for t in _TABLES)


def from_arrays(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The ranker's data: :class:`NgramTables` per model and the word list (``vocab``)."""

    def table(prefix: str) -> dict[str, float]:
        values = arrays[f"{prefix}.values"]
        return dict(zip(_unpack(arrays[f"{prefix}.keys"], len(values)), values.tolist(), strict=True))

    data: dict[str, Any] = {"vocab": table("vocab")}
    for t in _TABLES:
        order, floor = arrays[f"{t}.head"].tolist()
        data[t] = NgramTables(int(order), table(f"{t}.logp"), table(f"{t}.bow"), float(floor))
    return data


def decode(raw: bytes, data_file: Path) -> dict[str, Any]:
    try:
        return json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError) as exc:
        raise ModelError(f"{data_file}: cannot decode ({exc}); the file is corrupt") from None


def rule_data(sidecar: dict[str, Any], raw: bytes, data_file: Path) -> dict[str, Any]:
    """A rule ranker's data: from the store's arrays (:mod:`~aimm_nlp.text.translit._compact`), else the
    JSON decoded (and stored for the next process)."""
    import numpy as np

    try:
        arrays = load_or_build(
            "model",
            fingerprint([json.dumps(sidecar, sort_keys=True)]),
            fingerprint([np.__version__], [sys.modules[__name__]]),
            lambda: to_arrays(decode(raw, data_file)),
            sound,
        )
    except (KeyError, TypeError, ValueError, AttributeError):  # malformed: the JSON path names the problem
        return decode(raw, data_file)
    return from_arrays(arrays)
