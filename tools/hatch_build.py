"""Build hook (pyproject.toml ``[tool.hatch.build.hooks.custom]``): compile the C kernels of the Arabizi
search, ``src/aimm_nlp/text/translit/_ckernels.c``, into the wheel (and beside the source for an editable
install).

Optional by design: where no C compiler works for this Python (or ``AIMM_NO_NATIVE_BUILD=1``), the build
warns and goes on without it, and the package runs the same searches in Python, numpy or numba (the
same spellings, slower; ``aimm_nlp.text.translit._native`` says which is used). The compiler is the one
this Python was built with (``sysconfig``'s ``LDSHARED``), flags ``-O2 -ffp-contract=off`` (no fused
multiply-add: the sums stay bit for bit Python's).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "src/aimm_nlp/text/translit/_ckernels.c"
MODULE = "aimm_nlp/text/translit/_ckernels"


def compile_kernels(source: str, target: str) -> str | None:
    """Compile ``source`` into the extension module ``target`` (written whole or not at all); the reason
    it could not, else ``None``."""
    ldshared = sysconfig.get_config_var("LDSHARED")
    if not ldshared:
        return "this Python names no C compiler (sysconfig LDSHARED)"
    include = sysconfig.get_paths()["include"]
    with open(source, "rb") as fh:  # the module says which source it was built from (_native checks it)
        digest = hashlib.sha256(fh.read()).hexdigest()
    partial = f"{target}.{os.getpid()}.tmp"
    command = [
        *shlex.split(ldshared),
        *shlex.split(sysconfig.get_config_var("CCSHARED") or ""),
        "-O2",
        "-ffp-contract=off",
        f'-DAIMM_SOURCE_SHA256="{digest}"',
        f"-I{include}",
        source,
        "-o",
        partial,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        return f"{command[0]}: {exc}"
    if done.returncode != 0:
        if os.path.exists(partial):
            os.remove(partial)
        return f"{' '.join(command)} failed:\n{done.stderr.strip()[-2000:]}"
    os.replace(partial, target)
    return None


class CustomBuildHook(BuildHookInterface):
    """Compile the kernels for the wheel and editable targets (the sdist ships the C source)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._scratch: str | None = None
        if self.target_name != "wheel" or os.environ.get("AIMM_NO_NATIVE_BUILD"):
            return
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        source = os.path.join(self.root, SOURCE)
        if version == "editable":  # the editable install imports src/: the module goes beside its source
            error = compile_kernels(source, os.path.join(self.root, "src", MODULE + suffix))
        else:
            self._scratch = tempfile.mkdtemp(prefix="aimm_ckernels_")
            built = os.path.join(self._scratch, "_ckernels" + suffix)
            error = compile_kernels(source, built)
            if error is None:
                build_data["force_include"][built] = MODULE + suffix
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
        if error is not None:
            self.app.display_warning(
                f"aimm_nlp: the C kernels were not built ({error}); the package works without them "
                "(same results, slower Arabizi transliteration)"
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
