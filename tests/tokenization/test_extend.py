from __future__ import annotations

import pytest
from tok_samples import CORPUS, texts

from aimm_nlp.errors import ConfigError, DataError, ModelError, UnknownNameError
from aimm_nlp.tokenization import extend_tokenizer, resize_embeddings, train_tokenizer

DARIJA = CORPUS["ary_Arab"] * 10
UNTOUCHED = ["Je suis à Rabat aujourd'hui.", "salam 3lik", "ⴰⵣⵓⵍ", "", "😀", "a"]


@pytest.fixture(scope="module")
def small_base(tmp_path_factory):
    """A base tokenizer that knows little Darija: trained mostly on French/Arabizi/Tifinagh."""
    corpus = [(t, lang) for t, lang in texts() if lang != "ary_Arab"]
    return train_tokenizer(corpus, out_dir=tmp_path_factory.mktemp("base") / "t", vocab_size=1400).path


def _tiny_model(arch: str, vocab: int):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    if arch == "gpt2":
        return GPT2LMHeadModel(
            GPT2Config(vocab_size=vocab, n_embd=32, n_layer=2, n_head=2, n_positions=64)
        ).eval()
    cfg = LlamaConfig(
        vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=False,
    )  # fmt: skip
    return LlamaForCausalLM(cfg).eval()


def test_extension_adds_tokens_after_old_ids_and_keeps_old_segmentation(small_base) -> None:
    from tokenizers import Tokenizer

    base = Tokenizer.from_file(str(small_base / "tokenizer.json"))
    ext = extend_tokenizer(small_base, DARIJA, n_new_tokens=30)
    assert 0 < len(ext.new_tokens) <= 30
    assert ext.first_new_id == base.get_vocab_size(with_added_tokens=True)
    new_vocab = ext.tokenizer.get_vocab()
    for piece, i in base.get_vocab().items():
        assert new_vocab[piece] == i
    for text in UNTOUCHED:
        assert ext.tokenizer.encode(text).ids == base.encode(text).ids
    # property: any text whose extended encoding uses no new id is encoded exactly as before
    every = [t for items in CORPUS.values() for t in items] + ["واش", "كنبغي", "الصحة زوين"]
    for text in every:
        new_ids = ext.tokenizer.encode(text).ids
        if all(i < ext.first_new_id for i in new_ids):
            assert new_ids == base.encode(text).ids, text
    darija = "واش نتا مزيان؟"
    assert len(ext.tokenizer.encode(darija).ids) < len(base.encode(darija).ids)
    assert ext.tokenizer.decode(ext.tokenizer.encode(darija).ids) == darija


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_resize_keeps_logits_and_initialises_with_subword_mean(small_base, arch) -> None:
    import torch

    ext = extend_tokenizer(small_base, DARIJA, n_new_tokens=30)
    old = ext.base
    model = _tiny_model(arch, old.get_vocab_size(with_added_tokens=True))
    ids = [old.encode(t).ids for t in UNTOUCHED if t]
    with torch.no_grad():
        before = [model(torch.tensor([i])).logits for i in ids]
    resize_embeddings(model, ext, ext)
    n_old = old.get_vocab_size(with_added_tokens=True)
    emb = model.get_input_embeddings().weight
    assert emb.shape[0] == n_old + len(ext.new_tokens)
    with torch.no_grad():
        for text, i, logits in zip([t for t in UNTOUCHED if t], ids, before, strict=False):
            assert ext.tokenizer.encode(text).ids == i
            after = model(torch.tensor([i])).logits
            assert torch.allclose(after[..., :n_old], logits, atol=1e-6)
    piece = ext.new_tokens[0]
    parts = [t.id for t in old.model.tokenize(piece)]
    assert len(parts) >= 2
    assert torch.allclose(emb[ext.first_new_id], emb[parts].mean(dim=0))
    out = model.get_output_embeddings().weight
    assert torch.allclose(out[ext.first_new_id], out[parts].mean(dim=0))


def test_extension_of_a_sentencepiece_model_and_save(tmp_path) -> None:
    from transformers import AutoTokenizer

    spm = train_tokenizer(texts(), out_dir=tmp_path / "spm", backend="spm", kind="bpe", vocab_size=1400)
    ext = extend_tokenizer(
        spm.path / "tokenizer.model", ["ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ"] * 20, n_new_tokens=5, scripts=["Tfng"]
    )
    assert ext.new_tokens and all(any("ⴰ" <= c <= "⵿" for c in t) for t in ext.new_tokens)
    ext.save(tmp_path / "out")
    auto = AutoTokenizer.from_pretrained(str(tmp_path / "out"))
    assert auto.decode(auto.encode("ⵜⴰⵎⴰⵣⵉⵖⵜ", add_special_tokens=False)) == "ⵜⴰⵎⴰⵣⵉⵖⵜ"


def test_extension_errors(small_base, tmp_path) -> None:
    with pytest.raises(ConfigError, match="n_new_tokens"):
        extend_tokenizer(small_base, DARIJA, n_new_tokens=0)
    with pytest.raises(DataError, match="empty"):
        extend_tokenizer(small_base, ["", "  "], n_new_tokens=5)
    uni = train_tokenizer(texts(), out_dir=tmp_path / "u", kind="unigram", vocab_size=1400)
    with pytest.raises(ModelError, match="BPE"):
        extend_tokenizer(uni.path, DARIJA, n_new_tokens=5)
    with pytest.raises(ConfigError, match="init"):
        resize_embeddings(None, small_base, small_base, init="random")


# --- which tokens extend_tokenizer adds: pair frequency vs min_frequency, script filter, known pieces.
# The base is a character-level BPE (no merges) built in the test, so every word's base pieces are its
# characters and each expected merge list is worked out by hand: the most frequent adjacent pair is
# merged first, ties go to the smaller pair (tuple order of the code points: digits < Latin < Arabic).

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


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"scripts": ["Klingon"]}, UnknownNameError, "unknown script"),
        ({"scripts": []}, ConfigError, "scripts is empty"),
        ({"min_frequency": -1}, ConfigError, "min_frequency"),
        ({"min_frequency": True}, ConfigError, "min_frequency"),
    ],
)
def test_extend_tokenizer_api_checks(bpe_dir, kwargs, error, needle):
    from aimm_nlp.tokenization import extend_tokenizer

    with pytest.raises(error, match=needle):
        extend_tokenizer(bpe_dir, CORPUS["ary_Arab"] * 5, n_new_tokens=5, **kwargs)
