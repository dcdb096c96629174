"""numba kernels of :mod:`aimm_nlp.text.translit._jit` (imported only when a ranked batch needs them).

Hash tables are open-addressing arrays of 64-bit keys (0 = empty slot; no key
hashes to 0, checked when they are built) probed linearly from
``(h * GOLD) >> (64 - bits)``; the float tables (n-grams, backoff weights, word
list) interleave key and value (one cache line per probe): a ``(size, 2)``
uint64 array and a float64 view of the same memory. All hash arithmetic is uint64 (constants typed so:
numba turns a uint64/int64 mix into floats).

Longer than 400 lines: one numba-compiled search (probes, the state machine step, the beam and the
batch driver) whose functions call each other inside compiled code; split across modules they would
be compiled and cached separately, and each piece is only correct next to the others.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

u64 = np.uint64
P = u64(1_000_003)
GOLD = u64(0x9E3779B97F4A7C15)
ZERO = u64(0)
ONE = u64(1)
SIXTY_FOUR = u64(64)
CAP = 256  # hypotheses per layer: the beam (12) x the options of a layer (at most 27) stays below; more -> Python
KEEP_MAX = 8  # longest character-model context (order - 1) the state machine is built for
DBITS = 9  # per-layer table of outputs (merge of equal spellings), 2 x CAP slots


@numba.njit(cache=True, inline="always")
def find(keys: Any, bits: int, h: Any) -> int:
    """Slot of ``h`` in ``keys``, or -1."""
    slot = np.int64((h * GOLD) >> (SIXTY_FOUR - u64(bits)))
    mask = (1 << bits) - 1
    while keys[slot] != ZERO:
        if keys[slot] == h:
            return slot
        slot = (slot + 1) & mask
    return -1


@numba.njit(cache=True, inline="always")
def find2(pairs: Any, bits: int, h: Any) -> int:
    """Slot of ``h`` in an interleaved table (``pairs[slot, 0]`` the key, ``[slot, 1]`` the value), or -1."""
    slot = np.int64((h * GOLD) >> (SIXTY_FOUR - u64(bits)))
    mask = (1 << bits) - 1
    while pairs[slot, 0] != ZERO:
        if pairs[slot, 0] == h:
            return slot
        slot = (slot + 1) & mask
    return -1


@numba.njit(cache=True, inline="always")
def prepare(ctx: Any, clen: int, suffix: Any, bows: Any) -> None:
    """Hashes of every suffix of a context (``suffix[j]``: ``ctx[j:clen]``); its back-off weights unknown yet."""
    suffix[clen] = ZERO
    power = ONE
    for j in range(clen - 1, -1, -1):
        suffix[j] = u64(ctx[j] + 1) * power + suffix[j + 1]
        power = power * P
    for j in range(clen + 1):
        bows[j] = np.nan


@numba.njit(cache=True, inline="always")
def lm_score(
    clen: int, sym: int, suffix: Any, bows: Any,
    lkeys: Any, lvals: Any, lbits: int, bkeys: Any, bvals: Any, bbits: int, floor: float,
) -> float:  # fmt: skip
    """``NgramTables.score(context, symbol)`` for a :func:`prepare`-d context: the same back-off walk, the same
    sum order (back-off weights looked up once per context, kept in ``bows``)."""
    tail = u64(sym + 1)
    acc = 0.0
    for j in range(clen + 1):
        slot = find2(lkeys, lbits, suffix[j] * P + tail)
        if slot >= 0:
            acc += lvals[slot, 1]
            break
        if j == clen:
            acc += floor
            break
        if np.isnan(bows[j]):
            slot = find2(bkeys, bbits, suffix[j])
            bows[j] = bvals[slot, 1] if slot >= 0 else 0.0
        acc += bows[j]
    return acc


@numba.njit(cache=True, inline="always")
def column(sym_codes: Any, code: int) -> int:
    """Column of a letter in the state machine: its index in the sorted ``sym_codes``, or the last (unknown)."""
    lo, hi = 0, len(sym_codes)
    while lo < hi:
        mid = (lo + hi) // 2
        if sym_codes[mid] < code:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(sym_codes) and sym_codes[lo] == code else len(sym_codes)


@numba.njit(cache=True, inline="always")
def transition(s: int, y: int, trans: Any) -> None:
    """Fill ``tlp[s, y]`` and ``tnext[s, y]`` of the character model's state machine.

    A state is a context of the model (a key of its back-off table, state 0 the empty one); a
    hypothesis's state is the longest suffix of its context that is one. The walk of
    ``NgramTables.score`` over a context adds 0 for every suffix that is not a context (no n-gram
    extends it: the model is checked to be closed under prefixes), so it gives the same sum from the
    state; and the longest context-suffix of ``(context + letter)[-keep:]`` is that of
    ``(state + letter)``. The last column is every letter the model never saw.
    """
    (
        tlp, tnext, sym_codes, _lm_sym, _start, _eos, state_codes, state_len, skeys, svals, sbits,
        lkeys, lvals, lbits, bkeys, bvals, bbits, floor, keep, scratch, bows,
    ) = trans  # fmt: skip
    n = state_len[s]
    unknown = y == len(sym_codes)
    sym = 0x110000 if unknown else sym_codes[y]  # beyond Unicode: in no key of the model
    prepare(state_codes[s], n, scratch, bows)
    tlp[s, y] = lm_score(n, sym, scratch, bows, lkeys, lvals, lbits, bkeys, bvals, bbits, floor)
    tnext[s, y] = 0  # an unknown letter, or no suffix is a context: the empty state
    if unknown:
        return
    total = n + 1
    for start in range(max(0, total - keep), total):  # longest suffix of state + letter first
        h = ZERO
        for q in range(start, total):
            h = h * P + u64((state_codes[s, q] if q < n else sym) + 1)
        slot = find(skeys, sbits, h)
        if slot >= 0:
            tnext[s, y] = svals[slot]
            return


@numba.njit(cache=True)
def fill(trans: Any) -> None:
    """Every transition of the state machine (once per model load: ~0.6 s for the shipped model)."""
    tlp = trans[0]
    for s in range(tlp.shape[0]):
        for y in range(tlp.shape[1]):
            transition(s, y, trans)


@numba.njit(cache=True, inline="always")
def top_k(scores: Any, row: int, c: int, k: int, picks: Any) -> int:
    """Indices of the ``k`` lowest of ``scores[row, :c]`` into ``picks``, by score then index (a stable sort's
    order). The row is indexed in place: a slice ``scores[row]`` would be a view, reference counted."""
    m = 0
    for idx in range(c):
        v = scores[row, idx]
        if m == k and not v < scores[row, picks[k - 1]]:
            continue
        pos = m if m < k else k - 1
        while pos > 0 and v < scores[row, picks[pos - 1]]:
            picks[pos] = picks[pos - 1]
            pos -= 1
        picks[pos] = idx
        if m < k:
            m += 1
    return m


# The search's read-only tables travel packed in two 1-D arrays, ``ints`` (int64) and ``bits`` (uint64):
# numba unboxes every array argument on every call (~60 ns each), which a one-word call pays in full.
# Part k of ``ints`` is ``ints[ints[k]:ints[k + 1]]``, part k of ``bits`` is
# ``bits[ints[INT_PARTS + 1 + k]:ints[INT_PARTS + 2 + k]]`` (the offsets head ``ints``); float parts of
# ``bits`` hold their bit patterns and are read through a float64 view. ``_jit_tables.pack`` builds them.
INT_NAMES = (
    "gspan", "key_tab", "key_start", "key_codes", "cons", "opt_glen", "opt_out", "opt_lm", "out_codes",
    "sym_codes", "lm_sym", "scalars",
)  # fmt: skip
BIT_NAMES = ("gkeys", "opt_hash", "opt_pow", "vocab", "vfilter", "opt_cost", "weights")
INT_PARTS = len(INT_NAMES)
SCALARS = ("gbits", "start_state", "eos_y", "vbits", "fbits", "beam", "max_len", "prune", "lm_len")


@numba.njit(cache=True, inline="always")
def part(packed: Any, ints: Any, k: int) -> Any:
    """Part ``k`` of a packed array whose offsets are ``ints[k]``, ``ints[k + 1]``."""
    return packed[ints[k] : ints[k + 1]]


@numba.njit(cache=True, inline="always")
def carve(block: Any, at: int, size: int) -> tuple:
    """``block[at:at + size]`` and the offset after it: scratch arrays cut from one allocation."""
    return block[at : at + size], at + size


def workspace(layers: int) -> tuple:
    """The arrays :func:`best_many` keeps from call to call, for words of up to ``layers - 1`` letters:
    per layer and hypothesis its score, output hash, LM state and back pointer; per layer the table of
    outputs (merge of equal spellings: ``[slot, 0]`` the hash, ``[slot, 1]`` ``generation << 8 | row``,
    valid when the generation is the word's); the generation counter."""
    return (
        np.empty((layers, CAP)),
        np.empty((layers, CAP), dtype=np.uint64),
        np.empty((layers, CAP), dtype=np.int64),
        np.empty((layers, CAP), dtype=np.int64),
        np.zeros((layers, 1 << DBITS, 2), dtype=np.uint64),
        np.zeros(1, dtype=np.uint64),
    )


@numba.njit(cache=True)
def best_many(text: Any, words: int, ints: Any, bits: Any, tlp: Any, tnext: Any, work: Any) -> Any:
    """Best spelling of each of ``words`` words: one uint32 array ``[failed (words) | end (words) | codes]``.

    ``text`` (uint32) is the words' letters, their lowercase, then every word's length as one code
    (lengths are at most 64); ``ints`` and ``bits`` are the packed tables (see ``INT_NAMES``), ``tlp`` and
    ``tnext`` the character model's state machine. Word ``w``'s spelling is ``codes[end[w-1]:end[w]]``;
    ``failed[w]`` is 1 where a layer (or a position's options) overflowed CAP (the caller ranks that word in Python).

    ``work`` holds the hypothesis arrays, reused from call to call (:func:`workspace`; at least one
    layer per letter of the longest word plus one); the per-layer merge tables stay valid across
    calls because every word gets a new generation number. The hot loop is written out in one
    function: helpers taking arrays cost reference counting per call.

    Per layer the search runs in two passes over (option, beam hypothesis) pairs, in the order of
    ``rank_rules`` (options outer, hypotheses inner). The first only walks the character model: its
    lookups are independent of each other, so the CPU overlaps their cache misses (the model's tables
    are megabytes; these misses were most of the time when each lookup sat between the branches of
    the merge). The second merges equal spellings in order, with the same float sums as Python.
    """
    # the parts in the order of INT_NAMES and BIT_NAMES
    gspan, key_tab, key_start = part(ints, ints, 0), part(ints, ints, 1), part(ints, ints, 2)
    key_codes, cons, opt_glen = part(ints, ints, 3), part(ints, ints, 4), part(ints, ints, 5)
    opt_out, opt_lm, out_codes = part(ints, ints, 6), part(ints, ints, 7), part(ints, ints, 8)
    sym_codes, lm_sym, scalars = part(ints, ints, 9), part(ints, ints, 10), part(ints, ints, 11)
    b0 = INT_PARTS + 1
    gkeys, opt_hash, opt_pow = part(bits, ints, b0), part(bits, ints, b0 + 1), part(bits, ints, b0 + 2)
    vocab, vfilter = part(bits, ints, b0 + 3), part(bits, ints, b0 + 4)
    vvals = vocab.view(np.float64)  # the word list: key at 2 * slot, value (its bits) at 2 * slot + 1
    opt_cost = part(bits, ints, b0 + 5).view(np.float64)
    weights = part(bits, ints, b0 + 6).view(np.float64)
    lm_weight, vocab_bonus = weights[0], weights[1]
    gbits, start_state, eos_y, vbits, fbits = scalars[0], scalars[1], scalars[2], scalars[3], scalars[4]
    beam, max_len, prune, lm_len = scalars[5], scalars[6], scalars[7], scalars[8]
    sc, oh, st, bp, merge, generation = work
    dmask = u64((1 << DBITS) - 1)
    dshift = u64(64 - DBITS)
    fshift = u64(64 - fbits)
    vmask = (1 << vbits) - 1
    total = (len(text) - words) // 2
    codes = text[:total]
    lower = text[total : 2 * total]
    longest = sc.shape[0] - 1
    result = np.empty(2 * words + 4 * total + 16, dtype=np.uint32)
    used_out = 2 * words
    # Scratch, in three blocks (an allocation costs ~40 ns, which a one-word call feels):
    # the beam's hypotheses gathered once per layer (b_*); per option its LM letters (columns of the state
    # machine) y_of[y_start[k]:y_start[k + 1]]; the first pass's LM log P and next state of option k from
    # beam hypothesis b at k * nb + b (e_*); the end-of-word bounds and bonuses.
    wide = CAP * min(max(beam, 1), CAP)
    floats = np.empty(3 * CAP + wide)
    b_sc, off = carve(floats, 0, CAP)
    e_lp, off = carve(floats, off, wide)
    bound, off = carve(floats, off, CAP)
    bonus, off = carve(floats, off, CAP)
    scratch = np.empty(2 * (longest + 1) + 4 * CAP + 1 + CAP * lm_len + wide, dtype=np.int64)
    b_st, off = carve(scratch, 0, CAP)
    e_st, off = carve(scratch, off, wide)
    y_start, off = carve(scratch, off, CAP + 1)
    y_of, off = carve(scratch, off, CAP * lm_len)
    picks, off = carve(scratch, off, CAP)
    opts, off = carve(scratch, off, CAP)
    count, off = carve(scratch, off, longest + 1)
    rev, off = carve(scratch, off, longest + 1)
    b_oh = np.empty(CAP, dtype=np.uint64)
    s0 = 0
    for w in range(words):
        n = np.int64(text[2 * total + w])
        generation[0] += ONE
        gen = generation[0] << u64(8)
        for layer in range(n + 1):
            count[layer] = 0
        sc[0, 0] = 0.0
        oh[0, 0] = ZERO
        st[0, 0] = start_state  # the LM state after BOS
        count[0] = 1
        ok = True
        for i in range(n):
            c = count[i]
            if c == 0:
                continue
            # the beam: all hypotheses in insertion order, or the best `beam` by a stable sort
            if c > beam:
                nb = top_k(sc, i, c, beam, picks)
            else:
                nb = c
                for b in range(nb):
                    picks[b] = b
            for b in range(nb):
                hyp = picks[b]
                b_sc[b] = sc[i, hyp]
                b_st[b] = st[i, hyp]
                b_oh[b] = oh[i, hyp]
            # RuleTable.options(word, i): longest grapheme first; per length the cascade
            # word-initial, word-final, before a doubled consonant, any position, lowercased
            no = 0
            for length in range(min(max_len, n - i), 0, -1):
                hg = ZERO
                for q in range(length):
                    hg = hg * P + u64(codes[s0 + i + q] + 1)
                for tab in range(5):
                    if tab == 0 and i != 0:
                        continue
                    if tab == 1 and i + length != n:
                        continue
                    if tab == 2:
                        if not i + length + 1 < n:
                            continue
                        nxt = codes[s0 + i + length]
                        if nxt != codes[s0 + i + length + 1] or nxt >= 128 or not cons[nxt]:
                            continue
                    hq = hg
                    t = tab
                    if tab == 4:
                        same = True
                        for q in range(length):
                            if codes[s0 + i + q] != lower[s0 + i + q]:
                                same = False
                        if same:
                            continue
                        hq = ZERO
                        for q in range(length):
                            hq = hq * P + u64(lower[s0 + i + q] + 1)
                        t = 3
                    slot = find(gkeys, gbits, hq * P + u64(t + 1))
                    if slot < 0 or key_tab[slot] != t:
                        continue
                    ks = key_start[slot]
                    good = key_codes[ks + length] == -1
                    for q in range(length):
                        letter = lower[s0 + i + q] if tab == 4 else codes[s0 + i + q]
                        if key_codes[ks + q] != letter:
                            good = False
                    if good:
                        first, stop = gspan[2 * slot], gspan[2 * slot + 1]
                        if no + stop - first > CAP:
                            ok = False
                            break
                        for o in range(first, stop):
                            opts[no] = o
                            no += 1
                        break
                if not ok:
                    break
            if not ok:
                break
            if no == 0:  # a letter no rule knows stays as it is (cost 0; a shadda is not scored)
                opts[0] = -1 - np.int64(codes[s0 + i])
                no = 1
            ny = 0
            for k in range(no):
                o = opts[k]
                y_start[k] = ny
                if o >= 0:
                    for q in range(opt_lm[o], opt_lm[o + 1]):
                        y_of[ny] = lm_sym[q]
                        ny += 1
                elif o != -1 - 0x651:
                    y_of[ny] = column(sym_codes, -1 - o)
                    ny += 1
            y_start[no] = ny
            # pass 1: log P of each option's letters from each beam hypothesis, one transition of the
            # LM state machine per letter (sum from 0.0 in letter order, as NgramTables.extend)
            for k in range(no):
                y0, y1 = y_start[k], y_start[k + 1]
                base = k * nb
                if y1 - y0 == 1:  # most options: one letter, a loop without a dependent chain
                    y = y_of[y0]
                    for b in range(nb):
                        state = b_st[b]
                        e_lp[base + b] = 0.0 + tlp[state, y]
                        e_st[base + b] = tnext[state, y]
                    continue
                for b in range(nb):
                    state = b_st[b]
                    lp = 0.0
                    for q in range(y0, y1):
                        y = y_of[q]
                        lp += tlp[state, y]
                        state = tnext[state, y]
                    e_lp[base + b] = lp
                    e_st[base + b] = state
            # pass 2: merge equal spellings in the search's order, the first keeps its place and takes a
            # lower score (every score is exact: no pruning inside a layer beyond the beam)
            for k in range(no):
                o = opts[k]
                if o >= 0:
                    tgt = i + opt_glen[o]
                    cost = opt_cost[o]
                    o_hash = opt_hash[o]
                    o_pow = opt_pow[o]
                else:
                    tgt = i + 1
                    cost = 0.0
                    o_hash = u64(-o)  # the kept letter's code + 1
                    o_pow = P
                base = k * nb
                link = (o << 16) | (i << 8)  # back pointer: option, layer, row (a row < CAP = 256)
                for b in range(nb):
                    s = b_sc[b] + cost - lm_weight * e_lp[base + b]
                    nh = b_oh[b] * o_pow + o_hash
                    ds = (nh * GOLD) >> dshift
                    at = -1
                    while (merge[tgt, ds, 1] & ~u64(255)) == gen:
                        if merge[tgt, ds, 0] == nh:
                            at = np.int64(merge[tgt, ds, 1] & u64(255))
                            break
                        ds = (ds + ONE) & dmask
                    if at < 0:
                        at = count[tgt]
                        if at >= CAP:
                            ok = False
                            break
                        count[tgt] = at + 1
                        merge[tgt, ds, 0] = nh
                        merge[tgt, ds, 1] = gen | u64(at)
                        oh[tgt, at] = nh
                    elif not s < sc[tgt, at]:
                        continue
                    sc[tgt, at] = s
                    st[tgt, at] = e_st[base + b]
                    bp[tgt, at] = link | picks[b]
                if not ok:
                    break
            if not ok:
                break
        if not ok or count[n] == 0:
            result[w] = 1
            result[words + w] = used_out - 2 * words
            s0 += n
            continue
        # The final score is (sc - lm_weight * eos) - bonus, and lm_weight * eos <= 0, so
        # sc - bonus bounds it from below: the end-of-word LM walk is skipped for every spelling whose
        # bound is above the exact score of the one with the lowest bound (it cannot win or tie).
        # Most spellings are in no word list: a bit filter (one bit per key hash, 32 KB) answers them
        # without probing the list itself (a cache miss each).
        low = 0
        for hyp in range(count[n]):
            h = oh[n, hyp]
            fb = (h * GOLD) >> fshift
            v = 0.0
            if (vfilter[fb >> u64(6)] >> (fb & u64(63))) & ONE:
                vs = np.int64((h * GOLD) >> (SIXTY_FOUR - u64(vbits)))
                while vocab[2 * vs] != ZERO:
                    if vocab[2 * vs] == h:
                        v = vvals[2 * vs + 1]
                        break
                    vs = (vs + 1) & vmask
            bonus[hyp] = vocab_bonus * v
            bound[hyp] = sc[n, hyp] - bonus[hyp]
            if bound[hyp] < bound[low]:
                low = hyp
        cut = np.inf
        if prune:
            cut = (sc[n, low] - lm_weight * tlp[st[n, low], eos_y]) - bonus[low]
        best = -1
        best_s = 0.0
        for hyp in range(count[n]):
            if bound[hyp] > cut:
                continue
            s = (sc[n, hyp] - lm_weight * tlp[st[n, hyp], eos_y]) - bonus[hyp]
            if best < 0 or s < best_s:
                best, best_s = hyp, s
        depth = 0
        layer, hyp = n, best
        while layer > 0:
            link = bp[layer, hyp]
            rev[depth] = link >> 16
            depth += 1
            layer, hyp = (link >> 8) & 255, link & 255
        need = 0
        for d in range(depth):
            o = rev[d]
            need += 1 if o < 0 else opt_out[o + 1] - opt_out[o]
        if used_out + need > len(result):
            grown = np.empty(2 * len(result) + need, dtype=np.uint32)
            grown[:used_out] = result[:used_out]
            result = grown
        for d in range(depth - 1, -1, -1):
            o = rev[d]
            if o < 0:
                result[used_out] = -1 - o
                used_out += 1
            else:
                for q in range(opt_out[o], opt_out[o + 1]):
                    result[used_out] = out_codes[q]
                    used_out += 1
        result[w] = 0
        result[words + w] = used_out - 2 * words
        s0 += n
    return result[:used_out]
