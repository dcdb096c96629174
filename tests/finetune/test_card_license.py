"""The model card's license line keeps hyphens (CC BY-NC, Apache-2.0): a non-commercial flag must survive."""

from pathlib import Path

import pytest

from aimm_nlp.finetune.card import data_license


@pytest.mark.parametrize(
    ("readme_line", "expected"),
    [
        (
            "- **License: CC BY-NC 4.0** (`LICENSE`). Non-commercial only",
            "CC BY-NC 4.0 (LICENSE). Non-commercial only",
        ),
        ("**License.** Apache-2.0, same as the project.", "Apache-2.0, same as the project."),
        ("- **License:** CC BY-SA 4.0 (full text in LICENSE).", "CC BY-SA 4.0 (full text in LICENSE)."),
        ("License: MIT", "MIT"),
    ],
)
def test_license_line(tmp_path: Path, readme_line: str, expected: str) -> None:
    (tmp_path / "README.md").write_text(f"# data\n\n{readme_line}\n", "utf-8")
    (tmp_path / "train.tsv").write_text("text\tlabel\n", "utf-8")
    assert data_license(str(tmp_path / "train.tsv")) == expected


def test_no_readme_says_unknown(tmp_path: Path) -> None:
    (tmp_path / "train.tsv").write_text("text\tlabel\n", "utf-8")
    assert data_license(str(tmp_path / "train.tsv")).startswith("unknown")
