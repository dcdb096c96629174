"""Which tokens extend_tokenizer adds: pair frequency vs min_frequency, script filter, known pieces.

The base is a character-level BPE (no merges) built in the test, so every word's base pieces are its
characters and each expected merge list is worked out by hand: the most frequent adjacent pair is
merged first, ties go to the smaller pair (tuple order of the code points: digits < Latin < Arabic).
"""

from __future__ import annotations

import pytest

from aimm_nlp.tokenization import extend_tokenizer

CHARS = "0123456789abfkoszواشهي"  # each once


def char_bpe(extra: tuple[str, ...] = ()):
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, **{c: i + 1 for i, c in enumerate(CHARS)}}
    for piece in extra:
        vocab[piece] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


@pytest.mark.parametrize(
    ("corpus", "n_new", "min_frequency", "expected"),
    [
        # pairs: (و,ا) 2, (ا,ش) 2, (b,z) (z,a) (a,f) 1; ties: 'ا' < 'و'
        (["واش"] * 2 + ["bzaf"], 10, 2, ("اش", "واش")),  # a pair seen exactly min_frequency times is kept
        (["واش"] * 2 + ["bzaf"], 10, 3, ()),  # nothing reaches 3
        (["واش"] * 2 + ["bzaf"], 1, 2, ("اش",)),  # n_new_tokens caps the merges
        # min_frequency 1: then af, bz (ties: 'a' < 'b' < 'z'), then bz+af
        (["واش"] * 2 + ["bzaf"], 10, 1, ("اش", "واش", "af", "bz", "bzaf")),
        (["واش واش"], 10, 2, ("اش", "واش")),  # counted per word occurrence, not per text
    ],
)
def test_merges_follow_pair_frequency(corpus, n_new, min_frequency, expected) -> None:
    base = char_bpe()
    ext = extend_tokenizer(base, corpus, n_new_tokens=n_new, min_frequency=min_frequency)
    assert ext.new_tokens == expected
    assert ext.first_new_id == len(CHARS) + 1
    vocab = ext.tokenizer.get_vocab()
    assert [vocab[t] for t in expected] == list(range(len(CHARS) + 1, len(CHARS) + 1 + len(expected)))


@pytest.mark.parametrize(
    ("corpus", "scripts", "expected"),
    [
        # "okها": pairs (k,ه) (o,k) (ه,ا), 2 each; ties: 'k' < 'o' < 'ه'
        (["okها"] * 2, None, ("kه", "kها", "okها")),
        (["okها"] * 2, ["Arab"], ("ها",)),  # kه, ok and kها mix scripts or are Latin: skipped
        (["okها"] * 2, ["Latn"], ("ok",)),  # okه mixes scripts, ها is Arabic
        (["okها"] * 2, ["Arab", "Latn"], ("kه", "kها", "okها")),
        # digits belong to no script: kept only without a filter ('0' < '2' orders the ties)
        (["2024"] * 2, None, ("02", "024", "2024")),
        (["2024"] * 2, ["Arab"], ()),
        (["2024"] * 2, ["Latn"], ()),
    ],
)
def test_script_filter_needs_every_letter_in_the_scripts(corpus, scripts, expected) -> None:
    ext = extend_tokenizer(char_bpe(), corpus, n_new_tokens=10, scripts=scripts)
    assert ext.new_tokens == expected


def test_a_piece_already_in_the_vocabulary_is_not_added_again() -> None:
    # "اش" is a base token (no merge makes it), so the pair (ا,ش) is skipped: (و,ا) then (وا,ش) instead
    base = char_bpe(extra=("اش",))
    old_id = base.token_to_id("اش")
    ext = extend_tokenizer(base, ["واش"] * 2, n_new_tokens=10)
    assert ext.new_tokens == ("وا", "واش")
    assert ext.tokenizer.token_to_id("اش") == old_id
    assert ext.tokenizer.encode("واش").tokens == ["واش"]
