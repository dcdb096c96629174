"""The shipped ranker's data in a flat binary form, kept in the store so a process reads it instead of parsing JSON.

``ranker.json.gz`` holds a character n-gram model and a word list (~250k keys) and ``foreign.json.gz``
the two keep-foreign n-gram models (~54k; older rule rankers keep all four parts in ``ranker.json.gz``):
decoding the JSON and rebuilding the dicts costs 0.15-0.7 s per process, every ``aimm translit`` run.
The shipped ranker carries these files too (``ranker.blob.gz``, ``foreign.blob.gz``, listed with their
SHA-256 in its sidecar), so even a new environment decodes no JSON. Otherwise, once per install each file's data goes to the store folder of :mod:`~aimm_nlp.text.translit._store`
(keyed on the model's sidecar, which holds the SHA-256 of the data files, on the part, and on this
module's source) as one file: a JSON header, then per key list one ``\\x00``-joined UTF-8 string and
one run of little-endian float64 values, and a SHA-256 of all of it. It is read back with the standard library alone (a single
``transliterate()`` call still imports no numpy) into the same dicts, in the same order, with the
same floats (JSON's values go through float64 both ways). Written to a temporary file renamed into
place; a damaged, truncated or foreign file fails its checksum and the JSON is decoded again.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import sys
from array import array
from pathlib import Path
from typing import Any

from aimm_nlp.errors import ModelError
from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._store import fingerprint, store_dir

__all__ = ["BLOB_SUFFIX", "decode", "from_blob", "rule_data", "to_blob"]

BLOB_SUFFIX = "blob.gz"  # <part>.blob.gz: to_blob's bytes gzipped, shipped beside <part>.json.gz

_TABLES = ("char_lm", "foreign_lm", "arabizi_lm")
_SEP = "\x00"
_MAGIC = b"aimm-translit-model 1\n"


def _lists(data: dict[str, Any]) -> list[tuple[str, dict[str, float]]]:
    tables = [(f"{t}.{p}", data[t][p]) for t in _TABLES if t in data for p in ("logp", "bow")]
    return tables + ([("vocab", data["vocab"])] if "vocab" in data else [])


def to_blob(data: dict[str, Any]) -> bytes:
    """The decoded JSON of a rule ranker's data file as one file (``ValueError`` when a key holds ``\\x00``)."""
    header: dict[str, Any] = {
        "lists": [],
        "heads": {t: [int(data[t]["order"]), float(data[t]["floor"])] for t in _TABLES if t in data},
    }
    body = []
    for name, table in _lists(data):
        keys = [str(k) for k in table]
        if any(_SEP in k for k in keys):
            raise ValueError("a key holds the separator")
        text = _SEP.join(keys).encode("utf-8")
        values = array("d", [float(v) for v in table.values()])
        if sys.byteorder != "little":
            values.byteswap()
        header["lists"].append([name, len(keys), len(text)])
        body += [text, values.tobytes()]
    payload = json.dumps(header).encode() + b"\n" + b"".join(body)
    return _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def from_blob(blob: bytes) -> dict[str, Any] | None:
    """The data (:class:`NgramTables` per model, ``vocab`` where stored), or ``None`` if the file is damaged."""
    if not blob.startswith(_MAGIC):
        return None
    digest, _, payload = blob[len(_MAGIC) :].partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        return None
    head, _, body = payload.partition(b"\n")
    header = json.loads(head)
    lists, at = {}, 0
    for name, count, size in header["lists"]:
        keys = body[at : at + size].decode("utf-8").split(_SEP) if count else []
        at += size
        values = array("d")
        values.frombytes(body[at : at + 8 * count])
        at += 8 * count
        if sys.byteorder != "little":
            values.byteswap()
        if len(keys) != count or len(values) != count:
            return None
        lists[name] = dict(zip(keys, values.tolist(), strict=True))
    data: dict[str, Any] = {"vocab": lists["vocab"]} if "vocab" in lists else {}
    for t, (order, floor) in header["heads"].items():
        if t not in _TABLES:
            return None
        data[t] = NgramTables(int(order), lists[f"{t}.logp"], lists[f"{t}.bow"], float(floor))
    return data


def decode(raw: bytes, data_file: Path) -> dict[str, Any]:
    try:
        return json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError) as exc:
        raise ModelError(f"{data_file}: cannot decode ({exc}); the file is corrupt") from None


def rule_data(
    sidecar: dict[str, Any], raw: bytes, data_file: Path, *, part: str = "ranker"
) -> dict[str, Any]:
    """A rule ranker's data file (``part``: ``ranker`` or ``foreign``): its blob where the folder ships one
    (``<part>.blob.gz``, SHA-256 checked; the shipped ranker: no JSON decoded in a new environment either),
    else read from the store, else the JSON decoded (and stored for the next process)."""
    shipped = f"{part}.{BLOB_SUFFIX}"
    if shipped in sidecar.get("files", {}):
        from aimm_nlp.text.translit._folder import read_data

        blob, blob_file = read_data(data_file.parent, sidecar, shipped)
        try:
            data = from_blob(gzip.decompress(blob))
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            data = None
        if data is None:
            raise ModelError(f"{blob_file}: not a model blob; rebuild the model folder")
        return data
    model_key = fingerprint([json.dumps(sidecar, sort_keys=True)])
    path = store_dir() / f"model-{model_key}-{part}-{fingerprint([], [sys.modules[__name__]])}.bin"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = from_blob(path.read_bytes())
        if data is not None:
            return data
    data = decode(raw, data_file)
    try:
        blob = to_blob(data)
    except (KeyError, TypeError, ValueError, AttributeError):  # malformed: the ranker names the problem
        return data
    with contextlib.suppress(OSError):
        _write(path, blob, stale=f"model-{model_key}-{part}-*.bin")
    return data


def _write(path: Path, blob: bytes, *, stale: str) -> None:
    from aimm_nlp._io import atomic_output

    with atomic_output(path, mode="wb") as fh:  # a temporary file renamed into place
        fh.write(blob)
    for old in path.parent.glob(stale):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
