"""Joint-sequence (graphone) transliteration model trained from word pairs.

Training (Bisani & Ney style, pure Python):

1. Word pairs come from the pair file: rows whose two sides have the same
   number of words are split into word pairs; identical pairs are merged with
   a count.
2. EM finds many-to-many character alignments: a *graphone* pairs 1–2 Latin
   characters with 0–2 Arabic characters (``kh|خ``, ``a|ا``, ``e|``, ``zz|زّ``);
   forward-backward over each pair's alignment lattice re-estimates the
   graphone probabilities.
3. Each pair's Viterbi alignment becomes a graphone sequence, and an
   interpolated Witten-Bell n-gram model over graphones is trained on them.

Decoding is a beam search over the Latin word that scores graphone sequences
with that n-gram model, so context (neighbouring letters, word edges) decides
between ``a -> ا`` and ``a -> ∅`` or ``s -> س`` and ``s -> ص``.
"""

from __future__ import annotations

import heapq
import logging
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable

from aimm_nlp.text.translit._ngram import BOS, EOS, NgramTables, train_ngram

__all__ = ["JointModel", "train_joint"]

log = logging.getLogger(__name__)

MAX_SRC = 2
MAX_DST = 2
_UNKNOWN_COST = 12.0
# Graphone i is the character chr(_BASE + i) in the n-gram model: string keys are compact in JSON,
# fast to slice, and invisible to the cyclic garbage collector (tuple keys are not).
_BASE = 0x100


def symbol(gid: int) -> str:
    """The one-character n-gram symbol of graphone ``gid``."""
    return chr(_BASE + gid)


class JointModel:
    """Graphone inventory + n-gram tables; ``rank(word, k)`` -> ``[(arabic, score)]`` (lower is better)."""

    def __init__(
        self,
        graphones: list[tuple[str, str]],
        tables: NgramTables,
        *,
        counts: list[float] | None = None,
        beam: int = 8,
        max_options: int = 5,
    ) -> None:
        self.graphones = graphones
        self.tables = tables
        self.beam = beam
        self.max_options = max_options
        self.counts = counts if counts is not None else [1.0] * len(graphones)
        by_src: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        for gid, (src, dst) in enumerate(graphones):
            by_src[src].append((self.counts[gid], gid, dst))
        # The long tail of readings is mostly EM noise: keep the most frequent readings of each chunk.
        self.by_src = {
            src: [(gid, dst) for _, gid, dst in sorted(opts, reverse=True)[:max_options]]
            for src, opts in by_src.items()
        }
        self.max_src = max((len(s) for s, _ in graphones), default=1)

    def _options(self, word: str, i: int) -> list[tuple[int, int, str]]:
        out = []
        for length in range(1, min(self.max_src, len(word) - i) + 1):
            chunk = word[i : i + length]
            opts = self.by_src.get(chunk)
            if opts is None and chunk != chunk.lower():
                opts = self.by_src.get(chunk.lower())
            if opts:
                out.extend((length, gid, dst) for gid, dst in opts)
        return out

    def rank(self, word: str, *, k: int = 5) -> list[tuple[str, float]]:
        """Best ``k`` Arabic spellings of one Latin word with their costs (negative log probability)."""
        n = len(word)
        hist_len = self.tables.order - 1
        score, memo = self.tables.score, self.tables.memo  # a memo hit without the call (~1/3 of the time)
        layers: list[dict[tuple[str, str], float]] = [{} for _ in range(n + 1)]
        layers[0][("", BOS)] = 0.0
        for i in range(n):
            if not layers[i]:
                continue
            layer = layers[i]
            best = (
                heapq.nsmallest(self.beam, layer.items(), key=lambda kv: kv[1])
                if len(layer) > self.beam
                else list(layer.items())
            )
            options = self._options(word, i)
            if not options:  # a character the model never saw: copy it, at a price
                options = [(1, -1, word[i])]
            for length, gid, dst in options:
                target = layers[i + length]
                if gid < 0:
                    for (out, hist), cost in best:
                        _keep_cheapest(target, (out + dst, hist), cost + _UNKNOWN_COST)
                    continue
                sym = chr(_BASE + gid)
                for (out, hist), cost in best:
                    full = hist + sym
                    logp = memo.get(full)
                    c = cost - (score(hist, sym) if logp is None else logp)
                    key = (out + dst, full[-hist_len:] if hist_len else "")
                    old = target.get(key)
                    if old is None or c < old:
                        target[key] = c
        final: dict[str, float] = {}
        for (out, hist), cost in layers[n].items():
            c = cost - score(hist, EOS)
            if c < final.get(out, math.inf):
                final[out] = c
        ranked = sorted(final.items(), key=lambda t: t[1])[:k]
        return [(a, round(c, 4)) for a, c in ranked]


