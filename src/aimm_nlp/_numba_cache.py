"""Whether numba's on-disk cache holds a kernel's compiled code, read without importing numba.

Used by the lazily compiled kernels (``text.translit._jit``, ``text.langid._fast_jit``) to choose between
loading the kernel now (cached: well under a second) and waiting until a job repays the compile (seconds).
"""

from __future__ import annotations

import glob
import hashlib
import os

__all__ = ["kernel_cached"]


def kernel_cached(source: str, function: str) -> bool:
    """Whether numba's cache has an index of ``function`` (a ``@njit(cache=True)`` function of the module
    file ``source``) newer than ``source``.

    Looks where numba's cache locators put it: ``NUMBA_CACHE_DIR``, else ``__pycache__`` beside the source,
    else numba's user-wide cache folder. A stale index (another CPU, another numba) only costs the compile.
    A missing source counts as cached (nothing to compile against).
    """
    folder = os.path.dirname(source)
    module = os.path.splitext(os.path.basename(source))[0]
    sub = f"{os.path.basename(folder)}_{hashlib.sha1(folder.encode()).hexdigest()}"
    if os.environ.get("NUMBA_CACHE_DIR"):
        places = [os.path.join(os.environ["NUMBA_CACHE_DIR"], sub)]
    else:
        user = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        places = [os.path.join(folder, "__pycache__"), os.path.join(user, "numba", sub)]
    try:
        born = os.stat(source).st_mtime
    except OSError:
        return True
    for place in places:
        for index in glob.glob(os.path.join(glob.escape(place), f"{module}.{function}-*.nbi")):
            try:
                if os.stat(index).st_mtime >= born:
                    return True
            except OSError:
                continue
    return False
