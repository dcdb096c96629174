"""Causal LM backend: lm-eval-exact log-likelihoods, computed once per shared context.

Tokenization, truncation and rolling windows copy lm-eval's ``HFLM`` so per-item scores
match it. Speed comes from four things lm-eval does not do: a multiple-choice context is
run **once** and its KV cache is expanded over all continuations (of all the documents in
a batch); the vocabulary projection and log-softmax run only on the positions that are
scored, in chunks of positions small enough for their logits to stay in the CPU cache
(lm-eval writes a ``batch x length x vocab`` tensor to memory, gigabytes with a 128k
vocabulary); the greedy check uses ``amax`` (5x cheaper than ``argmax``) and rolling
log-likelihoods skip it; rows are sorted by length and packed by a token budget.

Determinism: every row is padded to a bucket that depends on its own length only, rows
that share a forward pass have the same bucket, and a head call on fewer than 16 rows is padded to
16, so a row's arithmetic is the same at any batch size (CPU fp32 results are bit-identical at
batch sizes 1, 4, 16 and auto).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

from aimm_nlp.errors import DataError
from aimm_nlp.evaluation.backends._shapes import _first_max, _is_argmax, bucket, cut_at_stops, rolling_windows

_CHUNK_FLOATS = 8_000_000  # logits per head chunk (32 MB in float32: about one CPU L3 slice)
_MIN_ROWS = 16

__all__ = ["CausalLM", "WindowError", "bucket", "cut_at_stops", "rolling_windows"]


class WindowError(DataError):
    """A request does not fit the model window under the task's ``truncation`` policy (``doc``: its index)."""

    doc: int | None = None