def _keep_cheapest(target: dict[tuple[str, str], float], key: tuple[str, str], cost: float) -> None:
    old = target.get(key)
    if old is None or cost < old:
        target[key] = cost


def _lattice(src: str, dst: str, index: dict[tuple[str, str], int], grow: bool) -> array | None:
    """Edges ``(from, to, gid)`` of the alignment lattice, flat; ``None`` when no path exists."""
    m1 = len(dst) + 1
    edges = array("i")
    reach = {0}
    for i in range(len(src)):
        for j in range(len(dst) + 1):
            node = i * m1 + j
            if node not in reach:
                continue
            for li in range(1, min(MAX_SRC, len(src) - i) + 1):
                for lj in range(0, min(MAX_DST, len(dst) - j) + 1):
                    g = (src[i : i + li], dst[j : j + lj])
                    gid = index.get(g)
                    if gid is None:
                        if not grow:
                            continue
                        gid = index[g] = len(index)
                    to = (i + li) * m1 + j + lj
                    edges.extend((node, to, gid))
                    reach.add(to)
    return edges if len(src) * m1 + len(dst) in reach else None


def _em(pairs: list[tuple[str, str, float]], iterations: int) -> tuple[list, list[array], list[float]]:
    index: dict[tuple[str, str], int] = {}
    lattices = [_lattice(s, d, index, True) for s, d, _ in pairs]
    prob = [1.0 / max(len(index), 1)] * len(index)
    for it in range(iterations):
        counts = [1e-3] * len(index)
        loglik = 0.0
        for (src, dst, weight), edges in zip(pairs, lattices, strict=True):
            if edges is None:
                continue
            final = len(src) * (len(dst) + 1) + len(dst)
            alpha = [0.0] * (final + 1)
            alpha[0] = 1.0
            ne = len(edges)
            for e in range(0, ne, 3):
                alpha[edges[e + 1]] += alpha[edges[e]] * prob[edges[e + 2]]
            total = alpha[final]
            if total <= 0.0:
                continue
            loglik += weight * math.log(total)
            beta = [0.0] * (final + 1)
            beta[final] = 1.0
            for e in range(ne - 3, -1, -3):
                f, t, g = edges[e], edges[e + 1], edges[e + 2]
                contrib = prob[g] * beta[t]
                beta[f] += contrib
                counts[g] += weight * alpha[f] * contrib / total
        norm = sum(counts)
        prob = [c / norm for c in counts]
        log.info("EM iteration %d: log-likelihood %.1f", it + 1, loglik)
    graphones = [None] * len(index)
    for g, gid in index.items():
        graphones[gid] = g
    return graphones, lattices, prob


def _viterbi(src: str, dst: str, edges: array, logprob: list[float]) -> list[int]:
    final = len(src) * (len(dst) + 1) + len(dst)
    best: dict[int, tuple[float, int, int]] = {0: (0.0, -1, -1)}
    for e in range(0, len(edges), 3):
        f, t, g = edges[e], edges[e + 1], edges[e + 2]
        if f not in best:
            continue
        s = best[f][0] + logprob[g]
        if t not in best or s > best[t][0]:
            best[t] = (s, f, g)
    path = []
    node = final
    while node != 0:
        _, prev, g = best[node]
        path.append(g)
        node = prev
    return path[::-1]


def train_joint(
    pairs: Iterable[tuple[str, str]], *, order: int = 4, iterations: int = 5, beam: int = 8
) -> tuple[JointModel, dict[str, float]]:
    """Train a graphone model on ``(latin_word, arabic_word)`` pairs.

    Returns:
        The model and training statistics (pairs used, unaligned, graphones, n-grams).
    """
    merged = Counter(p for p in pairs if p[0] and p[1])
    items = [(s, d, float(c)) for (s, d), c in merged.items()]
    graphones, lattices, prob = _em(items, iterations)
    logprob = [math.log(p) for p in prob]
    seqs = []
    unaligned = 0
    for (src, dst, weight), edges in zip(items, lattices, strict=True):
        if edges is None:
            unaligned += 1
            continue
        seqs.append((_viterbi(src, dst, edges, logprob), weight))
    used = sorted({g for seq, _ in seqs for g in seq})
    remap = {g: i for i, g in enumerate(used)}
    seqs = [([remap[g] for g in seq], w) for seq, w in seqs]
    counts = [0.0] * len(used)
    for seq, w in seqs:
        for g in seq:
            counts[g] += w
    tables = train_ngram((("".join(symbol(g) for g in seq), w) for seq, w in seqs), order=order, min_count=1)
    model = JointModel([graphones[g] for g in used], tables, counts=counts, beam=beam)
    stats = {
        "word_pairs": len(items),
        "unaligned_pairs": unaligned,
        "graphones": len(used),
        "ngrams": len(tables.logp),
    }
    return model, stats
