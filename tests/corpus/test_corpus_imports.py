"""Guard: `import aimm_nlp.corpus` and the catalog stay light (no datasets, torch, matplotlib)."""

import subprocess
import sys

HEAVY = ("torch", "transformers", "datasets", "datasketch", "matplotlib", "pyarrow")


def test_import_corpus_is_light() -> None:
    code = "import aimm_nlp.corpus as c; c.corpus_names(); c.corpus_info('doda')"
    probe = f"import sys; {code}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == []
