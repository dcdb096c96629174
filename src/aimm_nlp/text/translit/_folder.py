"""Transliteration model folders on disk: the sidecar, the data files it pins, and writing a trained model.

A model folder holds ``model.json`` (the sidecar: ``format_version``, ``kind``, package version, config,
sources, and the SHA-256 of every data file) and gzip-compressed JSON data files, no pickles. A trained
joint model has ``joint.json.gz``. The shipped rule ranker has ``ranker.json.gz`` (its character model
and word list) and :data:`FOREIGN` (its two keep-foreign character models: ~54k of the ~300k keys, read
alone where only keep-foreign needs the model, as the phonetic reading does); a rule ranker whose
sidecar does not list :data:`FOREIGN` keeps them in ``ranker.json.gz``. Every read checks the sidecar
and the file's SHA-256 and raises :class:`~aimm_nlp.errors.ModelError` naming the file and the fix;
nothing falls back silently to another model.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimm_nlp.errors import ModelError
from aimm_nlp.text.translit._ngram import tables_to_json

if TYPE_CHECKING:
    from aimm_nlp.text.translit._joint import JointModel

__all__ = [
    "FOREIGN",
    "FORMAT_VERSION",
    "KINDS",
    "SIDECAR",
    "read_data",
    "read_folder",
    "read_sidecar",
    "save_joint",
]

FORMAT_VERSION = 1
SIDECAR = "model.json"
KINDS = {"rule_ranker": "ranker.json.gz", "joint_ngram": "joint.json.gz"}  # kind -> its main data file
FOREIGN = "foreign.json.gz"


def read_sidecar(path: Path) -> dict[str, Any]:
    """The checked sidecar of the model folder ``path`` (kind and format version known)."""
    where = f"transliteration model folder {str(path)!r}"
    if not path.is_dir():
        raise ModelError(
            f"{where} does not exist or is not a folder; train one with "
            "`aimm translit train --pairs FILE --src-col C --dst-col C --out DIR`"
        )
    side = path / SIDECAR
    try:
        sidecar = json.loads(side.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{where} has no {SIDECAR}; it is not an aimm_nlp transliteration model") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{side}: unreadable sidecar ({exc}); re-train or re-copy the model") from None
    if not isinstance(sidecar, dict) or sidecar.get("kind") not in KINDS:
        raise ModelError(
            f"{side}: 'kind' must be one of {sorted(KINDS)}; this is not a transliteration model"
        )
    if sidecar.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{side}: format_version {sidecar.get('format_version')!r} is not supported "
            f"(this aimm_nlp reads {FORMAT_VERSION}); re-train the model with this version"
        )
    if not isinstance(sidecar.get("files", {}), dict):
        raise ModelError(f"{side}: 'files' must map file names to SHA-256; re-train or re-copy the model")
    return sidecar


def read_data(path: Path, sidecar: dict[str, Any], name: str) -> tuple[bytes, Path]:
    """The bytes of the data file ``name`` of the folder ``path`` (SHA-256 checked against the sidecar)."""
    data_file = path / name
    try:
        raw = data_file.read_bytes()
    except OSError:
        raise ModelError(f"{data_file}: missing; the model folder is incomplete") from None
    if sidecar.get("files", {}).get(name) != hashlib.sha256(raw).hexdigest():
        raise ModelError(f"{data_file}: SHA-256 does not match {SIDECAR}; the file is corrupt or was edited")
    return raw, data_file


def read_folder(path: Path) -> tuple[dict[str, Any], bytes, Path]:
    """The checked sidecar, the main data file's bytes (SHA-256 checked) and its path."""
    sidecar = read_sidecar(path)
    raw, data_file = read_data(path, sidecar, KINDS[sidecar["kind"]])
    return sidecar, raw, data_file


def save_joint(
    model: JointModel,
    out: str | os.PathLike[str],
    meta: dict[str, Any],
    *,
    lexicon: dict[str, tuple[str, int]] | None = None,
) -> Path:
    """Write ``model`` to the folder ``out`` (data file first, sidecar last, each atomically)."""
    from aimm_nlp import __version__
    from aimm_nlp._io import atomic_output

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"graphones": model.graphones, "counts": model.counts, "tables": tables_to_json(model.tables)}
    if lexicon is not None:
        payload["lexicon"] = lexicon
    raw = gzip.compress(json.dumps(payload, ensure_ascii=False).encode(), compresslevel=6, mtime=0)
    name = KINDS["joint_ngram"]
    with atomic_output(folder / name, mode="wb") as fh:
        fh.write(raw)
    sidecar = {
        "format_version": FORMAT_VERSION,
        "kind": "joint_ngram",
        "package_version": __version__,
        "files": {name: hashlib.sha256(raw).hexdigest()},
        **meta,
    }
    with atomic_output(folder / SIDECAR) as fh:
        fh.write(json.dumps(sidecar, indent=1, ensure_ascii=False) + "\n")
    return folder
