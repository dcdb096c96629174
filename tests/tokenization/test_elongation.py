"""Elongation in the training text is kept (issue 21): real comments are full of ``hhhhh`` and
``bzzzaaaf``, and a tokenizer trained on collapsed text spends a token per letter on them."""

from __future__ import annotations

import pytest
from tok_samples import texts

from aimm_nlp.tokenization import train_tokenizer

# (elongated word, language): Arabizi laughter and stretched vowels, Arabic-script stretch, French.
ELONGATED = [
    ("hhhhhhhh", "ary_Latn"),
    ("bzzzaaaaf", "ary_Latn"),
    ("wayliiiiii", "ary_Latn"),
    ("mzyaaaaan", "ary_Latn"),
    ("مزياااااان", "ary_Arab"),
    ("هههههههه", "ary_Arab"),
    ("trooooop", "fra_Latn"),
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    corpus = texts() + [(f"{word} {word} 3afak", lang) for word, lang in ELONGATED] * 12
    folder = tmp_path_factory.mktemp("elong")
    return {
        fold: train_tokenizer(corpus, out_dir=folder / str(fold), vocab_size=1500, fold_letters=fold).load()
        for fold in (False, True)
    }


@pytest.mark.parametrize(("word", "lang"), ELONGATED)
def test_elongated_words_seen_in_training_are_one_token(trained, word, lang) -> None:
    kept, folded = trained[False], trained[True]
    assert len(kept.encode(word, add_special_tokens=False)) == 1, kept.tokenize(word)
    # fold_letters=True collapses the stretch in training (the user normalizes before encoding too).
    assert len(folded.encode(word, add_special_tokens=False)) > 1
    assert kept.decode(kept.encode(word, add_special_tokens=False)) == word
