"""Where and how a run was started: the command line and the machine, for results' provenance."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from typing import Any


def run_context() -> dict[str, Any]:
    """``command`` (this process's command line) and ``machine`` (OS, CPU architecture and count).

    No host or user name: result files are shared.

    Examples:
        >>> sorted(run_context())
        ['command', 'machine']
    """
    argv = list(sys.argv)
    if argv and os.path.basename(argv[0]) in ("aimm", "__main__.py"):
        argv[0] = "aimm"
    machine = f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} CPUs"
    return {"command": shlex.join(argv), "machine": machine}
