"""Darija-vs-MSA word-shape features for the ``charhash.v2`` feature scheme (vectorised).

Character n-grams see ``كي`` at a word start, but a linear model learns it word by word;
these pooled features give every Darija-looking verb or MSA function word one shared weight,
so evidence from rare words adds up. Each is one hashed bucket, counted once per matching
word of the cleaned text (see ``_encode.prepare``):

==========  =========================================================================
``dar``     a Darija function word (``DARIJA_MARKERS``: ديال, واش, بزاف, غادي …, and
            ``DARIJA_WORDS``: شي, اللي's short forms الي/لي, وخا, Moroccan month names …)
``msa``     an MSA function word (``MSA_FUNCTION_WORDS``: الذي, التي, لم, لن, سوف …)
``prog``    progressive prefix ``ka-/ta-`` + person: ``(و|ف)?(ك|ت)(ي|ت|ن)..``  (كيشير, كتقدر)
``fut``     future ``gha-``: ``و?غا?(ي|ت|ن)..``  (غيؤدي, غادي)
``neg``     negation circumfix ``ma…ch``: ``م..ش``  (ماكانش, مكاينش)
``pl_o``    plural verb in ``-o``: ``(ك|ت|غ)?(ي|ت|ن)..و``  (كيستعملو)
``poss_o``  ``-o`` "his" suffix after a consonant: ``..[^اويى]و``  (نفسو, باعتبارو)
``d_gen``   genitive ``d-``: ``د(ال|ل)..``  (دالمغرب)
``f_prep``  preposition ``f-`` glued to an article: ``ف(ال|ل)..``  (فالمدينة)
==========  =========================================================================

Frequent MSA words that happen to fit a pattern (كتاب, كيف …) are exempt
(``PATTERN_EXCEPTIONS``). All word lists are written from knowledge of the languages.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from aimm_nlp.text.langid._encode import bucket, prepare, word_hashes

__all__ = [
    "DARIJA_MARKERS",
    "DARIJA_WORDS",
    "FEATURES",
    "MSA_FUNCTION_WORDS",
    "PATTERN_EXCEPTIONS",
    "morph_matrix",
]

#: Frequent Darija function words absent from MSA (written from knowledge, not from any data set).
DARIJA_MARKERS = frozenset(
    "ديال ديالي ديالك ديالو ديالها ديالهم ديالنا واش كاين كاينة كاينين بزاف هاد هادي هادا هادو غادي غادية "
    "ماشي دابا شحال فين علاش كيفاش باش حيت بحال اللي داك ديك راه راها راني هوما حنا نتا نتي نتوما مزيان "
    "بغيت بغا بغينا واخا صافي خاص خصني زوين والو شوية كيدير كيقول كنقول كتقول مكاينش معندوش ماكاينش "
    "عندو عندها دغيا ولاد كلشي حتا ديل ملي فاش منين بلي باللي هادشي داكشي شنو شكون هادوك هاديك "
    "لوخرين مكانش ماكانش ديما دايما كاملين فحال مزال بيناتهم كيكون كيبان كتكون غاتكون غيكون".split()
)
#: More Darija-only words (knowledge, not data): short forms, pronoun forms, verbs, Moroccan month
#: names. Unlike ``DARIJA_MARKERS`` they do not decide which tweets enter the training table.
DARIJA_WORDS = frozenset(
    "شي الي لي للي واحد ولا اولا أولا وخا كانو ولى ليه ليها ليهم ليك ليا معاه معاها معاهم كاع دبا ديجا أنو "
    "انو هدا هدي هدوك تما لهيه لهنا علاه ياك امتى إمتى فوقاش بحالا باقي شاف جا مشا خدم عطا طاح ف د ل "
    "يوليوز غشت شتنبر نونبر دجنبر".split()
)
#: MSA function words that Darija rarely writes (relative pronouns, particles, demonstratives).
MSA_FUNCTION_WORDS = frozenset(
    "الذي التي الذين اللذين اللتين اللواتي اللاتي إنه أنه إنها أنها أن إن لم لن سوف قد لقد ليس ليست هذا "
    "هذه ذلك تلك هؤلاء أولئك حيث إذ إذا عندما بينما لكن لكنه لكنها تم يتم أيضا لدى ثم كذلك وقد ولم ولن "
    "وهذا وهذه وذلك والذي والتي وأن بأن لأن يكون تكون كان كانت".split()
)
#: MSA words that look like a Darija verb form; no pattern feature fires on them.
PATTERN_EXCEPTIONS = frozenset(
    "كيف كيفية كيفما كيان كيلو كيلومتر كيلومترات كيمياء كيميائية كيميائي كينيا كيبيك كير كيس كتاب كتب "
    "كتابة كتلة كتف كتيبة كتابات كتابه كتابي كنيسة كنائس كندا كنز كنوز كنت كنا كنتم كتابها كتبه كتبت "
    "كتاباته كتابته".split()
)
FEATURES = ("dar", "msa", "prog", "fut", "neg", "pl_o", "poss_o", "d_gen", "f_prep")
_SALT = 77


_ARABIC = 0x0600  # every pattern and listed word starts with a letter of the Arabic block
# Letter classes of the Arabic block as bit flags (one table lookup per letter position).
_KT, _YTN, _WF, _KTG, _LONG = 1, 2, 4, 8, 16


@cache
def _classes() -> np.ndarray:
    table = np.zeros(257, dtype=np.uint8)  # index 256: anything outside the block
    for flag, letters in ((_KT, "كت"), (_YTN, "يتن"), (_WF, "وف"), (_KTG, "كتغ"), (_LONG, "اويى")):
        for ch in letters:
            table[ord(ch) - _ARABIC] |= flag
    return table


def _letter_class(x: np.ndarray) -> np.ndarray:
    return _classes()[np.minimum(x - np.uint32(_ARABIC), 256)]  # uint32: below the block wraps high


@cache
def _hash_set(words: frozenset) -> np.ndarray:
    """Sorted word hashes of ``words``, cleaned exactly like running text."""
    codes, offsets = prepare(sorted(words))
    _, h, _ = word_hashes(codes, offsets)
    return np.unique(h)


def _member(hashes: np.ndarray, words: frozenset) -> np.ndarray:
    table = _hash_set(words)
    return table[np.minimum(np.searchsorted(table, hashes), len(table) - 1)] == hashes


def morph_matrix(
    codes: np.ndarray,
    offsets: np.ndarray,
    starts: np.ndarray,
    hashes: np.ndarray,
    *,
    bits: int,
    scale: float,
    csr_matrix,
):
    """CSR matrix (texts x 2**bits): ``scale`` per word that shows one of ``FEATURES``.

    ``starts``/``hashes`` are the word starts and word hashes of ``word_hashes``.
    """
    n_rows = len(offsets) - 1
    shape = (n_rows, 1 << bits)
    blank = (codes == 32) | (codes == 0)
    ends = np.flatnonzero(~blank & np.concatenate((blank[1:], [True]))) + 1
    arabic = np.flatnonzero((codes[starts] >= _ARABIC) & (codes[starts] < _ARABIC + 256))
    if len(arabic) == 0:
        return csr_matrix(shape, dtype=np.float32)
    first, end, h = starts[arabic], ends[arabic], hashes[arabic]
    length = end - first
    pad = np.concatenate((codes, np.zeros(4, dtype=codes.dtype)))
    c0, c1, c2, c3 = (pad[first + i] for i in range(4))
    k0, k1, k2, k3 = (_letter_class(c) for c in (c0, c1, c2, c3))
    last, before = (
        codes[end - 1],
        _letter_class(codes[end - 2]),
    )  # words here have 1+ letters and a blank before
    w, g, a, m, d, f, lam, sh = (ord(ch) for ch in "وغامدفلش")
    ytn0, ytn1, ytn2, ytn3 = ((k & _YTN) > 0 for k in (k0, k1, k2, k3))
    kt0, kt1 = (k0 & _KT) > 0, (k1 & _KT) > 0
    n4, n5, n6 = length >= 4, length >= 5, length >= 6
    hits = (
        _member(h, DARIJA_MARKERS | DARIJA_WORDS),
        _member(h, MSA_FUNCTION_WORDS),
        (kt0 & ytn1 & n4) | (((k0 & _WF) > 0) & kt1 & ytn2 & n5),
        ((c0 == g) & ((ytn1 & n4) | ((c1 == a) & ytn2 & n5)))
        | ((c0 == w) & (c1 == g) & ((ytn2 & n5) | ((c2 == a) & ytn3 & n6))),
        (c0 == m) & (last == sh) & n4,
        (last == w) & ((ytn0 & n4) | (((k0 & _KTG) > 0) & ytn1 & n5)),
        (last == w) & ((before & _LONG) == 0) & n4,
        (c0 == d) & (((c1 == a) & (c2 == lam) & n5) | ((c1 == lam) & n4)),
        (c0 == f) & (((c1 == a) & (c2 == lam) & n5) | ((c1 == lam) & n4)),
    )
    exempt = _member(h, PATTERN_EXCEPTIONS)
    word_ids, buckets = [], []
    for i, hit in enumerate(hits):
        idx = arabic[np.flatnonzero(hit if i < 2 else hit & ~exempt)]
        word_ids.append(idx)
        buckets.append(np.full(len(idx), feature_bucket(i, bits), dtype=np.int64))
    word_ids = np.concatenate(word_ids)
    order = np.argsort(word_ids, kind="stable")
    word_ids, cols = word_ids[order], np.concatenate(buckets)[order]
    indptr = np.searchsorted(word_ids, np.searchsorted(starts, offsets))
    data = np.full(len(cols), scale, dtype=np.float32)
    return csr_matrix((data, cols, indptr), shape=shape)


@cache
def feature_bucket(i: int, bits: int) -> int:
    """Hash bucket of feature ``FEATURES[i]`` (never 0, which models keep at weight 0)."""
    return int(bucket(np.array([i + 1], dtype=np.uint32), _SALT, bits)[0]) or 1
