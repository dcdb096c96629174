"""Issue 20 E: the wheel's license metadata covers the shipped models (CC BY-SA 4.0 by their cards),
not only the Apache-2.0 code: a PEP 639 expression, and the model cards among the license files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CARDS = sorted((ROOT / "src/aimm_nlp/text/models").glob("*/CARD.md"))
# how a card states the license of its model
_CARD_LICENSE = re.compile(r"(?:License of the model:|distributed under)\s*\**(CC BY(?:-[A-Z]+)* \d\.\d)")


def _card_spdx(card: Path) -> str:
    m = _CARD_LICENSE.search(" ".join(card.read_text(encoding="utf-8").split()))
    assert m, f"{card}: no 'License of the model:' / 'distributed under' line"
    return "CC-" + m.group(1)[3:].replace(" ", "-")  # CC BY-SA 4.0 -> CC-BY-SA-4.0


def test_the_expression_is_valid_spdx_and_names_every_shipped_license():
    from packaging.licenses import canonicalize_license_expression

    expr = PROJECT["license"]
    assert isinstance(expr, str) and canonicalize_license_expression(expr) == expr
    ids = set(re.findall(r"[A-Za-z0-9.-]+", expr)) - {"AND", "OR", "WITH"}
    assert CARDS, "no shipped model cards found"
    wanted = {"Apache-2.0"} | {_card_spdx(c) for c in CARDS}
    assert wanted == {"Apache-2.0", "CC-BY-SA-4.0"} and wanted <= ids, (wanted, expr)
    assert " OR " not in expr  # the terms of every part apply at once


def test_license_files_hold_the_license_and_every_model_card():
    globs = PROJECT["license-files"]
    matched = {p for g in globs for p in ROOT.glob(g)}
    assert all(any(ROOT.glob(g)) for g in globs), globs  # no pattern that matches nothing
    assert ROOT / "LICENSE" in matched and set(CARDS) <= matched


@pytest.mark.slow
def test_the_built_wheel_metadata(tmp_path):
    """Builds the wheel (needs hatchling >= 1.27 installed, no network) and reads its METADATA."""
    import subprocess
    import sys
    import zipfile

    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)  # fmt: skip
    (wheel,) = tmp_path.glob("aimm_nlp-*.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
        licenses = [n for n in z.namelist() if "/licenses/" in n]
    assert "License-Expression: Apache-2.0 AND CC-BY-SA-4.0" in text
    assert {"License-File: LICENSE"} | {f"License-File: {c.relative_to(ROOT)}" for c in CARDS} <= set(
        text.splitlines()
    )
    assert len(licenses) == 1 + len(CARDS)
