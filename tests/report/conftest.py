"""The report tests' shared run files live in report_samples.py."""

from __future__ import annotations

import sys
from pathlib import Path

# the test modules import report_samples by name: make that work under --import-mode=importlib too
sys.path.insert(0, str(Path(__file__).parent))
