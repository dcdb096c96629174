"""Transliteration models: the shipped rule ranker and user-trained joint models, loaded from their folders.

The folders (sidecar, data files, checks) are :mod:`~aimm_nlp.text.translit._folder`'s. Loading checks
everything and raises :class:`~aimm_nlp.errors.ModelError` on any problem; nothing ever falls back
silently to another model. A rule ranker's keep-foreign detector loads from its own data file
(:func:`foreign_detector`, :func:`default_foreign`) and is shared with the ranker of the same folder.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aimm_nlp.errors import ModelError
from aimm_nlp.text._pkgdata import path as package_path
from aimm_nlp.text.translit._compact import decode, rule_data
from aimm_nlp.text.translit._fast import CompiledRules, rank_phonetic
from aimm_nlp.text.translit._folder import (
    FOREIGN,
    FORMAT_VERSION,
    SIDECAR,
    read_data,
    read_folder,
    read_sidecar,
)
from aimm_nlp.text.translit._folder import save_joint as save_joint
from aimm_nlp.text.translit._foreign import ForeignDetector
from aimm_nlp.text.translit._native import PicklesWithoutKernels
from aimm_nlp.text.translit._ngram import NgramTables, tables_from_json
from aimm_nlp.text.translit._ngram_np import warn_no_jit
from aimm_nlp.text.translit._rules import _case_fold, load_rule_table, rank_rules, rule_table_text
from aimm_nlp.text.translit._store import fingerprint

if TYPE_CHECKING:
    from aimm_nlp.text.translit._beam_np import BatchSearch
    from aimm_nlp.text.translit._joint import JointModel

__all__ = [
    "FORMAT_VERSION",
    "Ranker",
    "default_foreign",
    "default_model",
    "foreign_detector",
    "load_model",
    "save_joint",
]

# New words of one call from which the batch runs in numpy (_beam_np, 2-4x the Python search per word).
BATCH_MIN = 48
# Without the C search: numba's (~25x the numpy search) is loaded once a ranker has searched this many words:
# ~1 s of numpy search (100-190 us a word), what loading it costs (import + first call 0.6-1.3 s).
JIT_AFTER = 6500
# Where numba has not compiled the search on this install yet (a new environment, a CI container):
# compiling costs 9-15 s (load 1-3 on 2 cores), the numpy search 145-190 us a word, so the compile repays
# itself in one job after ~60,000-80,000 words; it is paid there (at most twice the best choice, and `aimm
# translit FILE` passes files up to 4 MB as one block: the choice is made knowing the job's length).
JIT_AFTER_COLD = 70_000


class Ranker(Protocol):
    """What the Arabizi -> Arabic engine needs from a model."""

    name: str
    foreign: ForeignDetector

    def rank(self, word: str, *, k: int = 5) -> list[tuple[str, float]]: ...


def _tables(data: dict[str, Any] | NgramTables) -> NgramTables:
    return data if isinstance(data, NgramTables) else tables_from_json(data)


def _fingerprint(sidecar: dict[str, Any]) -> str:
    """What the arrays derived from a rule ranker are stored under (see _store): its files, the rules."""
    return fingerprint([json.dumps(sidecar, sort_keys=True), rule_table_text()])


def _detector(data: dict[str, Any], sidecar: dict[str, Any]) -> ForeignDetector:
    """A rule ranker's keep-foreign detector from its ``foreign_lm`` and ``arabizi_lm``."""
    return ForeignDetector(
        _tables(data["foreign_lm"]),
        _tables(data["arabizi_lm"]),
        set(load_rule_table().lexicon),
        cache_key=_fingerprint(sidecar),
    )


