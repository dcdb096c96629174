"""The ranked Arabizi search (``rank_rules(word, k=1)``) for a whole batch of words at once, in numpy.

:func:`~aimm_nlp.text.translit._rules.rank_rules` walks one word at a time in Python (150-250 µs a
new word); the compiled search (:mod:`~aimm_nlp.text.translit._jit`) needs numba, whose first compile
costs ~9 s on a new install. This search needs neither: every layer (input position) of every word of
the batch is one set of array operations.

- A hypothesis is a row: word, score, the last ``order - 1`` letters of its output (the character
  model's context), the 64-bit polynomial hash of its output (the scheme of
  :mod:`~aimm_nlp.text.translit._ngram_np`; equal outputs merge by hash), a back-pointer, and its
  place in the Python search's dict (``seq``).
- The rule options of a position depend only on the letters from there to five letters on and on
  whether it starts the word: they are looked up once per such key and kept.
- The character model is scored with sorted hash arrays (``np.searchsorted``), walking the back-off
  from the longest context down exactly as :meth:`NgramTables.score` does, in the same order of
  floating-point additions, so every score equals the Python search's bit for bit.
- The Python search's order is reproduced: options outer, beam inner; an output keeps its first place
  in a layer and takes a strictly lower score; a layer over ``beam`` keeps the ``beam`` best by score
  (ties: first place), else all in first-place order; the best final score wins, ties to the first.

Same spellings as ``rank_rules`` (a test compares them on thousands of real words); a hash collision
between two different outputs of one word (about 2^-64) is not checked.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables
from aimm_nlp.text.translit._ngram_np import hash_many as _hash_many
from aimm_nlp.text.translit._rules import _CONSONANTS, SHADDA, RuleTable

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BatchSearch"]

# Words searched together: the arrays grow with them (the 75,000 new words of a 1.46 MB file searched at
# once: a 0.95 GB process; 20,000 words: 282 MB at once, 137 MB in these chunks, same time within noise).
CHUNK = 4096
_P = 1_000_003
_MIX = 0x9E3779B97F4A7C15


def _by_length(table: dict[str, float], lengths: int) -> list[tuple[list[str], list[float]]]:
    """The keys of each length ``0 .. lengths - 1`` and their values, in the table's order (one pass)."""
    out: list[tuple[list[str], list[float]]] = [([], []) for _ in range(lengths)]
    for key, value in table.items():
        keys, values = out[len(key)]
        keys.append(key)
        values.append(value)
    return out


