"""Issue 20 A: ``train_tokenizer(for_model=...)`` gives special tokens and a post-processor that fit the
architecture (encoder: [CLS]/[SEP]/[MASK]; decoder: BOS/EOS; seq2seq: EOS; universal: all roles)."""

from __future__ import annotations

import json

import pytest
from tok_samples import ROUNDTRIP, texts

from aimm_nlp.cli import main
from aimm_nlp.errors import ConfigError
from aimm_nlp.tokenization import TokenizerConfig, train_tokenizer

# target -> (first token added, last token added, roles that must be set, roles that must be unset)
EXPECTED = {
    "universal": ("<s>", None, {"bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
                                "pad_token": "<pad>", "mask_token": "<mask>", "unk_token": "<unk>"}, ()),
    "encoder": ("[CLS]", "[SEP]", {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                   "mask_token": "[MASK]", "unk_token": "[UNK]"}, ("bos_token", "eos_token")),
    "decoder": ("<s>", None, {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"},
                ("mask_token", "cls_token")),
    "seq2seq": (None, "</s>", {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"},
                ("bos_token", "mask_token", "cls_token")),
}  # fmt: skip
BACKENDS = [("hf", "bpe"), ("spm", "unigram"), ("hf", "wordpiece")]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets")
    cache = {}

    def get(target, backend, kind):
        if (target, backend, kind) not in cache:
            cache[target, backend, kind] = train_tokenizer(
                texts(), out_dir=root / f"{target}_{backend}_{kind}", vocab_size=1500, for_model=target,
                backend=backend, kind=kind, byte_fallback=False if kind == "wordpiece" else None,
            )  # fmt: skip
        return cache[target, backend, kind]

    return get


@pytest.mark.parametrize(("backend", "kind"), BACKENDS)
@pytest.mark.parametrize("target", list(EXPECTED))
def test_each_target_adds_its_special_tokens(trained, target, backend, kind):
    from transformers import AutoTokenizer

    t = trained(target, backend, kind)
    tok = AutoTokenizer.from_pretrained(str(t.path))
    first, last, roles, unset = EXPECTED[target]
    for role, token in roles.items():
        assert getattr(tok, role) == token, (role, tok.special_tokens_map)
    for role in unset:
        assert getattr(tok, role) is None, role
    for text in [t for t in ROUNDTRIP if t.strip()]:
        ids = tok(text)["input_ids"]
        plain = tok(text, add_special_tokens=False)["input_ids"]
        assert ids == [tok.convert_tokens_to_ids(x) for x in (first,) if x] + plain + [
            tok.convert_tokens_to_ids(x) for x in (last,) if x
        ]
        assert tok.decode(ids, skip_special_tokens=True) == tok.decode(plain, skip_special_tokens=True)
    assert t.card["for_model"] == target


PAIRS = {  # target -> the pair (A, B) as encoded
    "universal": ["<s>", "A", "</s>", "B"],
    "encoder": ["[CLS]", "A", "[SEP]", "B", "[SEP]"],
    "decoder": ["<s>", "A", "<s>", "B"],
    "seq2seq": ["A", "</s>", "B", "</s>"],
}


@pytest.mark.parametrize("target", list(PAIRS))
def test_a_pair_is_separated(trained, target):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(trained(target, "hf", "bpe").path))
    parts = {
        x: tok(text, add_special_tokens=False)["input_ids"]
        for x, text in (("A", "salam labas"), ("B", "ⴰⵣⵓⵍ"))
    }
    want = [i for x in PAIRS[target] for i in parts.get(x, [tok.convert_tokens_to_ids(x)])]
    assert tok("salam labas", "ⴰⵣⵓⵍ")["input_ids"] == want


def test_given_special_tokens_keep_their_order_and_get_the_targets_roles(tmp_path):
    t = train_tokenizer(texts(), out_dir=tmp_path / "tok", vocab_size=1500, for_model="encoder",
                        special_tokens=["<unk>", "<ary>", "<zgh>"])  # fmt: skip
    assert t.card["special_tokens"] == ["<unk>", "<ary>", "<zgh>", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
    config = json.loads((t.path / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["unk_token"] == "<unk>" and config["cls_token"] == "[CLS]"
    tok = t.load()
    assert tok.convert_ids_to_tokens(tok("<ary> واش")["input_ids"]) [:2] == ["[CLS]", "<ary>"]  # fmt: skip


BAD = [  # for_model value, words of the message
    ("bert", ["for_model: unknown target 'bert'", "valid: universal, encoder, decoder, seq2seq"]),
    ("decodr", ["did you mean 'decoder'"]),
    ("", ["for_model: unknown target ''"]),
    (3, ["for_model: unknown target 3"]),
    (None, ["for_model: unknown target None"]),
    ("ⴰⵣⵓⵍ", ["unknown target 'ⴰⵣⵓⵍ'"]),
]


@pytest.mark.parametrize(("value", "words"), BAD)
def test_an_unknown_target_is_refused_before_any_work(tmp_path, value, words):
    with pytest.raises(ConfigError) as info:
        train_tokenizer(["واش"], out_dir=tmp_path / "tok", for_model=value, vocab_size=1500)
    for word in words:
        assert word in str(info.value)
    with pytest.raises(ConfigError) as info:
        TokenizerConfig.from_dict({"for_model": value, "vocab_size": 0})
    assert "vocab_size" in str(info.value) and words[0] in str(info.value)  # all problems at once
    assert not (tmp_path / "tok").exists()


@pytest.mark.parametrize(("flag", "code"), [("encoder", 0), ("bert", 2), ("Encoder", 2)])
def test_cli_for_flag(tmp_path, capsys, flag, code):
    data = tmp_path / "ary_Arab.txt"
    data.write_text("\n".join(t for t, _ in texts()) + "\n", encoding="utf-8")
    out = tmp_path / "tok"
    argv = ["tokenizer", "train", "--data", str(data), "--for", flag, "--vocab-size", "1500", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == code
    if code == 0:
        card = json.loads((out / "tokenizer_card.json").read_text(encoding="utf-8"))
        assert card["for_model"] == "encoder" and card["post_processor"]["single"] == "[CLS] $A [SEP]"
    else:
        err = capsys.readouterr().err
        assert f"for_model: unknown target {flag!r}" in err and "Traceback" not in err and not out.exists()
