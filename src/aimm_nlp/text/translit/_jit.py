"""The ranked Arabizi search (:func:`~aimm_nlp.text.translit._rules.rank_rules`, best spelling only) compiled with numba.

``rank_rules`` walks a word left to right in Python: every hypothesis is a
string, every extension a few dict probes of the character model. A new word
costs 150-250 µs that way, which bounds the throughput of the shipped default
on unseen text. This module runs the *same* search in machine code: the rule
table and the word list become open-addressing hash tables over 64-bit
polynomial hashes of their keys (the scheme of
:mod:`~aimm_nlp.text.translit._ngram_np`); the character model becomes a state
machine (state = the longest suffix of a hypothesis's context that is a context
of the model; per state and letter the log probability the back-off walk gives
and the next state), built when the model is loaded; hypotheses are rows of
preallocated arrays identified by the hash of their output, and one call ranks a
whole batch of new words.

It reproduces ``rank_rules(word, k=1)`` exactly: the same option order, the
same beam (a stable sort, like ``heapq.nsmallest``), the same merge of equal
outputs (an output keeps its first place and takes a lower score), the same
floating-point sums in the same order; the state machine holds exactly when
the model is closed under prefixes (checked: else the Python search is used).
A test compares both on thousands of DODa and tweet words. Words the arrays
cannot hold (a letter whose lowercase has another length, more than 64 letters,
a layer over ``CAP`` hypotheses) are reported back and ranked by ``rank_rules``.
Hash collisions are checked among each table's keys when it is built; a query
colliding with a key it is not (about 2^-64) is not.

numba is used rather than a C extension of our own: it is a maintained JIT,
installs as a wheel, and keeps the search readable Python. It is imported
lazily, when a long job loads the compiled search; compiled code is cached on disk.
"""

from __future__ import annotations

import sys
from functools import partial
from itertools import pairwise
from types import ModuleType
from typing import TYPE_CHECKING, Any

from aimm_nlp.text.translit._jit_tables import bit_filter, open_table, pack, state_machine
from aimm_nlp.text.translit._ngram import NgramTables
from aimm_nlp.text.translit._ngram_np import _MASK, _P, _hash
from aimm_nlp.text.translit._rules import _CONSONANTS, SHADDA, RuleTable
from aimm_nlp.text.translit._store import fingerprint, load_or_build

if TYPE_CHECKING:
    import numpy as np

__all__ = ["JitRanker", "available", "compiled_code_cached"]

_LONGEST = 64  # longer words (memory of the hypothesis arrays grows with the length) stay in Python
_TABLES = ("initial", "final", "before_geminate", "graphemes")


def _code_modules() -> list[ModuleType]:
    """The modules whose source decides the arrays and how the kernel reads them (part of the store key)."""
    from aimm_nlp.text.translit import _jit_kernel, _jit_tables, _ngram, _ngram_np, _rules

    return [sys.modules[__name__], _jit_kernel, _jit_tables, _ngram, _ngram_np, _rules]


def available() -> bool:
    """Whether numba is installed here (found, not imported: importing it costs ~0.4 s)."""
    from importlib.util import find_spec

    return find_spec("numba") is not None


def compiled_code_cached() -> bool:
    """Whether numba's on-disk cache holds compiled code of the search (else loading it compiles, ~9 s),
    read without importing numba (:func:`aimm_nlp._numba_cache.kernel_cached`)."""
    import os

    from aimm_nlp._numba_cache import kernel_cached

    return kernel_cached(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "_jit_kernel.py"), "best_many"
    )


