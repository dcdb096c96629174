"""Vectorised hashed character n-gram features for language identification.

A whole batch is encoded once into one ``uint32`` codepoint array; cleaning
(lowercase, drop diacritics/tatweel, mask URLs/@users/emoji/punctuation and
digit-only tokens, squeeze elongations and spaces) and rolling n-gram hashes are
numpy operations over that array, so cost per sentence is a few vector passes
instead of a Python loop over n-grams. The result is a ``scipy.sparse`` CSR
matrix per n-gram order, multiplied with the weight matrix in compiled code.

Feature schemes (recorded in every model's ``config.json``):

* ``charhash.v1``: orders 1..5 over `` text `` (space padded), plus whole-word hashes;
* ``charhash.v2``: v1 plus the pooled Darija-vs-MSA word-shape features of
  ``_morph`` (value ``morph`` per matching word).
"""

from __future__ import annotations

import numpy as np

from aimm_nlp.text.langid._encode import SEP as _SEP
from aimm_nlp.text.langid._encode import SPACE as _SPACE
from aimm_nlp.text.langid._encode import P as _P
from aimm_nlp.text.langid._encode import bucket as _bucket
from aimm_nlp.text.langid._encode import prepare, word_hashes
from aimm_nlp.text.langid._morph import morph_matrix

__all__ = ["FEATURE_SCHEME", "FEATURE_SCHEMES", "featurize", "prepare", "word_hashes"]

#: Scheme of newly trained models; ``FEATURE_SCHEMES`` are the ones this version can load.
FEATURE_SCHEME = "charhash.v2"
FEATURE_SCHEMES = ("charhash.v1", "charhash.v2")


def featurize(
    codes: np.ndarray,
    offsets: np.ndarray,
    *,
    orders: tuple[int, ...],
    bits: int,
    words: bool,
    morph: float = 0.0,
) -> list:
    """Return one CSR matrix (texts x 2**bits) per feature family, counts as values.

    ``morph`` > 0 adds the ``charhash.v2`` word-shape features with that value.
    Bucket 0 collects n-grams that cross a text boundary; models keep its weight at 0.
    """
    from scipy.sparse import csr_matrix

    n_rows = len(offsets) - 1
    n = len(codes)
    seps = offsets[1:] - 1
    shape = (n_rows, 1 << bits)
    # Trailing separators: every text, the last one included, has one n-gram per position,
    # so a text's features (and their count) never depend on its place in the batch.
    padded = np.concatenate((codes, np.full(max(orders), _SEP, dtype=codes.dtype)))
    data = np.ones(n, dtype=np.float32)
    mats = []
    h = np.zeros(len(padded), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(1, max(orders) + 1):
            h = h[: len(padded) - k + 1] * _P + padded[k - 1 :]
            if k not in orders:
                continue
            b = _bucket(h[:n], k, bits)
            for d in range(k):
                b[seps[seps >= d] - d] = 0
            if k == 1:
                b[codes == _SPACE] = 0
            mats.append(csr_matrix((data, b, offsets), shape=shape))
        if words or morph:
            starts, hashes, indptr = word_hashes(codes, offsets)
        if words:
            data = np.ones(len(starts), dtype=np.float32)
            mats.append(csr_matrix((data, _bucket(hashes, 99, bits), indptr), shape=shape))
        if morph:
            mats.append(
                morph_matrix(codes, offsets, starts, hashes, bits=bits, scale=morph, csr_matrix=csr_matrix)
            )
    return mats
