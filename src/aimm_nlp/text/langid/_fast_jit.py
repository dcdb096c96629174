"""One text, compiled: ``identify(text)`` through a numba kernel once a process makes many such calls.

The one-text path of :mod:`._fast` (numpy, ~100 µs a new ~90-character line on a quiet machine) runs
about a dozen numpy calls on small arrays plus Python per new word. :func:`._fast_kernel.one_text` does
the same work, cleaning to probabilities, in one compiled call (~25-30 µs, mostly reading ~470 weight
rows of the 29 MB table), with the same features and results equal to the batch path to 1e-6.

When (ski rental): importing numba and reading the kernel from numba's on-disk cache costs a process
~0.7-1.0 s (numba import ~0.3 s), compiling it first ~7 s (a new environment: ``cache=True`` keeps
it for every later process), while each call on the compiled path saves ~70-100 µs. So ``auto`` (the
default) stays on numpy until the process has spent about as long in one-text calls as loading would
cost: :data:`JIT_AFTER` calls when numba's cache holds the kernel, :data:`JIT_AFTER_COLD` when it must
compile it (whether it is cached is read from numba's cache folder, without importing numba). A script
with a few calls never imports numba; a long ``df.text.map(identify)`` loses under a second and then
runs ~3-4x faster. ``benchmarks/bench_langid.py --one-text-only`` measures all these figures.

``AIMM_LANGID_JIT`` chooses: ``auto`` (default), ``1`` (compiled from the first call: a process that
knows it will make many calls), ``0`` (numpy only; also when it is unset and ``AIMM_NO_JIT`` is set);
read at each call, any other value is a ``ConfigError``. Without numba, or when it fails to compile,
the numpy path is used (one debug log line), with the same results.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import numpy as np

from aimm_nlp.text.langid import _fast
from aimm_nlp.text.langid._encode import _MASK_RE, _MUL, P, may_mask
from aimm_nlp.text.langid._morph import (
    DARIJA_MARKERS,
    DARIJA_WORDS,
    FEATURES,
    MSA_FUNCTION_WORDS,
    PATTERN_EXCEPTIONS,
    _hash_set,
    feature_bucket,
)

__all__ = ["JIT_AFTER", "JIT_AFTER_COLD", "load", "logits_one", "predict_one"]

#: One-text calls after which ``auto`` loads the kernel when numba's cache holds it (~0.8 s / ~100 µs).
JIT_AFTER = 8_000
#: ... and when numba must compile it first (no cache yet: ~7 s / ~100 µs).
JIT_AFTER_COLD = 70_000
VARIABLE = "AIMM_LANGID_JIT"
_MODES = ("0", "1", "auto")

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_environ = os.environ
_kernel: Any = None  # the compiled kernel once loaded; False: unavailable (no numba, compile failed)
_calls = 0  # one-text calls on the numpy path while ``auto`` waits
_cold: bool | None = None  # whether numba's cache lacked the kernel when JIT_AFTER calls were reached
_M32 = 0xFFFFFFFF
_WORD_SALT = 99 * 0x9E3779B1 & _M32  # the salt of whole-word buckets (``_features.featurize``)


def mode() -> str:
    """The setting of ``AIMM_LANGID_JIT`` (``auto`` when unset; ``0`` when unset and ``AIMM_NO_JIT`` is set).

    Raises:
        ConfigError: another value.
    """
    value = _environ.get(VARIABLE)
    if value is None:
        return "0" if _environ.get("AIMM_NO_JIT") else "auto"
    setting = value.strip().lower()
    if setting not in _MODES:
        from aimm_nlp.errors import ConfigError

        raise ConfigError(f"{VARIABLE}={value!r}: must be 0 (numpy), 1 (compiled) or auto (the default)")
    return setting


class KernelArrays:
    """What :func:`._fast_kernel.one_text` needs of a model, built once per loaded model from its arrays."""

    def __init__(self, model: Any) -> None:
        top = max(model.orders)
        n_classes = len(model.labels)
        w = model.weights
        ok = w.dtype == np.float64 and w.flags.c_contiguous and w.flags.writeable
        self.weights = w if ok else np.array(w, dtype=np.float64, order="C")
        self.table = _fast._table()
        self.script_lut = model.script_lut.astype(np.uint8)
        salts = [k * 0x9E3779B1 & _M32 for k in range(1, top + 1)]
        self.hashes = np.array([int(P), int(_MUL), _M32, 32 - model.bits, _WORD_SALT, *salts], np.uint64)
        lists = [_hash_set(DARIJA_MARKERS | DARIJA_WORDS), _hash_set(MSA_FUNCTION_WORDS)]
        lists.append(_hash_set(PATTERN_EXCEPTIONS))
        self.sets = np.concatenate(lists).astype(np.uint32)
        ends = np.cumsum([len(x) for x in lists]).tolist()
        buckets = [feature_bucket(i, model.bits) for i in range(len(FEATURES))]
        used = [int(o in model.orders) for o in range(1, top + 1)]
        ints = [top, int(model.words), sum(used), *ends, 0, *buckets, *used]
        self.ints = np.array(ints, np.int64)
        temp, bias = model._calib
        self.floats = np.concatenate(
            ([model.morph], temp, model.bias, bias, model._mask.astype(np.float64).ravel())
        ).astype(np.float64)
        self.zeros = np.zeros(n_classes)
        self.n_classes = n_classes


def _arrays(model: Any) -> KernelArrays:
    got = model.__dict__.get("_one_jit")
    if got is None:
        got = model.__dict__["_one_jit"] = KernelArrays(model)
    return got


def _cache_holds_kernel() -> bool:
    """Whether numba's on-disk cache holds the kernel (:func:`aimm_nlp._numba_cache.kernel_cached`)."""
    from aimm_nlp._numba_cache import kernel_cached

    return kernel_cached(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fast_kernel.py"), "one_text"
    )