def _build(
    kernel: Any, table: RuleTable, lm: NgramTables, vocab: dict[str, float], knobs: tuple[float, float, int]
) -> dict[str, np.ndarray]:
    """The search's arrays: the packed tables (``ints``, ``bits``) and the state machine (``tlp``, ``tnext``).

    ``knobs`` is ``(lm_weight, vocab_bonus, beam)``, the settings the arrays are keyed on.
    """
    import numpy as np

    lm_weight, vocab_bonus, beam = knobs

    # rules: every (table, grapheme) -> its options, in the dict's order
    hashes, spans, key_tab, key_start = [], [], [], []
    key_codes: list[int] = []
    glen, out_off, lm_off, cost, ohash, opow = [], [0], [0], [], [], []
    out_codes: list[int] = []
    lm_codes: list[int] = []
    for t, name in enumerate(_TABLES):
        for g, options in getattr(table, name).items():
            hashes.append((_hash(g) * _P + t + 1) & _MASK)
            first = len(glen)
            for arab, c in options:
                glen.append(len(g))
                out_codes.extend(map(ord, arab))
                out_off.append(len(out_codes))
                lm_codes.extend(map(ord, arab.replace(SHADDA, "")))
                lm_off.append(len(lm_codes))
                cost.append(float(c))
                ohash.append(_hash(arab))
                opow.append(pow(_P, len(arab), 1 << 64))
            spans.append((first, len(glen)))
            key_tab.append(t)
            key_start.append(len(key_codes))
            key_codes.extend([*map(ord, g), -1])
    gkeys, gvals, gbits = open_table(hashes, spans, np.int64)
    # per slot: the table id and where the key's codes start (a hit is verified letter by letter)
    slot_of = {int(k): s for s, k in enumerate(gkeys) if k}
    slot_tab = np.full(len(gkeys), -1, dtype=np.int64)
    slot_start = np.zeros(len(gkeys), dtype=np.int64)
    for h, t, ks in zip(hashes, key_tab, key_start, strict=True):
        slot_tab[slot_of[h]], slot_start[slot_of[h]] = t, ks
    cons = np.zeros(128, dtype=np.int64)
    cons[[ord(ch) for ch in _CONSONANTS]] = 1
    tlp, tnext, sym_codes, lm_sym, start, eos_y = state_machine(lm, lm_codes, kernel)[:6]
    vkeys, vvals, vbits = open_table(list(map(_hash, vocab)), list(vocab.values()), np.float64)
    flat = np.zeros(2 * len(vkeys), dtype=np.uint64)  # key, value bits, key, value bits...
    flat[0::2], flat[1::2] = vkeys, vvals.view(np.uint64)
    # Every LM term is a log probability (<= 0) and the weights are >= 0: the end-of-word bound holds.
    prune = (
        lm_weight >= 0
        and vocab_bonus >= 0
        and lm.floor <= 0
        and max(lm.logp.values(), default=0.0) <= 0
        and max(lm.bow.values(), default=0.0) <= 0
        and min(vocab.values(), default=0.0) >= 0
    )
    fbits = max(6, (16 * len(vocab)).bit_length())  # 16-32 bits per word: 3-6% false positives
    scalars = {
        "gbits": gbits,
        "start_state": start,
        "eos_y": eos_y,
        "vbits": vbits,
        "fbits": fbits,
        "beam": int(beam),
        "max_len": int(table.max_len),
        "prune": int(prune),
        "lm_len": max([1, *(b - a for a, b in pairwise(lm_off))]),
    }
    ints, bits = pack(
        kernel,
        {
            "gspan": gvals,  # per slot: first option, end
            "key_tab": slot_tab,
            "key_start": slot_start,
            "key_codes": key_codes or [0],
            "cons": cons,
            "opt_glen": glen or [0],
            "opt_out": out_off,
            "opt_lm": lm_off,
            "out_codes": out_codes or [0],
            "sym_codes": sym_codes,
            "lm_sym": lm_sym,
            "scalars": [scalars[name] for name in kernel.SCALARS],
        },
        {
            "gkeys": gkeys,
            "opt_hash": np.array(ohash or [0], dtype=np.uint64),
            "opt_pow": np.array(opow or [0], dtype=np.uint64),
            "vocab": flat,
            "vfilter": bit_filter(vkeys, fbits),
            "opt_cost": np.array(cost or [0.0], dtype=np.float64),
            "weights": np.array([lm_weight, vocab_bonus], dtype=np.float64),
        },
    )
    return {"ints": ints, "bits": bits, "tlp": tlp, "tnext": tnext}


def _sound(kernel: Any, arrays: dict[str, np.ndarray]) -> bool:
    """Whether arrays read back from the store are safe for the kernel (which does not bounds-check):
    the right names, dtypes and shapes, part offsets within the arrays, next states within the machine."""
    import numpy as np

    try:
        ints, bits, tlp, tnext = arrays["ints"], arrays["bits"], arrays["tlp"], arrays["tnext"]
    except KeyError:
        return False
    if (ints.dtype, bits.dtype, tlp.dtype, tnext.dtype) != (np.int64, np.uint64, np.float64, np.int64):
        return False
    if ints.ndim != 1 or bits.ndim != 1 or tlp.ndim != 2 or tlp.shape != tnext.shape or not tlp.size:
        return False
    heads = kernel.INT_PARTS + len(kernel.BIT_NAMES) + 2
    if len(ints) < heads:
        return False
    offsets, bit_offsets = ints[: kernel.INT_PARTS + 1], ints[kernel.INT_PARTS + 1 : heads]
    return bool(
        offsets[0] == heads
        and offsets[-1] == len(ints)
        and (np.diff(offsets) >= 0).all()
        and bit_offsets[0] == 0
        and bit_offsets[-1] == len(bits)
        and (np.diff(bit_offsets) >= 0).all()
        and tnext.min() >= 0
        and tnext.max() < len(tnext)
    )


