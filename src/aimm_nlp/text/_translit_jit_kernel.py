"""numba kernels of :mod:`aimm_nlp.text._translit_jit` (imported only when a ranked batch needs them).

Hash tables are open-addressing arrays of 64-bit keys (0 = empty slot; no key
hashes to 0, checked when they are built) probed linearly from
``(h * GOLD) >> (64 - bits)``; the float tables (n-grams, backoff weights, word
list) interleave key and value (one cache line per probe): a ``(size, 2)``
uint64 array and a float64 view of the same memory. All hash arithmetic is uint64 (constants typed so:
numba turns a uint64/int64 mix into floats).
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
def top_k(scores: Any, c: int, k: int, picks: Any) -> int:
    """Indices of the ``k`` lowest of ``scores[:c]`` into ``picks``, by score then index (a stable sort's order)."""
    m = 0
    for idx in range(c):
        v = scores[idx]
        if m == k and not v < scores[picks[k - 1]]:
            continue
        pos = m if m < k else k - 1
        while pos > 0 and v < scores[picks[pos - 1]]:
            picks[pos] = picks[pos - 1]
            pos -= 1
        picks[pos] = idx
        if m < k:
            m += 1
    return m


def workspace(layers: int) -> tuple:
    """The arrays :func:`best_many` works in, for words of up to ``layers - 1`` letters."""
    return (
        np.empty((layers, CAP)),
        np.empty((layers, CAP), dtype=np.uint64),
        np.empty((layers, CAP), dtype=np.int64),
        np.empty((layers, CAP), dtype=np.int64),
        np.empty((layers, CAP), dtype=np.int64),
        np.empty((layers, CAP), dtype=np.int64),
        np.zeros(layers, dtype=np.int64),
        np.zeros((layers, 1 << DBITS), dtype=np.uint64),
        np.zeros((layers, 1 << DBITS), dtype=np.int64),
        np.zeros((layers, 1 << DBITS), dtype=np.int64),
        np.zeros(1, dtype=np.int64),
    )


@numba.njit(cache=True)
def best_many(
    codes: Any, lower: Any, starts: Any, rules: Any, trans: Any, vocab: Any, params: Any, work: Any
) -> Any:
    """Best spelling of every word ``codes[starts[w]:starts[w+1]]``: ``(status, out_start, out_codes)``.

    ``work`` holds the hypothesis arrays, reused from call to call (:func:`workspace`; at least one
    layer per letter of the longest word plus one); the per-layer merge tables stay valid across
    calls because every word gets a new generation number (``gen_base``).

    ``status[w]`` is 1 where a layer overflowed (the caller ranks that word in Python). The hot
    loop is written out in one function: helpers taking arrays cost reference counting per call.
    """
    (
        gkeys, gvals, gbits, key_tab, key_start, key_codes, cons,
        opt_glen, opt_out, opt_lm, opt_cost, opt_hash, opt_pow, out_codes,
    ) = rules  # fmt: skip
    tlp, tnext, sym_codes, lm_sym, start_state, eos_y = trans[:6]
    vkeys, vvals, vbits = vocab
    lm_weight, vocab_bonus, beam, max_len, prune = params
    dmask = u64((1 << DBITS) - 1)
    dshift = u64(64 - DBITS)
    words = len(starts) - 1
    sc, oh, st, bp_layer, bp_idx, bp_opt, count, dkey, dgen, didx, gen_base = work
    longest = sc.shape[0] - 1
    status = np.zeros(words, dtype=np.int64)
    out_start = np.zeros(words + 1, dtype=np.int64)
    result = np.empty(4 * len(codes) + 16, dtype=np.int64)
    used_out = 0
    rev = np.empty(longest + 1, dtype=np.int64)
    bound = np.empty(CAP)
    topv = np.empty((longest + 1, max(beam, 1)))
    topn = np.zeros(longest + 1, dtype=np.int64)
    picks = np.empty(CAP, dtype=np.int64)
    opts = np.empty(CAP, dtype=np.int64)
    single = np.empty(1, dtype=np.int64)
    for w in range(words):
        s0 = starts[w]
        n = starts[w + 1] - s0
        gen_base[0] += 1
        gen = gen_base[0]
        count[: n + 1] = 0
        topn[: n + 1] = 0
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
                nb = top_k(sc[i], c, beam, picks)
            else:
                nb = c
                for b in range(nb):
                    picks[b] = b
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
                        for o in range(gvals[slot, 0], gvals[slot, 1]):
                            opts[no] = o
                            no += 1
                        break
            if no == 0:  # a letter no rule knows stays as it is (cost 0; a shadda is not scored)
                opts[0] = -1 - codes[s0 + i]
                no = 1
            for k in range(no):
                o = opts[k]
                if o >= 0:
                    tgt = i + opt_glen[o]
                    cost = opt_cost[o]
                    o_hash = opt_hash[o]
                    o_pow = opt_pow[o]
                    src = lm_sym
                    l0 = opt_lm[o]
                    l1 = opt_lm[o + 1]
                else:
                    tgt = i + 1
                    cost = 0.0
                    letter = -1 - o
                    o_hash = u64(letter + 1)
                    o_pow = P
                    single[0] = column(sym_codes, letter)
                    src = single
                    l0 = 0
                    l1 = 0 if letter == 0x651 else 1
                for b in range(nb):
                    hyp = picks[b]
                    # merge equal spellings: the first keeps its place and takes a lower score
                    nh = oh[i, hyp] * o_pow + o_hash
                    ds = (nh * GOLD) >> dshift
                    at = -1
                    while dgen[tgt, ds] == gen:
                        if dkey[tgt, ds] == nh:
                            at = didx[tgt, ds]
                            break
                        ds = (ds + ONE) & dmask
                    # A spelling whose exact score (>= sc + cost) is above the beam-th best already in
                    # the layer can never be expanded: its LM score is not computed. A new one still
                    # takes its place in the layer's order, scored +inf (a later, better arrival of the
                    # same spelling updates it as the search would).
                    skip = (
                        prune and tgt != n and topn[tgt] == beam and sc[i, hyp] + cost > topv[tgt, beam - 1]
                    )
                    previous = np.inf
                    if at < 0:
                        at = count[tgt]
                        if at >= CAP:
                            ok = False
                            break
                        count[tgt] = at + 1
                        dgen[tgt, ds] = gen
                        dkey[tgt, ds] = nh
                        didx[tgt, ds] = at
                        oh[tgt, at] = nh
                        sc[tgt, at] = np.inf
                        st[tgt, at] = 0
                        bp_layer[tgt, at] = i
                        bp_idx[tgt, at] = hyp
                        bp_opt[tgt, at] = o
                    else:
                        previous = sc[tgt, at]
                    if skip:
                        continue
                    # log P of the option's letters, one transition of the LM state machine per letter
                    state = st[i, hyp]
                    lp = 0.0
                    for q in range(l0, l1):
                        y = src[q]
                        lp += tlp[state, y]
                        state = tnext[state, y]
                    s = sc[i, hyp] + cost - lm_weight * lp
                    if not s < previous:
                        continue
                    sc[tgt, at] = s
                    if prune:
                        # the `beam` lowest finite scores of the layer, sorted (a multiset of values)
                        m = topn[tgt]
                        if previous < np.inf and (m < beam or previous <= topv[tgt, m - 1]):
                            j = m - 1
                            while topv[tgt, j] != previous:
                                j -= 1
                            for r in range(j, m - 1):
                                topv[tgt, r] = topv[tgt, r + 1]
                            m -= 1
                        if m < beam or s < topv[tgt, m - 1]:
                            j = m if m < beam else beam - 1
                            while j > 0 and s < topv[tgt, j - 1]:
                                topv[tgt, j] = topv[tgt, j - 1]
                                j -= 1
                            topv[tgt, j] = s
                            if m < beam:
                                m += 1
                        topn[tgt] = m
                    st[tgt, at] = state
                    bp_layer[tgt, at] = i
                    bp_idx[tgt, at] = hyp
                    bp_opt[tgt, at] = o
                if not ok:
                    break
            if not ok:
                break
        if not ok or count[n] == 0:
            status[w] = 1
            out_start[w + 1] = used_out
            continue
        # The final score is (sc - lm_weight * eos) - bonus, and lm_weight * eos <= 0, so
        # sc - bonus bounds it from below: the end-of-word LM walk is skipped for every spelling whose
        # bound is above the exact score of the one with the lowest bound (it cannot win or tie).
        low = 0
        for hyp in range(count[n]):
            vs = find2(vkeys, vbits, oh[n, hyp])
            bound[hyp] = sc[n, hyp] - vocab_bonus * (vvals[vs, 1] if vs >= 0 else 0.0)
            if bound[hyp] < bound[low]:
                low = hyp
        cut = np.inf
        if prune:
            eos = tlp[st[n, low], eos_y]
            vs = find2(vkeys, vbits, oh[n, low])
            cut = (sc[n, low] - lm_weight * eos) - vocab_bonus * (vvals[vs, 1] if vs >= 0 else 0.0)
        best = -1
        best_s = 0.0
        for hyp in range(count[n]):
            if bound[hyp] > cut:
                continue
            eos = tlp[st[n, hyp], eos_y]
            s = sc[n, hyp] - lm_weight * eos
            vs = find2(vkeys, vbits, oh[n, hyp])
            s = s - vocab_bonus * (vvals[vs, 1] if vs >= 0 else 0.0)
            if best < 0 or s < best_s:
                best, best_s = hyp, s
        depth = 0
        layer, hyp = n, best
        while layer > 0:
            rev[depth] = bp_opt[layer, hyp]
            depth += 1
            layer, hyp = bp_layer[layer, hyp], bp_idx[layer, hyp]
        need = 0
        for d in range(depth):
            o = rev[d]
            need += 1 if o < 0 else opt_out[o + 1] - opt_out[o]
        if used_out + need > len(result):
            grown = np.empty(2 * len(result) + need, dtype=np.int64)
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
        out_start[w + 1] = used_out
    return status, out_start, result[:used_out]
