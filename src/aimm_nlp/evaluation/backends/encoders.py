"""Encoder backends (sequence / token classifiers) and seq2seq greedy generation.

Rows are padded to a length bucket with at least one pad token, so the attention mask
path and the row's arithmetic never depend on its batch neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from aimm_nlp.evaluation.backends.causal import bucket, cut_at_stops

__all__ = ["EncoderClassifier", "Seq2SeqLM", "TokenClassifier"]


class _Batched:
    kind = ""
    batch_size: int | str = "auto"
    token_budget = 4096

    def __init__(self, model: Any, tokenizer: Any, *, max_length: int = 512) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length

    def _batches(
        self, encs: list[tuple[list[int], int]]
    ) -> Iterator[tuple[int, list[tuple[list[int], int]]]]:
        encs = sorted(encs, key=lambda e: bucket(len(e[0]), pad_at_least=1))
        at = 0
        while at < len(encs):
            b = bucket(len(encs[at][0]), pad_at_least=1)
            rows = max(1, self.token_budget // b)
            if self.batch_size != "auto":
                rows = min(rows, int(self.batch_size))
            end = at
            while end < len(encs) and bucket(len(encs[end][0]), pad_at_least=1) == b and end - at < rows:
                end += 1
            yield b, encs[at:end]
            at = end

    def _tensors(self, b: int, batch: list[tuple[list[int], int]], *, left: bool = False) -> tuple[Any, Any]:
        import torch

        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(batch), b), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for r, (enc, _) in enumerate(batch):
            sl = slice(b - len(enc), b) if left else slice(0, len(enc))
            ids[r, sl] = torch.tensor(enc)
            mask[r, sl] = 1
        dev = next(self.model.parameters()).device
        return ids.to(dev), mask.to(dev)


class EncoderClassifier(_Batched):
    """``*ForSequenceClassification``: predicts ``config.id2label`` names."""

    kind = "encoder_classifier"

    @property
    def labels(self) -> list[str]:
        return [str(self.model.config.id2label[i]) for i in range(self.model.config.num_labels)]

    def classify(self, texts: Sequence[str]) -> Iterator[tuple[int, str]]:
        import torch

        encs = [
            (self.tokenizer.encode(t, truncation=True, max_length=self.max_length - 1), i)
            for i, t in enumerate(texts)
        ]
        with torch.inference_mode():
            for b, batch in self._batches(encs):
                ids, mask = self._tensors(b, batch)
                pred = self.model(input_ids=ids, attention_mask=mask).logits.argmax(-1)
                for (_, i), p in zip(batch, pred.tolist(), strict=True):
                    yield i, self.labels[p]


class TokenClassifier(_Batched):
    """``*ForTokenClassification``: one tag per word (the first sub-word's prediction)."""

    kind = "token_classifier"

    def tag(self, tokens: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[str]]]:
        import torch

        labels = self.model.config.id2label
        encs, words = [], {}
        for i, ws in enumerate(tokens):
            enc = self.tokenizer(
                list(ws), is_split_into_words=True, truncation=True, max_length=self.max_length - 1
            )
            encs.append((enc["input_ids"], i))
            words[i] = enc.word_ids()
        with torch.inference_mode():
            for b, batch in self._batches(encs):
                ids, mask = self._tensors(b, batch)
                pred = self.model(input_ids=ids, attention_mask=mask).logits.argmax(-1).tolist()
                for r, (_, i) in enumerate(batch):
                    out: dict[int, str] = {}
                    for pos, w in enumerate(words[i]):
                        if w is not None and w not in out:
                            out[w] = str(labels[pred[r][pos]])
                    yield i, [out.get(w, "O") for w in range(len(tokens[i]))]


class Seq2SeqLM(_Batched):
    """``AutoModelForSeq2SeqLM``: greedy generation from left-padded encoder inputs."""

    kind = "seq2seq"

    def generate(
        self, prompts: Sequence[str], *, until: Sequence[str] = (), max_gen_toks: int = 64
    ) -> Iterator[tuple[int, str]]:
        import torch

        encs = [
            (self.tokenizer.encode(p, truncation=True, max_length=self.max_length - 1), i)
            for i, p in enumerate(prompts)
        ]
        with torch.inference_mode():
            for b, batch in self._batches(encs):
                ids, mask = self._tensors(b, batch)
                out = self.model.generate(
                    input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=max_gen_toks
                )
                for r, (_, i) in enumerate(batch):
                    yield i, cut_at_stops(self.tokenizer.decode(out[r], skip_special_tokens=True), until)