class JitRanker:
    """``rank_rules(word, k=1)`` for many words in one compiled call.

    Args:
        table: the grapheme rules.
        lm: the character model of Arabic-script Darija.
        vocab: attested spellings -> bonus scale.
        lm_weight, vocab_bonus, beam: as for ``rank_rules``.
        cache_key: a fingerprint of ``table``, ``lm`` and ``vocab`` (the model's files): the arrays are
            then kept on disk (:mod:`~aimm_nlp.text.translit._store`) and read back by the next process
            instead of being built again (~0.6 s). ``None`` builds them in memory only.

    Raises:
        ImportError: numba is not installed (check :func:`available` first).
    """

    def __init__(
        self,
        table: RuleTable,
        lm: NgramTables,
        vocab: dict[str, float],
        *,
        lm_weight: float,
        vocab_bonus: float,
        beam: int,
        cache_key: str | None = None,
    ) -> None:
        import numpy as np

        from aimm_nlp.text.translit import _jit_kernel as kernel

        if lm.order - 1 > kernel.KEEP_MAX:
            raise ValueError("the compiled search handles character models of order <= 9")
        self._kernel = kernel.best_many
        self._workspace = kernel.workspace
        self._work = kernel.workspace(33)
        self._frombuffer, self._uint32 = np.frombuffer, np.dtype(np.uint32)  # looked up once, not per call
        knobs = (float(lm_weight), float(vocab_bonus), int(beam))  # what the arrays are built and keyed on
        build = partial(_build, kernel, table, lm, vocab, knobs)
        arrays = (
            build()
            if cache_key is None
            else load_or_build(
                "search",
                fingerprint([cache_key, *map(repr, knobs)]),
                fingerprint([np.__version__], _code_modules()),
                build,
                partial(_sound, kernel),
            )
        )
        self._ints, self._bits = arrays["ints"], arrays["bits"]
        self._tlp, self._tnext = arrays["tlp"], arrays["tnext"]  # the kernel gets only what the search reads

    def best_many(self, words: list[str]) -> list[str | None]:
        """The best spelling of each case-folded, non-lexicon word; ``None`` where the caller must search."""
        if len(words) == 1:  # a one-line call: the same steps without the lists (~2 us less)
            w = words[0]
            low = w.lower()
            if not 0 < len(w) == len(low) <= _LONGEST:
                return [None]
            if len(w) >= len(self._work[0]):
                self._work = self._workspace(len(w) + 1)
            text = self._frombuffer((w + low + chr(len(w))).encode("utf-32-le"), self._uint32)
            out = self._kernel(text, 1, self._ints, self._bits, self._tlp, self._tnext, self._work).tolist()
            return [None if out[0] else "".join(map(chr, out[2:]))]
        if not words:
            return []
        lengths = list(map(len, words))
        joined = "".join(words)
        lowered = "".join([w.lower() for w in words])  # word by word: lower() treats a final sigma by context
        # a letter whose lowercase is longer (the lengths differ then), an empty word or one too long
        if len(lowered) != len(joined) or min(lengths) == 0 or max(lengths) > _LONGEST:
            ok = [0 < len(w) == len(w.lower()) <= _LONGEST for w in words]
            done = iter(self.best_many([w for w, good in zip(words, ok, strict=True) if good]))
            return [next(done) if good else None for good in ok]
        if max(lengths) >= len(self._work[0]):
            self._work = self._workspace(max(lengths) + 1)
        # one array: the letters, their lowercase, and each word's length as a code (at most 64)
        text = self._frombuffer(
            "".join([joined, lowered, *map(chr, lengths)]).encode("utf-32-le"), self._uint32
        )
        nw = len(words)
        out = self._kernel(text, nw, self._ints, self._bits, self._tlp, self._tnext, self._work)
        head = out[: 2 * nw].tolist()  # failed flags, then where each spelling ends
        spelled = out[2 * nw :].tobytes().decode("utf-32-le")
        starts = [0, *head[nw:]]
        return [
            None if failed else spelled[a:b]
            for failed, a, b in zip(head[:nw], starts, head[nw:], strict=False)
        ]