class RuleRanker(PicklesWithoutKernels):
    """Rules + char n-gram ranker (the shipped default, ``translit_ary.v1``).

    :meth:`rank` is the ranked default; :meth:`best_many` its best spellings for many words (the same
    search in C where the install built :mod:`~aimm_nlp.text.translit._native`; else over the whole batch
    in numpy from :data:`BATCH_MIN` new words, compiled with numba once :data:`JIT_AFTER` words were
    searched, :data:`JIT_AFTER_COLD` where numba has yet to compile it; identical output;
    ``AIMM_NO_NATIVE=1`` keeps the C search out, ``AIMM_NO_JIT=1`` numba);
    :meth:`rank_phonetic` and :attr:`compiled` are the phonetic reading (cheapest rule path, no
    model), built on first use. ``foreign``: the keep-foreign detector read from the folder's own file
    (else built from ``data``'s ``foreign_lm`` and ``arabizi_lm``).
    """

    def __init__(
        self, data: dict[str, Any], sidecar: dict[str, Any], *, foreign: ForeignDetector | None = None
    ) -> None:
        self.name = str(sidecar.get("name", "translit_ary"))
        self.sidecar = sidecar
        self.table = load_rule_table()
        self.lm = _tables(data["char_lm"])
        self.vocab = {w: float(v) for w, v in data["vocab"].items()}
        config = sidecar.get("config", {})
        self.lm_weight = float(config.get("lm_weight", 1.0))
        self.vocab_bonus = float(config.get("vocab_bonus", 3.0))
        self.beam = int(config.get("beam", 12))
        self.fingerprint = _fingerprint(sidecar)
        self.foreign = foreign if foreign is not None else _detector(data, sidecar)

        self._searched = 0
        self._jit: Any = None

    def _load_jit(self) -> Any:
        from aimm_nlp.text.translit import _jit

        self._jit = False
        if os.environ.get("AIMM_NO_JIT") or not _jit.available():
            return self._jit
        try:
            self._jit = _jit.JitRanker(
                self.table,
                self.lm,
                self.vocab,
                lm_weight=self.lm_weight,
                vocab_bonus=self.vocab_bonus,
                beam=self.beam,
                cache_key=self.fingerprint,
            )
            self._jit.best_many(["bzf"])  # compiles, or loads the compiled code from numba's cache
        except Exception as exc:  # any numba failure (no cache dir, an LLVM error) only costs speed
            warn_no_jit("transliteration search", "the Python search is used (same spellings, slower)", exc)
            self._jit = False
        return self._jit

    def _jit_due(self, searched: int) -> bool:
        """Whether to load the compiled search after ``searched`` words (:data:`JIT_AFTER`, ``_COLD``)."""
        if searched < JIT_AFTER:
            return False
        if searched >= JIT_AFTER_COLD or os.environ.get("AIMM_NO_JIT"):
            return True  # (_load_jit then only records that the Python search stays)
        from aimm_nlp.text.translit import _jit

        return not _jit.available() or _jit.compiled_code_cached()

    def expect(self, words: int) -> None:
        """About ``words`` new words are coming: load numba's search now where it is due for them (no C search)
        and numba's cache holds it, so the keep-foreign scorer, run first, gets its compiled kernel too."""
        if self._jit is None and self._jit_due(self._searched + words) and self._native is None:
            from aimm_nlp.text.translit import _jit

            if _jit.compiled_code_cached():
                self._load_jit()

    def best_many(self, words: list[str]) -> list[str]:
        """``rank(word, k=1)``'s spelling for every word (elongation already squeezed by the caller)."""
        # most words are all lowercase already (case folding leaves them as they are)
        folded = [w if w.islower() else _case_fold(w) for w in words]
        out: list[str | None] = list(map(self.table.lexicon.get, folded))
        todo = [i for i, o in enumerate(out) if o is None]
        found = self._search_many([folded[i] for i in todo]) if todo else []
        for i, spelled in zip(todo, found, strict=True):
            out[i] = spelled
        for i in todo:
            if out[i] is None:
                ranked = self.rank(words[i], k=1)
                out[i] = ranked[0][0] if ranked else words[i]
        return out  # type: ignore[return-value]

    def _search_many(self, words: list[str]) -> list[str | None]:
        """The search's best spellings of case-folded new words, ``None`` where ``rank`` must tell: in C
        (:mod:`~aimm_nlp.text.translit._native`), else numba, numpy or ``rank`` (see the class)."""
        if self._native is not None:
            return self._native.best_many(words, [w.lower() for w in words])
        self._searched += len(words)
        jit = self._jit
        if jit is None and self._jit_due(self._searched):
            jit = self._load_jit()
        if jit:
            return jit.best_many(words)
        return self._batch.best_many(words) if len(words) >= BATCH_MIN else [None] * len(words)

    @cached_property
    def _native(self) -> Any:
        """The C search (:mod:`~aimm_nlp.text.translit._native`), ``None`` where the install has none."""
        from aimm_nlp.text.translit import _native

        return _native.search(self)  # built once per model (~20 ms)

    @cached_property
    def _batch(self) -> BatchSearch:
        """The numpy search over a whole batch of words (:mod:`~aimm_nlp.text.translit._beam_np`)."""
        from aimm_nlp.text.translit._beam_np import BatchSearch

        return BatchSearch(
            self.table,
            self.lm,
            self.vocab,
            lm_weight=self.lm_weight,
            vocab_bonus=self.vocab_bonus,
            beam=self.beam,
        )

    @cached_property
    def compiled(self) -> CompiledRules:
        """The rule table compiled for the phonetic reading."""
        return CompiledRules(self.table)

    def rank_phonetic(self, word: str, *, k: int = 5) -> list[tuple[str, float]]:
        """Spellings by rule cost alone (:func:`~aimm_nlp.text.translit._fast.rank_phonetic`)."""
        return rank_phonetic(word, self.table, self.compiled, beam=self.beam, k=k)

    def rank(self, word: str, *, k: int = 5) -> list[tuple[str, float]]:
        return rank_rules(
            word,
            table=self.table,
            lm=self.lm,
            vocab=self.vocab,
            k=k,
            beam=self.beam,
            lm_weight=self.lm_weight,
            vocab_bonus=self.vocab_bonus,
        )


