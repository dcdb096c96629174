"""The C kernels of the Arabizi search (``_ckernels.c``), where the install compiled them.

``_ckernels`` is built by the package's build hook (``tools/hatch_build.py``) when a C compiler works;
without it the same results come from Python, numpy or numba. Two kernels:

- :func:`search`: ``rank_rules(word, k=1)``'s spelling of many words (the ranked default's search);
- :func:`foreign`: the keep-foreign checks of many words, the lexical ones and the per-character
  log-likelihood ratio.

Both give the very results of the Python code (the same option order, beam, merges and floating-point
sums; tests compare them on thousands of real words). Why C rather than numba for these: numba's import
and the load of its cached code cost ~1 s per process (~10 s to compile in a new environment), more than
the whole run of a rule-only peer on a 0.5 MB file; the module loads in about a millisecond.

``AIMM_NO_NATIVE=1`` keeps it out (the numba and numpy paths then run as before, for comparison).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimm_nlp.text.translit._foreign import ForeignDetector
    from aimm_nlp.text.translit._model import RuleRanker

__all__ = ["ForeignKernels", "PicklesWithoutKernels", "foreign", "kernels", "search", "source_digest"]

SOURCE = Path(__file__).with_name("_ckernels.c")


def source_digest() -> str | None:
    """SHA-256 of ``_ckernels.c`` beside this module (``None`` where it is not there to compare)."""
    try:
        return hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    except OSError:
        return None


class PicklesWithoutKernels:
    """A holder of kernels (in ``_native``) that pickles without them, as ``datasets.map(num_proc=...)`` and
    ``multiprocess`` pickle a transliterator: they hold C memory, and are built again on first use."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_native", None)
        return state


@lru_cache(maxsize=1)
def _load() -> ModuleType | None:
    try:
        import aimm_nlp.text.translit._ckernels as _ckernels  # type: ignore[import-not-found]
    except ImportError:
        return None
    digest = source_digest()
    if digest is not None and getattr(_ckernels, "SOURCE_SHA256", None) != digest:
        return None  # built from another source (a checkout edited since `pip install -e .`)
    return _ckernels


def kernels() -> ModuleType | None:
    """The compiled module, or ``None``: not built on this install, built from another source than the
    ``_ckernels.c`` beside it (``pip install -e .`` builds it again), or switched off by
    ``AIMM_NO_NATIVE=1``."""
    if os.environ.get("AIMM_NO_NATIVE"):
        return None
    return _load()


def search(ranker: RuleRanker) -> Any | None:
    """A compiled ``rank_rules(word, k=1)`` for many words with the ranker's rules, character model, word
    list and settings (``best_many(words, lowered)``, ``None`` per word it cannot hold), or ``None`` where
    the module is missing or the model does not suit it (a character model not closed under prefixes, of
    order over 9, a hash shared by two keys)."""
    from aimm_nlp.text.translit._rules import _CONSONANTS

    module = kernels()
    if module is None:
        return None
    table = ranker.table
    tables = [table.initial, table.final, table.before_geminate, table.graphemes]
    knobs = (ranker.lm_weight, ranker.vocab_bonus, ranker.beam)
    try:
        return module.Search(tables, ranker.lm, ranker.vocab, _CONSONANTS, table.max_len, *knobs)
    except ValueError:
        return None


class ForeignKernels:
    """The keep-foreign checks of a :class:`~aimm_nlp.text.translit._foreign.ForeignDetector` in C: its
    lexical verdicts (``_lexical``) and ratios (``llr``) of a whole batch, the same values."""

    def __init__(self, module: ModuleType, detector: ForeignDetector) -> None:
        self._lexical = module.Lexical(
            detector.darija_words, detector.foreign_words, detector.accents, detector.min_len
        )
        self._ratio = module.Ratio(detector.foreign_lm, detector.arabizi_lm)

    def ratios(self, lowered: list[str]) -> list[float]:
        """``llr`` of each lowered word (``'`` for ``’``), rounded as it rounds."""
        return [round(r, 4) for r in self._ratio.totals(lowered)]

    def batch(self, words: list[str]) -> tuple[bytes, list[str], list[int], list[float]]:
        """Per word its lexical verdict (``_BY_KIND``'s index, 0: the ratio decides), the lowered words,
        the indices of the words the ratio decides and their ratios."""
        joined = "\x00".join(words)
        if (
            joined.count("\x00") == len(words) - 1
        ):  # lower() of the joined text is per word (see _foreign._SEP)
            lowered = joined.lower().replace("’", "'").split("\x00") if words else []
        else:
            lowered = [w.lower().replace("’", "'") for w in words]
        kinds = self._lexical.kinds(lowered)
        todo = [i for i, kind in enumerate(kinds) if not kind]
        return kinds, lowered, todo, self.ratios([lowered[i] for i in todo])


def foreign(detector: ForeignDetector) -> ForeignKernels | None:
    """The detector's checks in C, or ``None`` where the module is missing or its models do not suit it
    (orders differ or over 9, a hash shared by two keys)."""
    module = kernels()
    if module is None or detector.foreign_lm.order != detector.arabizi_lm.order:
        return None
    try:
        return ForeignKernels(module, detector)
    except ValueError:
        return None
