"""``Backend``: what the harness asks of a model, as typed protocols (PEP 544).

Every backend has a ``kind`` (``causal_lm``, ``seq2seq``, ``encoder_classifier``,
``token_classifier`` or ``dummy``); the task types a kind can answer are listed in
:data:`aimm_nlp.evaluation.requests.ACCEPTS`. Each request kind is one method, in its own
protocol, so a backend implements only what its kind answers:

- ``choices``: :class:`ChoiceScorer` (``CausalLM``, ``DummyModel``);
- ``rolling``: :class:`RollingScorer` (``CausalLM``, ``DummyModel``);
- ``generate``: :class:`Generator` (``CausalLM``, ``Seq2SeqLM``, ``DummyModel``);
- ``classify``: :class:`Classifier` (``EncoderClassifier``, ``Baseline``, ``DummyModel``);
- ``tag``: :class:`Tagger` (``TokenClassifier``, ``Baseline``, ``DummyModel``).

Methods yield ``(request index, answer)`` pairs, in any order. Attributes the harness reads
when a backend has them (all shipped backends do): ``batch_size`` (set to ``evaluate``'s),
``fingerprint`` (the cache key of the model: every file of its folder by content, ``"no-model"``
if absent), ``provenance`` (written to the results JSON), ``model`` (a torch model: its dtype and
device class are part of the cache key), ``max_length`` / ``softmax_dtype`` (settings that move a
score, part of the cache key) and ``replaces_pipelines`` (a label baseline answering
``pipeline`` tasks itself).

Examples:
    >>> from aimm_nlp.testing import DummyModel
    >>> isinstance(DummyModel(), Backend), isinstance("a/model/folder", Backend)
    (True, False)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["Backend", "ChoiceScorer", "Classifier", "Generator", "RollingScorer", "Tagger"]


@runtime_checkable  # evaluate() tells a backend from a folder path or an in-memory transformers model
class Backend(Protocol):
    """A model the harness can run: it names its ``kind``."""

    kind: str


class ChoiceScorer(Backend, Protocol):
    """Answers ``choices`` requests: ``(context, continuations)`` -> ``[(log-likelihood, is_greedy), ...]``."""

    def score_choices(
        self, items: Sequence[tuple[str, Sequence[str]]]
    ) -> Iterator[tuple[int, list[Any]]]: ...


class RollingScorer(Backend, Protocol):
    """Answers ``rolling`` requests: a text -> its total log-likelihood (perplexity tasks)."""

    def score_rolling(self, texts: Sequence[str]) -> Iterator[tuple[int, float]]: ...


class Generator(Backend, Protocol):
    """Answers ``generate`` requests: a prompt -> greedy text cut at the first ``until`` string."""

    def generate(
        self, prompts: Sequence[str], *, until: Sequence[str] = ..., max_gen_toks: int = ...
    ) -> Iterator[tuple[int, str]]: ...


class Classifier(Backend, Protocol):
    """Answers ``classify`` requests: a text -> one of ``labels``."""

    @property
    def labels(self) -> list[str]: ...

    def classify(self, texts: Sequence[str]) -> Iterator[tuple[int, str]]: ...


class Tagger(Backend, Protocol):
    """Answers ``tag`` requests: a list of words -> one tag per word."""

    def tag(self, tokens: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[str]]]: ...