class _Table:
    """Hashed string keys -> floats: a sorted array of 64-bit hashes, looked up with ``np.searchsorted``."""

    def __init__(self, keys: list[str], values: list[float]) -> None:
        import numpy as np

        h = _hash_many(keys)
        order = np.argsort(h, kind="stable")
        self.keys, self.values = h[order], np.append(np.asarray(values, dtype=np.float64)[order], 0.0)
        if (self.keys[1:] == self.keys[:-1]).any():  # sorted: equal hashes sit side by side
            raise ValueError("hash collision among table keys")

    def get(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, value)`` of every query (value 0.0 where not found)."""
        import numpy as np

        at = np.searchsorted(self.keys, queries)
        found = self.keys[np.minimum(at, len(self.keys) - 1)] == queries if len(self.keys) else at < 0
        return found, self.values[np.where(found, at, len(self.keys))]


class BatchSearch:
    """``rank_rules(word, k=1)``'s spelling for many words in one numpy search.

    Args:
        table: the grapheme rules.
        lm: the character model of Arabic-script Darija.
        vocab: attested spellings -> bonus scale.
        lm_weight, vocab_bonus, beam: as for ``rank_rules``.
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
    ) -> None:
        import numpy as np

        self.table, self.beam = table, int(beam)
        self.lm_weight, self.vocab_bonus, self.floor = float(lm_weight), float(vocab_bonus), float(lm.floor)
        self.keep = max(lm.order - 1, 1)
        # one table per key length: a walk's lookup at one level searches the keys of that length only
        longest = max(map(len, [*lm.logp, *lm.bow, ""]))
        self._logp = [_Table(*group) for group in _by_length(lm.logp, longest + 2)]
        self._bow = [_Table(*group) for group in _by_length(lm.bow, longest + 2)]
        self._vocab = _Table(list(vocab), list(vocab.values()))
        self._arrays: tuple[np.ndarray, ...] = ()
        self._arrays_for = -1  # the number of option sets the arrays were made for
        self._sets: dict[tuple, int] = {}  # see _word_sets
        self._set_opts: list[list[int]] = []  # option set -> option ids
        self._opts: dict[tuple[int, str, float], int] = {}  # (length, arabic, cost) -> option id
        self._arabs: dict[str, int] = {}
        self._np = np

    def _word_sets(self, word: str) -> list[int]:
        """The option set of every position of ``word``.

        ``options(word, i)`` reads the graphemes from ``i`` (up to ``max_len`` letters), whether one
        ends the word, and whether a doubled consonant follows one: the key holds just that.
        """
        n, span, sets = len(word), self.table.max_len, self._sets
        doubled = "".join(["1" if a == b and a in _CONSONANTS else "0" for a, b in pairwise(word)]) + "0"
        out = []
        for i in range(n):
            key = (word[i : i + span], doubled[i + 1 : i + span + 1], n - i if n - i <= span else 0, i == 0)
            found = sets.get(key)
            if found is None:
                found = self._new_set(key, word[i : i + span + 2], i == 0)
            out.append(found)
        return out

    def _new_set(self, key: tuple, letters: str, start: bool) -> int:
        ids = []
        # options() past the start: a one-letter pad before the letters stands for the word's start
        for opt in self.table.options(letters, 0) if start else self.table.options("\x01" + letters, 1):
            if opt not in self._opts:
                self._opts[opt] = len(self._opts)
                self._arabs.setdefault(opt[1], len(self._arabs))
            ids.append(self._opts[opt])
        found = self._sets[key] = len(self._set_opts)
        self._set_opts.append(ids)
        return found

    def _tables(self) -> tuple[np.ndarray, ...]:
        """The option and output arrays of every set seen so far (made again when sets were added)."""
        if self._arrays_for != len(self._set_opts):
            self._arrays, self._arrays_for = self._make_tables(), len(self._set_opts)
        return self._arrays

    def _make_tables(self) -> tuple[np.ndarray, ...]:
        np = self._np
        opts = list(self._opts)
        arabs = list(self._arabs)
        set_start = np.zeros(len(self._set_opts) + 1, dtype=np.int64)
        set_start[1:] = np.cumsum([len(s) for s in self._set_opts])
        flat = np.array([o for s in self._set_opts for o in s], dtype=np.int64)
        opt_len = np.array([o[0] for o in opts], dtype=np.int64)[flat]
        opt_cost = np.array([o[2] for o in opts], dtype=np.float64)[flat]
        opt_arab = np.array([self._arabs[o[1]] for o in opts], dtype=np.int64)[flat]
        letters = [a.replace(SHADDA, "") for a in arabs]
        nlet = np.array(list(map(len, letters)), dtype=np.int64)
        codes = np.zeros((len(arabs), max(1, int(nlet.max(initial=0)))), dtype=np.uint64)
        for i, a in enumerate(letters):
            codes[i, : len(a)] = [ord(c) for c in a]
        a_hash = _hash_many(arabs)
        a_pow = np.array([pow(_P, len(a), 1 << 64) for a in arabs], dtype=np.uint64)
        return set_start, opt_len, opt_cost, opt_arab, nlet, codes, a_hash, a_pow

    def _score(self, ctx: np.ndarray, clen: np.ndarray, sym: np.ndarray) -> np.ndarray:
        """``NgramTables.score(context, symbol)`` for rows of right-aligned contexts, same additions."""
        np = self._np
        n, keep = ctx.shape
        p = np.uint64(_P)
        suffix = [np.zeros(n, dtype=np.uint64)]  # suffix[j]: hash of the last j letters
        for j in range(1, keep + 1):
            suffix.append((ctx[:, keep - j] + np.uint64(1)) * p ** np.uint64(j - 1) + suffix[j - 1])
        y = sym + np.uint64(1)
        # rows repeat (hypotheses share a context and a next letter): each distinct one is walked once
        full = suffix[keep] * p + y
        for j in range(keep):
            short = clen == j
            full[short] = suffix[j][short] * p + y[short]
        _, first, inverse = np.unique(full, return_index=True, return_inverse=True)
        suffix, clen, y, n = [s[first] for s in suffix], clen[first], y[first], len(first)
        acc = np.zeros(n)
        idx = np.flatnonzero(clen >= keep)
        for j in range(keep, -1, -1):
            if j < keep:  # rows whose context has j letters join the walk here
                idx = np.concatenate([idx, np.flatnonzero(clen == j)])
            if not len(idx):
                continue
            found, value = self._logp[j + 1].get(suffix[j][idx] * p + y[idx])
            acc[idx] += value  # 0.0 where not found: the same sum
            miss = idx[~found]
            if j == 0:
                acc[miss] += self.floor
            else:
                acc[miss] += self._bow[j].get(suffix[j][miss])[1]
            idx = miss
        return acc[inverse.ravel()]

    def best_many(self, words: list[str]) -> list[str]:
        """The best spelling of each case-folded, non-lexicon word (elongation squeezed), searched
        :data:`CHUNK` words at a time (memory grows with the words searched together)."""
        return [s for a in range(0, len(words), CHUNK) for s in self._search(words[a : a + CHUNK])]

    def _search(self, words: list[str]) -> list[str]:
        np = self._np
        if not words:
            return []
        lengths = np.array(list(map(len, words)), dtype=np.int64)
        sets = np.array([s for w in words for s in self._word_sets(w)], dtype=np.int64)
        woff = np.zeros(len(words) + 1, dtype=np.int64)
        woff[1:] = np.cumsum(lengths)
        set_start, opt_len, opt_cost, opt_arab, nlet, codes, a_hash, a_pow = self._tables()
        width = int(np.diff(set_start).max(initial=1)) * self.beam + self.beam
        keep, beam = self.keep, self.beam
        ctx0 = np.zeros((len(words), keep), dtype=np.uint64)
        ctx0[:, -1] = ord(BOS)
        root = {
            "word": np.arange(len(words)),
            "score": np.zeros(len(words)),
            "ctx": ctx0,
            "clen": np.ones(len(words), dtype=np.int64),
            "hash": np.zeros(len(words), dtype=np.uint64),
            "parent": np.full(len(words), -1),
            "arab": np.full(len(words), -1),
            "seq": np.zeros(len(words), dtype=np.int64),
        }
        pending: dict[int, list[dict[str, np.ndarray]]] = {0: [root]}
        parents, arab_of, base = [], [], 0
        winner = np.full(len(words), -1)
        for t in range(int(lengths.max()) + 1):
            parts = pending.pop(t, [])
            if not parts:
                continue
            c = {k: np.concatenate([p[k] for p in parts]) for k in root}
            # merge equal outputs: the first place, the lowest score (ties: the earlier). seq is unique
            # within a word, so the winner of a group is the row holding its least seq among its least scores
            # one key for (word, output): the hash plus the word times an odd constant (a clash of two
            # pairs is as unlikely as one of two hashes)
            order = np.argsort(c["hash"] + c["word"].astype(np.uint64) * np.uint64(_MIX))
            key = (c["hash"] + c["word"].astype(np.uint64) * np.uint64(_MIX))[order]
            new = np.ones(len(order), dtype=bool)
            new[1:] = key[1:] != key[:-1]
            starts = np.flatnonzero(new)
            if len(starts) == len(order):  # no two equal outputs: every row stays
                layer = {k: v[order] for k, v in c.items()}
            else:
                seq_s, score_s = c["seq"][order], c["score"][order]
                group = np.cumsum(new) - 1
                least = np.minimum.reduceat(score_s, starts)[group] == score_s
                wseq = np.minimum.reduceat(np.where(least, seq_s, np.iinfo(np.int64).max), starts)
                rows = order[np.flatnonzero(seq_s == wseq[group])]
                layer = {k: v[rows] for k, v in c.items()}
                layer["seq"] = np.minimum.reduceat(seq_s, starts)
            gid = base + np.arange(len(starts))
            base += len(starts)
            parents.append(layer["parent"])
            arab_of.append(layer["arab"])
            end = lengths[layer["word"]] == t
            if end.any():
                e = np.flatnonzero(end)
                eos = self._score(
                    layer["ctx"][e], layer["clen"][e], np.full(len(e), ord(EOS), dtype=np.uint64)
                )
                bonus = self._vocab.get(layer["hash"][e])[1]
                final = layer["score"][e] - self.lm_weight * eos - self.vocab_bonus * bonus
                o = np.lexsort((layer["seq"][e], final, layer["word"][e]))
                we = layer["word"][e][o]
                firsts = np.ones(len(o), dtype=bool)
                firsts[1:] = we[1:] != we[:-1]
                winner[we[firsts]] = gid[e][o][firsts]
            live = np.flatnonzero(~end)
            if not len(live):
                continue
            lw = layer["word"][live]
            over = np.bincount(lw, minlength=len(words))[lw] > beam
            o = live[np.lexsort((layer["seq"][live], np.where(over, layer["score"][live], 0.0), lw))]
            ow = layer["word"][o]
            head = np.ones(len(o), dtype=bool)
            head[1:] = ow[1:] != ow[:-1]
            group = np.maximum.accumulate(np.where(head, np.arange(len(o)), 0))
            rank = np.arange(len(o)) - group
            best, rank = o[rank < beam], rank[rank < beam]
            self._expand(
                layer,
                gid,
                best,
                rank,
                t,
                sets[woff[layer["word"][best]] + t],
                width,
                pending,
                (set_start, opt_len, opt_cost, opt_arab, nlet, codes, a_hash, a_pow),
            )
        parent = np.concatenate(parents).tolist()
        arab = np.concatenate(arab_of).tolist()
        arabs = list(self._arabs)
        out = []
        for g in winner.tolist():
            pieces = []
            while g >= 0 and arab[g] >= 0:
                pieces.append(arabs[arab[g]])
                g = parent[g]
            out.append("".join(reversed(pieces)))
        return out

    def _expand(self, layer, gid, best, rank, t, sets, width, pending, tables) -> None:  # type: ignore[no-untyped-def]
        """Every option of each kept hypothesis (options outer, beam inner), sent to its target layer."""
        np = self._np
        set_start, opt_len, opt_cost, opt_arab, nlet, codes, a_hash, a_pow = tables
        m = set_start[sets + 1] - set_start[sets]
        hi = np.repeat(np.arange(len(best)), m)
        j = np.arange(len(hi)) - np.repeat(np.cumsum(m) - m, m)
        opt = set_start[sets][hi] + j
        src = best[hi]
        arab = opt_arab[opt]
        ctx, clen = layer["ctx"][src].copy(), layer["clen"][src].copy()
        lp = np.zeros(len(hi))
        for k in range(codes.shape[1]):
            go = np.flatnonzero(nlet[arab] > k)
            if not len(go):
                break
            y = codes[arab[go], k]
            lp[go] += self._score(ctx[go], clen[go], y)
            ctx[go] = np.concatenate([ctx[go][:, 1:], y[:, None]], axis=1)
            clen[go] = np.minimum(clen[go] + 1, self.keep)
        cand = {
            "word": layer["word"][src],
            "score": (layer["score"][src] + opt_cost[opt]) - self.lm_weight * lp,
            "ctx": ctx,
            "clen": clen,
            "hash": layer["hash"][src] * a_pow[arab] + a_hash[arab],
            "parent": gid[src],
            "arab": arab,
            "seq": (t + 1) * width * width + j * self.beam + rank[hi],
        }
        target = t + opt_len[opt]
        for dest in np.unique(target).tolist():
            sel = np.flatnonzero(target == dest)
            pending.setdefault(dest, []).append({k: v[sel] for k, v in cand.items()})
