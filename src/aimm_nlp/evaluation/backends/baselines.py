"""Simple baselines as models: ``baseline:majority`` and ``baseline:char_ngram``.

A baseline is fit per task on the task's training split (``training_split``; for the
``morocco_mini`` sets, the ``hash_split`` train side), then answers that task's test items
like a model would. It covers label tasks: ``classification`` (e.g. sentiment), ``pipeline``
tasks scored as labels (acc/F1, e.g. language ID, where the baseline stands in for the aimm
pipeline) and ``token_classification`` (POS). Tasks without a training split, and generation,
perplexity and multiple-choice tasks, raise :class:`ModelError` with the reason, which a suite
run reports as a skip.

- ``majority`` (v1): the most frequent training label (ties: alphabetical); for tagging, the
  most frequent tag for every token.
- ``char_ngram`` (v1): scikit-learn ``TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4))``
  + ``LogisticRegression`` (default C=1, lbfgs); for tagging, the same on each token alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from aimm_nlp._io import file_sha256
from aimm_nlp.errors import ModelError, UnknownNameError
from aimm_nlp.evaluation.schema import Task
from aimm_nlp.evaluation.templates import doc_to_choice, doc_to_target, render_field

__all__ = ["BASELINES", "Baseline", "fit_baseline"]

BASELINES = {"majority": 1, "char_ngram": 1}  # name -> behaviour version
_LABEL_METRICS = {"acc", "f1"}


def _char_ngram() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        LogisticRegression(max_iter=2000),
    )


def _majority(labels: Sequence[str]) -> str:
    counts = Counter(labels)
    return min(counts, key=lambda label: (-counts[label], label))


class Baseline:
    """A baseline fit on one task's training docs; answers ``classify`` or ``tag`` requests.

    Examples:
        >>> b = Baseline("majority", texts=["زوين بزاف", "khayb", "mzyan"], labels=["pos", "neg", "pos"])
        >>> next(b.classify(["wach kayn chi jdid?"]))
        (0, 'pos')
    """

    replaces_pipelines = True  # label pipelines (langid) are answered by the baseline itself
    batch_size: int | str = "auto"
    kind: str  # encoder_classifier, or token_classifier when fit on tokens

    def __init__(
        self,
        name: str,
        *,
        texts: Sequence[str] = (),
        labels: Sequence[str] = (),
        tokens: Sequence[Sequence[str]] = (),
        tags: Sequence[Sequence[str]] = (),
        choices: Sequence[str] | None = None,
        fingerprint: str = "",
    ) -> None:
        if name not in BASELINES:
            from aimm_nlp._registry import did_you_mean

            raise UnknownNameError(
                f"unknown baseline {name!r}{did_you_mean(name, BASELINES)}; valid: "
                + ", ".join(f"baseline:{n}" for n in BASELINES),
                name=name,
                choices=sorted(BASELINES),
            )
        self.name = name
        self.kind = "token_classifier" if tokens else "encoder_classifier"
        xs = [t for sent in tokens for t in sent] if tokens else list(texts)
        ys = [t for sent in tags for t in sent] if tokens else list(labels)
        if not ys:
            raise ModelError(f"baseline:{name}: the training split is empty")
        self.labels = list(choices) if choices else sorted(set(ys))
        self._constant = _majority(ys) if name == "majority" or len(set(ys)) == 1 else None
        self._model = None
        if self._constant is None:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(1):  # tiny fits: BLAS threads only contend on a busy machine
                self._model = _char_ngram().fit(xs, ys)
        self.fingerprint = f"baseline:{name}:v{BASELINES[name]}:{fingerprint}"
        self.provenance = {"baseline": name, "version": BASELINES[name], "train_sha256": fingerprint,
                           "n_train": len(ys)}  # fmt: skip

    def _predict(self, xs: Sequence[str]) -> list[str]:
        if self._model is None:
            return [self._constant] * len(xs)
        if not xs:
            return []
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return [str(y) for y in self._model.predict(list(xs))]

    def classify(self, texts: Sequence[str]) -> Iterator[tuple[int, str]]:
        yield from enumerate(self._predict(texts))

    def tag(self, tokens: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[str]]]:
        flat = self._predict([t for sent in tokens for t in sent])
        start = 0
        for i, sent in enumerate(tokens):
            yield i, flat[start : start + len(sent)]
            start += len(sent)


def fit_baseline(name: str, task: Task) -> Baseline:
    """Fit ``baseline:<name>`` on ``task``'s training split.

    Raises:
        UnknownNameError: not a known baseline.
        ModelError: the task has no training split, or is not a label task (the reason says which).
    """
    if name not in BASELINES:
        Baseline(name)  # raises the did-you-mean error
    label_pipeline = task.type == "pipeline" and set(task.metrics) <= _LABEL_METRICS
    if task.type == "perplexity":
        raise ModelError(
            f"baseline:{name} has no language model for {task.name}: a character n-gram LM needs training "
            "text that is not evaluation data (FLORES and the morocco_mini texts are evaluation-only)"
        )
    if task.type not in ("classification", "token_classification") and not label_pipeline:
        raise ModelError(
            f"baseline:{name} predicts labels; task {task.name} is a {task.type} task "
            f"(metrics {', '.join(task.metrics)}), which a label baseline cannot answer"
        )
    split = task.config.get("training_split")
    if not split:
        raise ModelError(f"baseline:{name}: task {task.name} has no training split to fit on")
    path = task.data_file(split)
    if not path.is_file():
        raise ModelError(f"baseline:{name}: training data of {task.name} is missing: {path}")
    docs = task.docs(split)
    fp = file_sha256(path, prefix=task.config_hash.encode())
    cfg = task.config
    if task.type == "token_classification":
        tokens, tags = [], []
        for doc in docs:
            toks, tgs = doc[cfg.get("tokens_column", "tokens")], doc[cfg.get("tags_column", "tags")]
            if isinstance(toks, str):
                toks, tgs = toks.split(), str(tgs).split()
            tokens.append([str(t) for t in toks])
            tags.append([str(t) for t in tgs])
        return Baseline(name, tokens=tokens, tags=tags, fingerprint=fp)
    texts = [str(render_field(task, "doc_to_text", d) or "") for d in docs]
    labels = []
    choices = None
    for doc in docs:
        gold = doc_to_target(task, doc)
        if task.type == "classification":
            choices = doc_to_choice(task, doc)
            gold = choices[gold] if isinstance(gold, int) else gold
        labels.append(str(gold))
    return Baseline(name, texts=texts, labels=labels, choices=choices, fingerprint=fp)
