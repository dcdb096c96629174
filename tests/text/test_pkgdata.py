"""The package's own files (maps/*.json) are read by its loader: from a folder and from a zip archive."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import aimm_nlp
from aimm_nlp.text import _pkgdata


def test_read_text_reads_the_shipped_maps() -> None:
    assert '"presets"' in _pkgdata.read_text("maps/presets.json")
    assert Path(_pkgdata.path("models/translit_ary")).is_dir()


def test_maps_are_read_from_a_zipped_package(tmp_path: Path) -> None:
    src = Path(aimm_nlp.__file__).parent
    archive = tmp_path / "aimm.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in src.rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts:
                zf.write(f, Path("aimm_nlp") / f.relative_to(src))
    code = (
        f"import sys; sys.path.insert(0, {str(archive)!r}); import aimm_nlp.text as t; "
        "assert '.zip' in t.__file__; "
        "print(t.normalize('واااش نتا مزيااااان؟'), t.transliterate('ڭال ليا', src='ary_Arab', dst='bw'), "
        "t.transliterate('ⴰⵣⵓⵍ', src='zgh_Tfng', dst='zgh_Latn'))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["واش", "نتا", "مزيان؟", "XAl", "lyA", "azul"]