class JointRanker:
    """A joint-sequence model trained with ``aimm translit train``.

    Models trained with a back-off rule (``config.backoff`` in the sidecar, see
    :mod:`aimm_nlp.text.translit._backoff`) spell a word seen in training as it was spelled there, and
    an unseen word with the shipped ranker wherever the joint model's own evidence is weak; older
    models use the joint model alone.
    """

    def __init__(
        self,
        data: dict[str, Any],
        sidecar: dict[str, Any],
        *,
        model: JointModel | None = None,
    ) -> None:
        from aimm_nlp.text.translit._backoff import BackoffRule
        from aimm_nlp.text.translit._joint import JointModel  # trained models only (it loads logging)

        self.name = str(sidecar.get("name", "joint"))
        self.sidecar = sidecar
        config = sidecar["config"]
        if model is None:
            graphones = [(str(s), str(d)) for s, d in data["graphones"]]
            model = JointModel(
                graphones,
                tables_from_json(data["tables"]),
                counts=[float(c) for c in data["counts"]],
                beam=int(config.get("beam", 8)),
                max_options=int(config.get("max_options", 5)),
            )
        self.model = model
        # one rule per kind of line (``short``: up to 3 words, ``long``); none: the joint model alone
        self.rules = {
            kind: BackoffRule(float(r["min_prob"]), bool(r["guard"]), int(r["lexicon_min"]))
            for kind, r in config.get("backoff", {}).items()
        }
        self.rule = self.rules.get("short")
        self.lexicon = {str(k): (str(v[0]), int(v[1])) for k, v in data.get("lexicon", {}).items()}
        self.shipped = default_model()
        self.foreign = self.shipped.foreign

    def line_views(self) -> dict[str, JointRanker]:
        """This model as used for each kind of line (``short``, ``long``): the same tables, that kind's
        back-off rule. Empty for models without back-off (one spelling per word, whatever the line)."""
        views = {}
        for kind, rule in self.rules.items():
            view = copy.copy(self)
            view.rule = rule
            views[kind] = view
        return views

    def _joint(self, word: str, k: int) -> list[tuple[str, float]]:
        # Case is data here (DODa writes emphatics as capitals: Talab -> طلاب); only ALL-CAPS folds.
        return self.model.rank(word.lower() if word.isupper() and len(word) > 1 else word, k=k)

    def decide_many(self, words: list[str]) -> list[tuple[str, str]]:
        """``(spelling, evidence)`` of many words (elongation squeezed by the caller); evidence is
        ``lexicon``, ``joint`` or ``shipped``."""
        from aimm_nlp.text.translit._backoff import decide, posterior

        if self.rule is None:
            return [((r[0][0] if (r := self._joint(w, 1)) else w), "joint") for w in words]
        shipped = self.shipped.best_many(words)  # type: ignore[attr-defined]
        vocab = self.shipped.vocab  # type: ignore[attr-defined]
        never = self.rule.min_prob > 1.0  # a posterior is at most 1: the joint model's search is not needed
        out = []
        for word, mine in zip(words, shipped, strict=True):
            known = self.lexicon.get(word)
            if known is None and word.isupper():
                known = self.lexicon.get(word.lower())
            settled = never or (known is not None and 0 < self.rule.lexicon_min <= known[1])
            ranked = [] if settled or (self.rule.guard and mine in vocab) else self._joint(word, 5)
            joint = ranked[0][0] if ranked else None
            out.append(
                decide(
                    self.rule,
                    known=known,
                    shipped=mine,
                    in_vocab=mine in vocab,
                    joint=joint,
                    prob=posterior(ranked),
                )
            )
        return out

    def best_many(self, words: list[str]) -> list[str]:
        """The best spelling of every word (elongation squeezed by the caller)."""
        return [spelled for spelled, _ in self.decide_many(words)]

    def rank(self, word: str, *, k: int = 5) -> list[tuple[str, float]]:
        ranked = self._joint(word, k)
        if self.rule is None:
            return ranked
        best, why = self.decide_many([word])[0]
        if why == "shipped":
            ranked = self.shipped.rank(word, k=k)
        if not ranked or ranked[0][0] != best:  # the chosen spelling first, at the best cost
            cost = ranked[0][1] if ranked else 0.0
            ranked = [(best, cost), *[c for c in ranked if c[0] != best][: k - 1]]
        return ranked


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> Ranker:
    sidecar, raw, data_file = read_folder(Path(path))
    try:
        if sidecar["kind"] == "rule_ranker":
            own = _foreign_cached(path, mtime) if FOREIGN in sidecar.get("files", {}) else None
            return RuleRanker(rule_data(sidecar, raw, data_file), sidecar, foreign=own)
        return JointRanker(decode(raw, data_file), sidecar)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: model data is malformed ({type(exc).__name__}: {exc})") from None


