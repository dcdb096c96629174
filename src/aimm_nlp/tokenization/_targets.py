"""What a trained tokenizer is *for*: its special tokens, their roles, and the post-processor that adds
them (``train_tokenizer(..., for_model=...)``, ``aimm tokenizer train --for``).

Each target is data: the special tokens (the first is UNK), the ``transformers`` role of each
(``cls_token``, ``mask_token``, ...) written to ``tokenizer_config.json``, and the
``TemplateProcessing`` templates written into ``tokenizer.json``, so ``tokenizer(text)`` adds what
the architecture expects:

=============  ==========================================  ==============================
target         special tokens                              ``tokenizer(text)``
=============  ==========================================  ==============================
``universal``  ``<unk> <s> </s> <pad> <mask>``             ``<s> text`` (``<s>`` = CLS = BOS)
``encoder``    ``[UNK] [CLS] [SEP] [PAD] [MASK]``          ``[CLS] text [SEP]`` (BERT)
``decoder``    ``<unk> <s> </s> <pad>``                    ``<s> text`` (Llama; EOS added by
                                                           the fine-tuner at the end of a text)
``seq2seq``    ``<unk> </s> <pad>``                        ``text </s>`` (T5; pad starts the decoder)
=============  ==========================================  ==============================

``universal`` (the default) fits every fine-tuning task of aimm_nlp: a BERT classifier pools ``<s>``
as its CLS token, masked-LM has ``<mask>``, a causal LM starts each text with BOS and learns EOS,
and ``<pad>`` pads. Choose ``encoder`` for BERT-style ``[CLS] ... [SEP]`` inputs and ``seq2seq``
for translation models, whose targets must end with EOS.

Examples:
    >>> TARGETS["encoder"].single
    '[CLS] $A [SEP]'
    >>> TARGETS["universal"].roles["cls_token"]
    '<s>'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["DEFAULT_TARGET", "TARGETS", "Target", "post_process", "roles_for", "special_tokens_for"]


@dataclass(frozen=True)
class Target:
    """Special tokens, their roles and the post-processor templates of one target (module docstring)."""

    tokens: tuple[str, ...]
    roles: dict[str, str] = field(repr=False)
    single: str
    pair: str


# fmt: off
TARGETS = {
    "universal": Target(
        tokens=("<unk>", "<s>", "</s>", "<pad>", "<mask>"),
        roles={"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
               "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>"},
        single="<s> $A",
        pair="<s> $A </s> $B:1",
    ),
    "encoder": Target(
        tokens=("[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"),
        roles={"unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
               "mask_token": "[MASK]"},
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
    ),
    "decoder": Target(
        tokens=("<unk>", "<s>", "</s>", "<pad>"),
        roles={"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"},
        single="<s> $A",
        pair="<s> $A <s>:1 $B:1",
    ),
    "seq2seq": Target(
        tokens=("<unk>", "</s>", "<pad>"),
        roles={"unk_token": "<unk>", "eos_token": "</s>", "pad_token": "<pad>"},
        single="$A </s>",
        pair="$A </s> $B:1 </s>:1",
    ),
}
# fmt: on
DEFAULT_TARGET = "universal"


def special_tokens_for(target: str, special_tokens: Sequence[str] | None) -> list[str]:
    """The special tokens to train: the target's, or the user's (first = UNK) plus the target's
    role tokens they lack (appended, so ``for_model="encoder"`` always has ``[CLS]``/``[SEP]``)."""
    t = TARGETS[target]
    if special_tokens is None:
        return list(t.tokens)
    out = list(special_tokens)
    needed = [tok for role, tok in t.roles.items() if role != "unk_token"]
    return out + [tok for tok in dict.fromkeys(needed) if tok not in out]


def roles_for(target: str, special_tokens: Sequence[str]) -> dict[str, str]:
    """``tokenizer_config.json`` roles: the target's, with UNK = the first special token."""
    return {**TARGETS[target].roles, "unk_token": special_tokens[0]}


def post_process(tokenizer_json: str, target: str) -> str:
    """``tokenizer_json`` with the target's ``TemplateProcessing`` post-processor."""
    from tokenizers import Tokenizer, processors

    tok = Tokenizer.from_str(tokenizer_json)
    t = TARGETS[target]
    names = dict.fromkeys(p.split(":")[0] for p in f"{t.single} {t.pair}".split() if not p.startswith("$"))
    tok.post_processor = processors.TemplateProcessing(
        single=t.single, pair=t.pair, special_tokens=[(n, tok.token_to_id(n)) for n in names]
    )
    return json.dumps(json.loads(tok.to_str()), ensure_ascii=False, indent=2)
