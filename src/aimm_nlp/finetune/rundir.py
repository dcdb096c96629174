"""Run folders of :func:`~aimm_nlp.finetune.finetune`: the marker that identifies them, and the files
written into them besides the model (marker, resolved config, metrics rewind on resume).

No torch, no import of :mod:`aimm_nlp._outdir` (which imports this module to recognise run folders).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["RUN_MARKER", "is_run_dir", "rewind_metrics", "write_config", "write_marker"]

RUN_MARKER = ".aimm_run.json"  # written first into every run folder: how aimm recognises its own runs


def is_run_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a run folder ``finetune`` wrote: its marker, or (runs from before the marker)
    a resolved ``config.yaml`` next to ``metrics.jsonl`` or ``checkpoints/``."""
    import yaml

    folder = Path(path)
    try:
        marker = json.loads((folder / RUN_MARKER).read_text(encoding="utf-8"))
        return isinstance(marker, dict) and marker.get("written_by") == "aimm_nlp.finetune"
    except (OSError, ValueError):
        pass
    if not ((folder / "metrics.jsonl").is_file() or (folder / "checkpoints").is_dir()):
        return False
    try:
        config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False
    sections = ("task", "model", "data", "optim", "run")
    return (
        isinstance(config, dict)
        and all(k in config for k in sections)
        and isinstance(config["run"], dict)
        and all(k in config["run"] for k in ("output_dir", "resume", "overwrite"))
    )


def write_marker(out: Path) -> None:
    """Write :data:`RUN_MARKER` (first, atomically) into a new run folder."""
    from aimm_nlp import __version__
    from aimm_nlp._io import atomic_output

    with atomic_output(out / RUN_MARKER) as fh:
        json.dump({"written_by": "aimm_nlp.finetune", "format_version": 1, "aimm_nlp": __version__}, fh)
        fh.write("\n")


def write_config(out: Path, cfg: Any, labels: Any) -> None:
    """Write the resolved config (with the label list actually used) as ``config.yaml``."""
    import yaml

    from aimm_nlp._io import atomic_output

    resolved = cfg.to_dict()
    resolved["data"]["labels"] = labels
    with atomic_output(out / "config.yaml") as fh:
        yaml.safe_dump(resolved, fh, allow_unicode=True, sort_keys=False)


def rewind_metrics(out: Path) -> None:
    """On resume, drop metrics logged after the checkpoint we continue from."""
    from aimm_nlp.finetune.checkpoint import latest_checkpoint

    ck, path = latest_checkpoint(out), out / "metrics.jsonl"
    if ck is None or not path.exists():
        return
    step = json.loads((ck / "trainer_state.json").read_text(encoding="utf-8"))["step"]
    keep = [
        ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and json.loads(ln)["step"] <= step
    ]
    path.write_text("".join(ln + "\n" for ln in keep), encoding="utf-8")