class CausalLM:
    """A causal LM + tokenizer, scored like lm-eval's HFLM (``AutoModelForCausalLM``).

    Args:
        model: a ``transformers`` causal LM (any ``*ForCausalLM`` with ``get_output_embeddings``).
        tokenizer: its tokenizer.
        max_length: context window (default: the model's ``max_position_embeddings``, else 2048).
        token_budget: tokens per forward pass when ``batch_size="auto"``.
        softmax_dtype: dtype of the log-softmax and of the sums (lm-eval's ``softmax_dtype``;
            ``"float64"`` removes float32 rounding of long continuations).
    """

    kind = "causal_lm"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int | None = None,
        token_budget: int = 4096,
        softmax_dtype: str = "float32",
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length or getattr(model.config, "max_position_embeddings", None) or 2048
        self.token_budget = token_budget
        self.softmax_dtype = softmax_dtype
        self.batch_size: int | str = "auto"
        self.truncation = "left"  # the task's policy for requests over the window (schema.TRUNCATION)
        self.base = model.get_decoder() if hasattr(model, "get_decoder") else model.base_model
        self.head = model.get_output_embeddings()
        self.softcap = getattr(model.config, "final_logit_softcapping", None)
        vocab = self.head.weight.shape[0]
        self.chunk = max(16, min(512, _CHUNK_FLOATS // vocab // 16 * 16))  # rows per head call
        params = inspect.signature(self.base.forward).parameters
        self._cache_kw = "cache" if "cache" in params else "past_key_values"
        self.prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        pad = tokenizer.pad_token_id
        self.pad = pad if pad is not None else (self.prefix or 0)

    @property
    def device(self) -> Any:
        return next(self.model.parameters()).device

    # -- tokenization (lm-eval HFLM.tok_encode / _encode_pair) -------------------------
    def encode(self, text: str, add_special_tokens: bool | None = None) -> list[int]:
        kwargs: dict[str, Any] = {}
        if add_special_tokens is not None:
            kwargs["add_special_tokens"] = add_special_tokens
        elif self.prefix is not None and text.startswith(self.tokenizer.decode(self.prefix)):
            kwargs["add_special_tokens"] = False
        return list(self.tokenizer.encode(text, **kwargs))

    def _units(
        self, context: str, conts: Sequence[str]
    ) -> list[tuple[list[int], list[list[int]], list[int]]]:
        """(context tokens, continuation tokens, choice indices) units sharing one context."""
        if context == "":
            units = []
            for j, cont in enumerate(conts):
                enc = self.encode(cont, add_special_tokens=False)
                if not enc:
                    raise DataError(f"continuation {cont!r} has no tokens; check doc_to_choice")
                ctx, enc = ([self.prefix], enc) if self.prefix != enc[0] else (enc[:1], enc[1:])
                self._check_fits(enc, cut=False)
                units.append((ctx, [enc], [j]))
            return units
        n_sp = len(context) - len(context.rstrip())
        if n_sp:
            conts = [context[-n_sp:] + c for c in conts]
            context = context[:-n_sp]
        ctx = self.encode(context)
        encs = [self.encode(context + c)[len(ctx) :] for c in conts]
        for c, e in zip(conts, encs, strict=True):
            if not e:
                raise DataError(
                    f"continuation {c!r} has no tokens after context {context[-40:]!r}; check doc_to_choice"
                )
        fits = [j for j, e in enumerate(encs) if len(ctx) + len(e) <= self.max_length + 1]
        units = [(ctx, [encs[j] for j in fits], fits)] if fits else []
        self._n_fit = len(fits)
        for j in sorted(set(range(len(conts))) - set(fits)):  # too long: cut the context from the left
            self._check_fits(encs[j], cut=True)
            units.append(((ctx + encs[j])[-(self.max_length + 1) : -len(encs[j])], [encs[j]], [j]))
        return units

    def _check_fits(self, enc: list[int], *, cut: bool) -> None:
        """lm-eval's rule: a continuation over the window is refused, a context cut from the left (``"left"``)."""
        if len(enc) > self.max_length:
            raise WindowError(f"continuation of {len(enc)} tokens is longer than the model window "
                              f"({self.max_length} tokens): it cannot be scored under any truncation policy; "
                              "shorten it or use a model with a longer max_length")  # fmt: skip
        if cut and self.truncation == "error":
            raise WindowError(
                f"context + continuation is longer than the model window ({self.max_length} tokens) and the "
                "task says truncation: error; set truncation: left to cut the context from the left"
            )

    def truncated(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[int]:
        """Indices of the items whose context :meth:`score_choices` cuts (``WindowError``: one it refuses)."""
        out = []
        for i, (context, conts) in enumerate(items):
            try:
                n = len(self._units(context, conts))
            except WindowError as exc:
                exc.doc = i
                raise
            if context and n > (1 if self._n_fit else 0):
                out.append(i)
        return out

    # -- forward helpers -----------------------------------------------------------------
    def _rows(self, length: int) -> int:
        rows = max(1, self.token_budget // length)
        return rows if self.batch_size == "auto" else max(1, min(int(self.batch_size), rows))

    def _logprobs(self, hidden: Any) -> Any:
        """Log-softmax of the head over at most ``self.chunk`` positions.

        The ``chunk x vocab`` logits stay in the CPU cache while the log-softmax, gather and
        greedy check read them: lm-eval writes the whole ``batch x length x vocab`` tensor to
        memory first, which is most of its time with a large vocabulary. Fewer than 16 rows are
        padded with zero rows: BLAS takes another code path for a few rows, and the padding keeps a
        position's arithmetic the same whatever it is batched with (bit-identical at any batch size).
        """
        import torch

        n = hidden.shape[0]
        if n < _MIN_ROWS:
            hidden = torch.cat([hidden, hidden.new_zeros(_MIN_ROWS - n, hidden.shape[-1])])
        logits = self.head(hidden)[:n].to(getattr(torch, self.softmax_dtype))
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        return torch.log_softmax(logits, dim=-1)

    def _score(self, hidden: Any, targets: list[list[int]], *, greedy: bool = True) -> list[tuple[Any, bool]]:
        """Per-row target log-probs (fresh float32 tensors) and greedy flags, rows concatenated.

        ``greedy=False`` (rolling log-likelihoods, which have no ``is_greedy``) skips the flags.
        """
        import torch

        tgt = torch.tensor([t for row in targets for t in row], device=hidden.device)
        parts, hits = [], []
        for at in range(0, len(tgt), self.chunk):
            lp = self._logprobs(hidden[at : at + self.chunk])
            part = tgt[at : at + self.chunk]
            got = lp.gather(-1, part[:, None]).squeeze(-1)
            parts.append(got)
            if greedy:
                hits.append(_is_argmax(lp, part, got))
        picked = torch.cat(parts)
        hit = torch.cat(hits) if greedy else torch.zeros(len(tgt), dtype=torch.bool)
        out, at = [], 0
        for row in targets:
            n = len(row)
            # clone: a fresh, aligned tensor sums in the same order as lm-eval's, at any batch size
            out.append((picked[at : at + n].clone(), bool(hit[at : at + n].all())))
            at += n
        return out

    def _forward(self, ids: Any, **kwargs: Any) -> Any:
        return self.base(input_ids=ids, **kwargs)

    # -- multiple choice -------------------------------------------------------------------
    def score_choices(self, items: Sequence[tuple[str, Sequence[str]]]) -> Iterator[tuple[int, list]]:
        """Yield ``(item index, [(loglikelihood, is_greedy) per continuation])`` as items finish."""
        import torch

        units = []
        for i, (context, conts) in enumerate(items):
            for ctx, encs, js in self._units(context, conts):
                units.append((i, ctx, encs, js))
        need = {i: len(conts) for i, (_, conts) in enumerate(items)}
        got: dict[int, dict[int, tuple[float, bool]]] = {i: {} for i in need}
        units.sort(key=lambda u: (bucket(len(u[1])), -len(u[1])))
        with torch.inference_mode():
            start = 0
            while start < len(units):
                b = bucket(len(units[start][1]))
                stop = start
                while stop < len(units) and bucket(len(units[stop][1])) == b and stop - start < self._rows(b):
                    stop += 1
                batch = units[start:stop]
                for (i, _, _, js), scores in zip(batch, self._score_units(batch, b), strict=True):
                    got[i].update(zip(js, scores, strict=True))
                    if len(got[i]) == need[i]:
                        yield i, [got[i][j] for j in range(need[i])]
                start = stop

    def _score_units(self, batch: list, b: int) -> list[list[tuple[float, bool]]]:
        import torch

        dev = self.device
        ids = torch.full((len(batch), b), self.pad, dtype=torch.long, device=dev)
        for r, (_, ctx, _, _) in enumerate(batch):
            ids[r, : len(ctx)] = torch.tensor(ctx)
        out = self._forward(ids, use_cache=True)
        hidden = out.last_hidden_state
        last = hidden[
            torch.arange(len(batch), device=dev), torch.tensor([len(u[1]) - 1 for u in batch], device=dev)
        ]
        cache = out[self._cache_kw] if self._cache_kw in out else out["past_key_values"]
        kv = [(layer.keys, layer.values) for layer in cache.layers]
        results: list[list[tuple[float, bool]]] = []
        rest: list[tuple[int, int, int, list[int]]] = []  # (unit row, slot, ctx len, tokens)
        for at in range(0, len(batch), self.chunk):
            lp = self._logprobs(last[at : at + self.chunk])
            top = lp.amax(-1)
            for r, (_, ctx, encs, _) in enumerate(batch[at : at + self.chunk], start=at):
                row, best = lp[r - at], top[r - at]
                results.append([(row[e[0] : e[0] + 1].clone(), _first_max(row, e[0], best)) for e in encs])
                rest += [(r, s, len(ctx), e) for s, e in enumerate(encs) if len(e) > 1]
        rest.sort(key=lambda x: bucket(len(x[3]) - 1))
        at = 0
        while at < len(rest):
            c = bucket(len(rest[at][3]) - 1)
            end = at
            while end < len(rest) and bucket(len(rest[end][3]) - 1) == c and end - at < self._rows(b + c):
                end += 1
            self._score_rest(rest[at:end], kv, b, c, results)
            at = end
        return [[(float(toks.sum()), greedy) for toks, greedy in row] for row in results]

    def _score_rest(self, rows: list, kv: list, b: int, c: int, results: list) -> None:
        import torch
        from transformers import DynamicCache

        dev = self.device
        sel = torch.tensor([r for r, _, _, _ in rows], device=dev)
        cache = DynamicCache()
        for layer, (k, v) in enumerate(kv):
            cache.update(k.index_select(0, sel), v.index_select(0, sel), layer)
        ids = torch.full((len(rows), c), self.pad, dtype=torch.long, device=dev)
        mask = torch.zeros((len(rows), b + c), dtype=torch.long, device=dev)
        pos = torch.zeros((len(rows), c), dtype=torch.long, device=dev)
        for i, (_, _, n_ctx, toks) in enumerate(rows):
            ids[i, : len(toks) - 1] = torch.tensor(toks[:-1])
            mask[i, :n_ctx] = 1
            mask[i, b : b + len(toks) - 1] = 1
            pos[i] = torch.arange(n_ctx, n_ctx + c)
        hidden = self._forward(
            ids, attention_mask=mask, position_ids=pos, use_cache=True, **{self._cache_kw: cache}
        )
        hidden = hidden.last_hidden_state
        gathered = torch.cat([hidden[i, : len(t) - 1] for i, (_, _, _, t) in enumerate(rows)])
        for (r, s, _, _), (ll, greedy) in zip(
            rows, self._score(gathered, [t[1:] for *_, t in rows]), strict=True
        ):
            ll0, g0 = results[r][s]
            results[r][s] = (torch.cat([ll0, ll]), g0 and greedy)

    # -- rolling log-likelihood (perplexity) ------------------------------------------------
    def score_rolling(self, texts: Sequence[str]) -> Iterator[tuple[int, float]]:
        """Yield ``(text index, total loglikelihood)`` with lm-eval's disjoint rolling windows."""
        import torch

        rows = []
        for i, text in enumerate(texts):
            for ctx, pred in rolling_windows(self.encode(text), self.prefix, self.max_length):
                rows.append((i, (ctx + pred)[:-1], pred))
        left = {i: sum(1 for r in rows if r[0] == i) for i in range(len(texts))}
        total = dict.fromkeys(range(len(texts)), 0.0)
        for i in [i for i, n in left.items() if n == 0]:
            yield i, 0.0
        rows.sort(key=lambda r: bucket(len(r[1])))
        with torch.inference_mode():
            at = 0
            while at < len(rows):
                b = bucket(len(rows[at][1]))
                end = at
                while end < len(rows) and bucket(len(rows[end][1])) == b and end - at < self._rows(b):
                    end += 1
                batch = rows[at:end]
                ids = torch.full((len(batch), b), self.pad, dtype=torch.long, device=self.device)
                for r, (_, inp, _) in enumerate(batch):
                    ids[r, : len(inp)] = torch.tensor(inp)
                hidden = self._forward(ids, use_cache=False).last_hidden_state
                gathered = torch.cat(
                    [hidden[r, len(inp) - len(p) : len(inp)] for r, (_, inp, p) in enumerate(batch)]
                )
                for (i, _, _), (ll, _) in zip(
                    batch, self._score(gathered, [p for *_, p in batch], greedy=False), strict=True
                ):
                    total[i] += float(ll.sum())
                    left[i] -= 1
                    if left[i] == 0:
                        yield i, total[i]
                at = end

    # -- greedy generation --------------------------------------------------------------------
    def generate(
        self, prompts: Sequence[str], *, until: Sequence[str] = (), max_gen_toks: int = 64
    ) -> Iterator[tuple[int, str]]:
        """Yield ``(prompt index, greedy continuation cut at the first stop string)``.

        A prompt keeps its last ``max_length - max_gen_toks`` tokens (lm-eval's rule), left-padded to
        a bucket with one pad token or more: the mask path is the same for every row, at any batch size.
        """
        import torch

        if (keep := self.max_length - max_gen_toks) < 1:
            raise WindowError(f"max_gen_toks {max_gen_toks} leaves no room for a prompt in the model window "
                              f"({self.max_length} tokens); lower generation_kwargs.max_gen_toks")  # fmt: skip
        encs = sorted(
            ((self.encode(p)[-keep:], i) for i, p in enumerate(prompts)),
            key=lambda e: bucket(len(e[0]), pad_at_least=1),
        )
        stops = [u for u in until if u]
        with torch.inference_mode():
            at = 0
            while at < len(encs):
                b = bucket(len(encs[at][0]), pad_at_least=1)
                end = at
                while (
                    end < len(encs)
                    and bucket(len(encs[end][0]), pad_at_least=1) == b
                    and end - at < self._rows(b + max_gen_toks)
                ):
                    end += 1
                batch = encs[at:end]
                ids = torch.full((len(batch), b), self.pad, dtype=torch.long, device=self.device)
                mask = torch.zeros_like(ids)
                for r, (enc, _) in enumerate(batch):
                    ids[r, b - len(enc) :] = torch.tensor(enc)
                    mask[r, b - len(enc) :] = 1
                out = self.model.generate(
                    input_ids=ids,
                    attention_mask=mask,
                    do_sample=False,
                    max_new_tokens=max_gen_toks,
                    pad_token_id=self.pad,
                    eos_token_id=self.tokenizer.eos_token_id,
                    # a row stops at its first stop string (the text is cut there anyway), so a
                    # model that ends its line does not run on to max_gen_toks
                    **({"stop_strings": stops, "tokenizer": self.tokenizer} if stops else {}),
                )
                for r, (_, i) in enumerate(batch):
                    text = self.tokenizer.decode(out[r, b:], skip_special_tokens=True)
                    yield i, cut_at_stops(text, until)
                at = end
