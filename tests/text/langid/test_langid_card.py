"""The shipped langid model's card states the training data the model was really trained on.

Every row of the card's "Training data" table must give, per class, the class total and one
``name: count (license)`` entry per training source, equal to the counts ``config.json`` recorded
at training time; and the shipped ``weights.npz`` stays small enough to ship in the wheel.
"""

from __future__ import annotations

import json
import re

import pytest

from aimm_nlp.text.langid._model import default_model_dir

MODEL = default_model_dir()
CARD = (MODEL / "CARD.md").read_text("utf-8")
CONFIG = json.loads((MODEL / "config.json").read_text("utf-8"))
TRAINING = CONFIG["training"]


def _table() -> dict[str, tuple[int, list[int], list[str]]]:
    """label -> (rows, per-source counts, per-source licenses) of the card's training-data table."""
    section = CARD.split("## Training data", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in CONFIG["labels"]:
            entries = re.findall(r":\s*\**([\d,]+)\**\s*\(([^()]+)\)", cells[2])
            out[cells[0]] = (
                int(cells[1].replace(",", "")),
                sorted(int(n.replace(",", "")) for n, _ in entries),
                [lic for _, lic in entries],
            )
    return out


def test_card_lists_every_class_with_its_rows() -> None:
    table = _table()
    assert sorted(table) == sorted(CONFIG["labels"])
    assert {label: rows for label, (rows, _, _) in table.items()} == TRAINING["class_counts"]


@pytest.mark.parametrize("label", CONFIG["labels"])
def test_card_lists_every_source_with_its_rows_and_license(label: str) -> None:
    _, counts, licenses = _table()[label]
    recorded = sorted(n for key, n in TRAINING["sources"].items() if key.split("\t")[0] == label)
    assert counts == recorded, f"{label}: card {counts} vs config.json {recorded}"
    assert all(re.search(r"CC BY|Apache|MIT|public domain", lic) for lic in licenses), licenses


def test_card_states_the_examples_and_the_size() -> None:
    assert f"{TRAINING['examples']:,}" in CARD
    assert (MODEL / "weights.npz").stat().st_size <= 6_000_000
