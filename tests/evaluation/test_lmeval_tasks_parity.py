"""Per-item results of lm-eval's own darijahellaswag / darijammlu / darija sentiment tasks: aimm equals lm-eval.

Both harnesses read the same task YAML (lm-eval's, unchanged for aimm; lm-eval's side only has its
Hub ``dataset_path`` swapped for the same local parquet files) and score a tiny random causal LM:
every per-doc log-likelihood, ``acc`` and ``acc_norm`` must agree. lm-eval comes with the ``bench``
extra: the test skips locally without it and fails under ``CI=true``.
"""

from __future__ import annotations

import pytest
from lmeval_fixtures import hub_root, lm_eval_tasks

from ci_support import require

CASES = [
    ("darijahellaswag/darijahellaswag.yaml", "MBZUAI-Paris/DarijaHellaSwag/data", "validation"),
    ("darijammlu/darijammlu_accounting.yaml", "MBZUAI-Paris/DarijaMMLU/accounting", "test"),
    ("darija_bench/darija_sentiment/darija_sentiment_mac.yaml", "MBZUAI-Paris/DarijaBench/data", "mac"),
]


def _lm_eval_items(path, data, model, tok, shots):
    """lm-eval's per-doc (log-likelihoods, metrics) on the local parquet file(s)."""
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks._yaml_loader import load_yaml

    cfg = load_yaml(path)
    split = cfg.get("test_split") or cfg["validation_split"]
    files = {split: str(data)}
    if shots:
        files[cfg["fewshot_split"]] = str(data.with_name(data.name.replace(split, cfg["fewshot_split"])))
    else:
        cfg.pop("fewshot_split", None)
    cfg.update(
        dataset_path="parquet", dataset_name=None, dataset_kwargs={"data_files": files}, num_fewshot=shots
    )
    cfg.pop("training_split", None)
    task = ConfigurableTask(config=cfg)
    task.build_all_requests(rank=0, world_size=1)
    lm = HFLM(
        pretrained=model, tokenizer=tok, batch_size=4, max_length=64, device="cpu", softmax_dtype="float64"
    )
    outputs = lm.loglikelihood([inst for inst in task.instances], disable_tqdm=True)
    per_doc: dict[int, list] = {}
    for inst, out in zip(task.instances, outputs, strict=True):
        per_doc.setdefault(inst.doc_id, []).append((inst.idx, out, inst.arguments[0]))
    docs = list(task.eval_docs)
    items = []
    for doc_id in sorted(per_doc):
        results = [out for _, out, _ in sorted(per_doc[doc_id])]
        context = per_doc[doc_id][0][2]
        items.append(([ll for ll, _ in results], task.process_results(docs[doc_id], results), context))
    return items


@pytest.mark.parametrize(
    ("task", "folder", "split", "shots"),
    [(*c, 0) for c in CASES] + [(*CASES[1], 2)],
    ids=["hellaswag", "mmlu", "sentiment", "mmlu-2shot-first_n"],
)
def test_per_item_results_equal_lm_eval(tok, tmp_path, task, folder, split, shots):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from aimm_nlp.evaluation import evaluate, wrap_model
    from aimm_nlp.testing import tiny_causal_lm

    root = hub_root(tmp_path)
    path = lm_eval_tasks() / task
    (data,) = (root / folder).glob(f"{split}-*.parquet")
    model = tiny_causal_lm(tok, seed=5)
    ours = evaluate(
        wrap_model(model, tok, max_length=64, softmax_dtype="float64"), [str(path)], dataset_dirs=root,
        trust_task_code=True, bootstrap_iters=0, batch_size=3, num_fewshot=shots,
    )  # fmt: skip
    (name,) = ours.samples
    theirs = _lm_eval_items(path, data, model, tok, shots)
    assert len(theirs) == len(ours.samples[name]) >= 3
    for mine, (lls, metrics, context) in zip(ours.samples[name], theirs, strict=True):
        assert mine["request"][0] == context
        assert mine["lls"] == pytest.approx(lls, abs=1e-6)
        for metric, value in mine["metrics"].items():
            assert value == pytest.approx(metrics[metric]), metric
