"""``PipelineLM``: lm-eval's model for the pipeline tasks ``aimm tasks export --lm-eval`` writes.

A pipeline task (language ID, script ID, transliteration) scores an aimm text function, not a model;
the export turns it into a ``generate_until`` task whose docs name the function
(``_aimm_pipeline``: ``{"name": ..., "kwargs": {...}}`` as JSON), and this lm-eval ``LM`` answers
each request by calling it on the context, as ``aimm eval`` does::

    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager
    from aimm_nlp.evaluation.lmeval_pipeline import PipelineLM

    simple_evaluate(model=PipelineLM(), tasks=["mini_langid"], task_manager=TaskManager(include_path=OUT))

lm-eval comes with the ``bench`` extra: the class is built on first use (a
:class:`~aimm_nlp.errors.MissingDependencyError` naming the pip command without it), so importing this
module needs no lm-eval.
"""

from __future__ import annotations

import functools
import json
from typing import Any

__all__ = ["PipelineLM"]  # noqa: F822 (built on first use by __getattr__)


@functools.cache
def _pipeline_lm() -> type:
    from aimm_nlp._deps import require

    require("lm_eval", extra="bench", package="lm-eval")
    from lm_eval.api.model import LM

    from aimm_nlp.evaluation.pipelines import run_pipeline

    class PipelineLM(LM):
        """An lm-eval model that answers exported aimm pipeline tasks with aimm's text functions."""

        def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
            out = []
            for req in requests:
                spec = json.loads(req.doc["_aimm_pipeline"])
                out.append(run_pipeline(spec["name"], req.arguments[0], **spec["kwargs"]))
            return out

        def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
            raise NotImplementedError("PipelineLM answers exported aimm pipeline tasks (generate_until) only")

        def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
            raise NotImplementedError("PipelineLM answers exported aimm pipeline tasks (generate_until) only")

    PipelineLM.__module__ = __name__
    return PipelineLM


def __getattr__(name: str) -> Any:
    if name == "PipelineLM":
        return _pipeline_lm()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
