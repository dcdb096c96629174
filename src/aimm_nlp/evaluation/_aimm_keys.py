"""aimm's own task keys under ``metadata: {aimm: {...}}``, where lm-eval leaves them alone.

lm-eval builds ``TaskConfig(**yaml)`` and refuses any key it does not know (``unexpected keyword
argument 'lang'``), but it keeps ``metadata`` as an opaque dict. So the shipped task files put aimm's
extensions there::

    metadata:
      version: 1
      aimm: {lang: ary_Arab, doc_filter: "tweet | dominant_script == 'Arab'"}

and the loader lifts them back to the top level of each file before ``include`` merges it, so the
rest of aimm sees the same config as before (and the same ``config_hash``). The old top-level
spelling keeps working for existing files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["AIMM_KEYS", "lift_aimm_keys"]

# aimm's extension keys of a task file; lm-eval's TaskConfig has none of them.
AIMM_KEYS = (
    "lang", "doc_filter", "hash_split", "primary_metric", "group_rows_by", "tokens_column",
    "tags_column", "pipeline", "pipeline_kwargs", "truncation",
)  # fmt: skip


def lift_aimm_keys(data: dict[str, Any], path: Path) -> list[str]:
    """Move ``metadata.aimm`` keys of one task file to its top level, in place; return the errors.

    An error (as ``"FILE: metadata.aimm: ..."``) for a block that is not a mapping, a key aimm does
    not know (with did-you-mean) or a key set both at the top level and in the block.

    Examples:
        >>> cfg = {"task": "t", "metadata": {"version": 1, "aimm": {"lang": "ary_Arab"}}}
        >>> lift_aimm_keys(cfg, Path("t.yaml")), cfg
        ([], {'task': 't', 'metadata': {'version': 1}, 'lang': 'ary_Arab'})
    """
    meta = data.get("metadata")
    if not isinstance(meta, dict) or "aimm" not in meta:
        return []
    block = meta["aimm"]
    if not isinstance(block, dict):
        return [
            f"{path}: metadata.aimm: {block!r} is not a mapping; give aimm's task keys as "
            f"{{key: value}} ({', '.join(AIMM_KEYS)})"
        ]
    errors = []
    for key in block:
        if key not in AIMM_KEYS:
            from aimm_nlp._registry import did_you_mean

            errors.append(
                f"{path}: metadata.aimm: unknown key {key!r}{did_you_mean(str(key), AIMM_KEYS)}; "
                f"aimm's task keys are {', '.join(AIMM_KEYS)}"
            )
        elif key in data:
            errors.append(
                f"{path}: metadata.aimm.{key}: also set at the top level; keep one (metadata.aimm.{key} "
                "lets lm-eval load the same file)"
            )
    if errors:
        return errors
    data["metadata"] = {k: v for k, v in meta.items() if k != "aimm"}
    data.update(block)
    return []
