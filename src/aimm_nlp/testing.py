"""Small helpers for tests and notebooks: a tiny tokenizer, tiny seeded models, DummyModel.

Everything is built in-process from a config with a fixed seed: no download, no network.

Examples:
    >>> tok = tiny_tokenizer(["salam labas 3lik", "واش نتا مزيان؟", "ⴰⵣⵓⵍ"], vocab_size=300)
    >>> tok.decode(tok.encode("salam"))
    'salam'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aimm_nlp.evaluation.backends.dummy import DummyModel

__all__ = ["DummyModel", "tiny_causal_lm", "tiny_classifier", "tiny_token_classifier", "tiny_tokenizer"]

DARIJA = [
    "salam labas 3lik? ana mzyan l7amdolilah",
    "wach nta mzyaaaaan? hhhh 😂",
    "سلام لاباس عليك؟ أنا مزيان الحمد لله",
    "واش نتا مزيااااان؟",
    "ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ, ⵎⴰⵏⵣⴰⴽⵉⵏ?",
    "Bonjour, ça va? ana bikhir merci",
    "The weather in Rabat is nice today.",
]


def tiny_tokenizer(texts: Iterable[str] = DARIJA, *, vocab_size: int = 300) -> Any:
    """A byte-level BPE ``PreTrainedTokenizerFast`` trained on ``texts`` (BOS ``<s>``, EOS ``</s>``, PAD ``<pad>``)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<pad>", "<s>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )


def _seeded(seed: int) -> None:
    import torch

    torch.manual_seed(seed)


def tiny_causal_lm(
    tokenizer: Any, *, hidden: int = 32, layers: int = 2, heads: int = 4, seed: int = 0, max_len: int = 512
) -> Any:
    """A seeded Llama-shape causal LM (random weights) sized to ``tokenizer``."""
    from transformers import LlamaConfig, LlamaForCausalLM

    _seeded(seed)
    cfg = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=max_len,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(cfg).eval()


def _bert_config(tokenizer: Any, hidden: int, labels: Sequence[str]) -> Any:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=hidden * 2,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )


def tiny_classifier(tokenizer: Any, labels: Sequence[str], *, hidden: int = 32, seed: int = 0) -> Any:
    """A seeded 2-layer BERT sequence classifier with ``labels`` as ``id2label``."""
    from transformers import BertForSequenceClassification

    _seeded(seed)
    return BertForSequenceClassification(_bert_config(tokenizer, hidden, labels)).eval()


def tiny_token_classifier(tokenizer: Any, labels: Sequence[str], *, hidden: int = 32, seed: int = 0) -> Any:
    """A seeded 2-layer BERT token classifier with ``labels`` as ``id2label``."""
    from transformers import BertForTokenClassification

    _seeded(seed)
    return BertForTokenClassification(_bert_config(tokenizer, hidden, labels)).eval()