@lru_cache(maxsize=8)
def _foreign_cached(path: str, mtime: float) -> ForeignDetector:
    sidecar = read_sidecar(Path(path))
    if sidecar["kind"] != "rule_ranker":  # a trained model uses the shipped ranker's detector
        return default_foreign()
    if FOREIGN not in sidecar.get("files", {}):  # an older folder: the detector's models are in its data file
        return _load_cached(path, mtime).foreign
    raw, data_file = read_data(Path(path), sidecar, FOREIGN)
    try:
        return _detector(rule_data(sidecar, raw, data_file, part="foreign"), sidecar)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{data_file}: model data is malformed ({type(exc).__name__}: {exc})") from None


def _mtime(p: Path) -> float:
    side = p / SIDECAR
    return side.stat().st_mtime if side.is_file() else 0.0


def load_model(path: str | os.PathLike[str]) -> Ranker:
    """Load and verify a model folder (cached per path and modification time).

    Raises:
        ModelError: missing folder, missing/invalid sidecar, unknown kind or format
            version, checksum mismatch, undecodable data.
    """
    p = Path(path).resolve()
    return _load_cached(str(p), _mtime(p))


def default_model() -> Ranker:
    """The shipped ``translit_ary.v1`` rule ranker."""
    return load_model(Path(package_path("models/translit_ary")))


def foreign_detector(path: str | os.PathLike[str]) -> ForeignDetector:
    """The keep-foreign detector of a model folder, without the rest of the model where the folder keeps
    it in its own file (the shipped ranker: ~54k keys instead of ~300k); the same object as
    ``load_model(path).foreign`` (cached per path and modification time).

    Raises:
        ModelError: as :func:`load_model`.
    """
    p = Path(path).resolve()
    return _foreign_cached(str(p), _mtime(p))


def default_foreign() -> ForeignDetector:
    """The shipped ranker's keep-foreign detector (:func:`foreign_detector`)."""
    return foreign_detector(Path(package_path("models/translit_ary")))