def load() -> Any:
    """The compiled kernel (compiled now, or read from numba's cache), or False where numba is missing or
    fails (then the numpy path is used; one debug log line says why)."""
    global _kernel
    with _LOCK:
        if _kernel is None:
            try:
                from aimm_nlp.text.langid._fast_kernel import one_text as kernel

                _warm(kernel)
                _kernel = kernel
            except Exception as exc:  # no numba, no cache folder, an LLVM error: only speed is lost
                _log.debug(
                    "langid: compiled one-text path unavailable (%s: %s); numpy used", type(exc).__name__, exc
                )
                _kernel = False
    return _kernel


def _warm(kernel: Any) -> None:
    """Compile the kernel (or load it from numba's cache) for the argument types of every later call."""
    table = _fast._table()
    lut = np.zeros(0x10000, np.uint8)
    hashes = np.array([int(P), int(_MUL), _M32, 31, _WORD_SALT, 1], np.uint64)
    ints = np.zeros(17, np.int64)
    ints[0] = 1
    floats = np.ones(5 + 6 * 2)  # temperatures 1, every class allowed
    cps = np.frombuffer("a".encode("utf-32-le"), np.uint32)
    kernel(
        cps,
        table,
        lut,
        np.zeros((2, 2)),
        hashes,
        ints,
        floats,
        np.zeros(0, np.uint32),
        np.zeros(2),
        np.empty(10),
    )


def _due() -> bool:
    """Whether the compiled kernel should run this one-text call (it is loaded first when due)."""
    global _calls, _cold
    setting = mode()
    if setting == "0" or _kernel is False:
        return False
    if _kernel:
        return True
    if setting == "auto":
        _calls += 1
        if _calls < JIT_AFTER:
            return False
        if _cold is None:
            _cold = not _cache_holds_kernel()
        if _cold and _calls < JIT_AFTER_COLD:
            return False
    return bool(load())


def _run(model: Any, text: str, shift: np.ndarray | None) -> tuple[list[float], int]:
    a = _arrays(model)
    if may_mask(text):
        text = _MASK_RE.sub(" ", text.replace("\x00", " "))
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    out = np.empty(3 * a.n_classes + 4)
    shift = a.zeros if shift is None else np.array(shift, np.float64)  # one array type: no new compile
    _kernel(cps, a.table, a.script_lut, a.weights, a.hashes, a.ints, a.floats, a.sets, shift, out)
    return out.tolist(), a.n_classes


def predict_one(model: Any, text: str, shift: np.ndarray | None = None) -> tuple[list[float], int, int]:
    """``_fast.predict_one`` (probabilities as a list, script index, number of letters), compiled when due."""
    if not _due():
        return _fast.predict_one(model, text, shift)
    row, c = _run(model, text, shift)
    return row[2 * c : 3 * c], int(row[3 * c]), int(row[3 * c + 1] + row[3 * c + 2] + row[3 * c + 3])


def logits_one(
    model: Any, text: str, shift: np.ndarray | None = None, *, calibrated: bool = True
) -> tuple[list[float], int, list[int]]:
    """``_fast.logits_one`` (logits, dominant-script index, letters per script), compiled when due."""
    if not _due():
        return _fast.logits_one(model, text, shift, calibrated=calibrated)
    row, c = _run(model, text, shift)
    logits = row[c : 2 * c] if calibrated else row[:c]
    return logits, int(row[3 * c]), [int(x) for x in row[3 * c + 1 : 3 * c + 4]]
