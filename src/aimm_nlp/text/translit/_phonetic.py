"""The phonetic reading's ranker: the shipped rule table, without the shipped model's data.

The phonetic reading spells by rule cost alone (no character model, no word list), so it needs none of
the ~250k n-gram keys and words of ``ranker.json.gz``. Decoding them costs ~0.15 s in a new
environment (~0.05 s read back from the store of :mod:`~aimm_nlp.text.translit._store`), most of what
a short ``aimm translit --phonetic`` run costs. :class:`PhoneticRanker` reads the shipped sidecar
(name, beam) and the rule table only. The keep-foreign detector, which scores words with the model's
French/English and Arabizi n-gram models, is the shipped model's, read from its own data file
(``foreign.json.gz``, ~0.02 s) on first use: ``phonetic=True, keep_foreign=False``
(``--phonetic --no-keep-foreign``) reads no model data at all.
"""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from aimm_nlp.errors import ModelError
from aimm_nlp.text._pkgdata import path as package_path
from aimm_nlp.text._pkgdata import read_text
from aimm_nlp.text.translit._fast import CompiledRules, rank_phonetic
from aimm_nlp.text.translit._rules import load_rule_table

if TYPE_CHECKING:
    from aimm_nlp.text.translit._foreign import ForeignDetector

__all__ = ["PhoneticRanker", "phonetic_model"]

_SIDECAR = "models/translit_ary/model.json"  # the shipped ranker's sidecar (its name and beam)


class PhoneticRanker:
    """The shipped rules read phonetically (see the module docstring); ``foreign`` loads on first use."""

    def __init__(self, name: str, beam: int) -> None:
        self.name = name
        self.beam = beam
        self.table = load_rule_table()

    @cached_property
    def compiled(self) -> CompiledRules:
        """The rule table compiled for the phonetic reading."""
        return CompiledRules(self.table)

    @cached_property
    def foreign(self) -> ForeignDetector:
        """The shipped model's keep-foreign detector (its own data file is read, and checked, now)."""
        from aimm_nlp.text.translit._model import default_foreign

        return default_foreign()

    def rank_phonetic(self, word: str, *, k: int = 5) -> list[tuple[str, float]]:
        """:func:`~aimm_nlp.text.translit._fast.rank_phonetic` with the shipped rules."""
        return rank_phonetic(word, self.table, self.compiled, beam=self.beam, k=k)


@lru_cache(maxsize=1)
def phonetic_model() -> PhoneticRanker:
    """The phonetic reading of the shipped ``translit_ary`` model (its sidecar's name and beam).

    Raises:
        ModelError: the shipped sidecar is missing or unreadable (a broken install).
    """
    try:
        sidecar = json.loads(read_text(_SIDECAR))
        return PhoneticRanker(str(sidecar.get("name", "translit_ary")), int(sidecar["config"]["beam"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(
            f"{package_path(_SIDECAR)}: unreadable ({type(exc).__name__}: {exc}); reinstall aimm_nlp"
        ) from None
