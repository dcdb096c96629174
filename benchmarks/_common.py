"""Helpers shared by the benchmark scripts: where ../shared is, environment facts, JSON output."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def offline_hf(tmp: Path) -> None:
    """This process (and its children) offline for the Hugging Face libraries, their caches in ``tmp``."""
    for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[key] = "1"
    os.environ["HF_HOME"] = str(tmp / "hf")
    os.environ["HF_DATASETS_CACHE"] = str(tmp / "hf" / "datasets")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


def shared_dir() -> Path:
    """``$AIMM_SHARED`` or ``../shared`` beside the repo; exits with a clear message if absent."""
    path = Path(os.environ.get("AIMM_SHARED", REPO.parent / "shared"))
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}; set AIMM_SHARED to the folder holding data/ and corpora/")
    return path


def versions(*packages: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def environment() -> dict[str, Any]:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        sha = ""
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "git_sha": sha,
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` atomically and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
