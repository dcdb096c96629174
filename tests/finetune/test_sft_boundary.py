"""The SFT prompt/response boundary is exact (issue 20): no prompt or template token is ever in the
loss and every response token is, whatever the tokenizer merges across the boundary.

The shipped ``ary_sft.yaml`` template ends the prompt with ``<|assistant|>``; a SentencePiece model
trained on such conversations merges ``>`` with the first response letters (``>wa``), which the
old code put in the loss (or left a response token out of it).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from ft_helpers import base_cfg

from aimm_nlp.finetune import FinetuneConfig
from aimm_nlp.finetune.data import encode_records

SHIPPED = Path(__file__).parents[2] / "src/aimm_nlp/configs/finetune/ary_sft.yaml"
TEMPLATE = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["data"]["chat_template"]

PROMPTS = [  # real Darija (both scripts), French, Tifinagh, code-switched, emoji, elongation, one char
    "واش نتا مزيان؟",
    "شنو كدير اليوم فالخدمة؟",
    "ترجم للفرنسية: الجو زوين بزاف",
    "3lach ma jitich lbareh?",
    "salam khouya, labas 3lik?",
    "wach kayn chi jdid f lkhdma?",
    "Traduis en darija : je suis à Rabat",
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵣⴰⴽⵉⵏ?",
    "had lfilm zwiiiiin 😍 chno ra2yek?",
    "و",
    "كيفاش نمشي ل casa بالتران؟",
    "3tini chi wasfa dyal tajine",
]
RESPONSES = [
    "wakha, ana mzyan l7amdolilah",
    "أنا مزيان الحمد لله، و نتا؟",
    "ma3ndi walo, ghir kankhdem",
    "Je vais bien, merci !",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ",
    "ghadi tchd train mn Rabat Ville 🚆",
    "مزياااان بزاف، شكرا",
    "a",
    "",
    "wach bghiti b l7em wla b djaj?",
    "had chi bssa7 zwin",
    "la, ma kaynch",
    "واخا، غادي نشوف",
    "Bien sûr, la médina de Fès",
    "الله يعاونك",
    "okay 👍",
    "3afak 3awd",
    "ⴰⵣⵓⵍ",
    "كاين بزاف ديال الناس",
    "sir t7mm o rje3",
    "bslama, nchoufk ghedda",
    "الماكلة بنينة",
    "wakha",
    "شكرا بزاااف",
    "ana f dar daba",
]
PAIRS = list(itertools.product(PROMPTS, RESPONSES))  # 300 samples


def _texts() -> list[str]:
    """Training text for the tokenizers: the texts, also in HTML of many tags (``<td>wakha``), as in
    web data, so ``>`` merges with the first letters of words as in many LLM vocabularies."""
    words = [t for t in PROMPTS + RESPONSES if t]
    tags = ["p", "b", "i", "u", "li", "td", "th", "em", "h1", "h2", "dd", "dt", "tr", "ul", "div", "span"]
    return words * 4 + [f"<{tag}>{t}" for t in words for tag in tags]


def _sentencepiece(folder: Path, model_type: str):
    """A SentencePiece model with default-like splitting (no split at script changes, as many LLMs)."""
    import io

    import sentencepiece as spm
    from transformers import PreTrainedTokenizerFast

    from aimm_nlp.tokenization._load import spm_to_hf

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_texts()), model_writer=buf, model_type=model_type, vocab_size=700,
        character_coverage=1.0, byte_fallback=True, split_by_unicode_script=False, num_threads=1,
        hard_vocab_limit=False, minloglevel=2, normalization_rule_name="identity",
    )  # fmt: skip
    model = folder / f"{model_type}.model"
    model.write_bytes(buf.getvalue())
    return PreTrainedTokenizerFast(tokenizer_object=spm_to_hf(model), unk_token="<unk>", eos_token="</s>")


def _byte_level(folder: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=900, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )  # fmt: skip
    tok.train_from_iterator(_texts(), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>")


@pytest.mark.parametrize("which", ["spm_bpe", "spm_unigram", "byte_level_bpe"])
def test_no_template_token_in_the_loss_and_every_response_token_in_it(which, tmp_path):
    from jinja2 import Environment

    tok = _byte_level(tmp_path) if which == "byte_level_bpe" else _sentencepiece(tmp_path, which[4:])
    raw = base_cfg("causal_lm", tmp_path, tmp_path / "sft.jsonl", tmp_path / "run",
                   data__prompt_column="prompt", data__chat_template=TEMPLATE, data__max_length=512,
                   data__max_tokens=4096)  # fmt: skip
    records = [{"prompt": p, "response": r} for p, r in PAIRS]
    enc = encode_records(records, FinetuneConfig.from_dict(raw), tok, source="sft.jsonl", label_names=None)
    assert len(enc) == len(PAIRS) == 300 and enc.truncated == 0
    render = Environment().from_string(TEMPLATE).render
    mislabelled = []
    for (prompt, response), ids, mask in zip(PAIRS, enc.input_ids, enc.labels, strict=True):
        conv = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
        head = render(messages=conv[:1], add_generation_prompt=True)
        tail = render(messages=conv, add_generation_prompt=False)[len(head) :]
        in_loss = [t for t, m in zip(ids, mask, strict=True) if m]
        out_of_loss = [t for t, m in zip(ids, mask, strict=True) if not m]
        assert in_loss[-1] == tok.eos_token_id and mask == sorted(mask)  # prompt first, then response
        if tok.decode(out_of_loss) != head or tok.decode(in_loss[:-1]) != tail:
            mislabelled.append((prompt, response, tok.convert_ids_to_tokens(ids)))
    assert mislabelled == [], f"{len(mislabelled)} of 300 samples mislabelled, first: {mislabelled[0]}"


def test_the_spm_tokenizer_really_merges_across_the_boundary(tmp_path):
    """Guard of the test above: the SentencePiece model does merge ``>`` into response text, so the
    boundary is actually exercised (whole-string encodings differ from prompt-then-response)."""
    tok = _sentencepiece(tmp_path, "bpe")
    straddles = 0
    for prompt, response in PAIRS:
        head = f"<|user|>{prompt}\n<|assistant|>"
        p_ids = tok(head, add_special_tokens=False)["input_ids"]
        f_ids = tok(f"{head}{response}\n", add_special_tokens=False)["input_ids"]
        straddles += f_ids[: len(p_ids)] != p_ids
    assert straddles >= 20, straddles


def test_a_template_whose_prompt_is_not_a_prefix_is_refused(tmp_path):
    from aimm_nlp.errors import DataError

    tok = _byte_level(tmp_path)
    odd = "{% for m in messages %}{{ m.content }}|{% endfor %}{% if add_generation_prompt %}>>{% endif %}"
    raw = base_cfg("causal_lm", tmp_path, tmp_path / "sft.jsonl", tmp_path / "run",
                   data__prompt_column="prompt", data__chat_template=odd)  # fmt: skip
    with pytest.raises(DataError, match=r"sft.jsonl: record 1: the chat template renders the prompt"):
        encode_records([{"prompt": "salam", "response": "wa3likoum"}], FinetuneConfig.from_dict(raw), tok,
                       source="sft.jsonl", label_names=None)  # fmt: skip
