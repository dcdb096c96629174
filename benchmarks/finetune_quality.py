"""Fine-tuning quality: ``aimm finetune`` vs a plain HF ``Trainer`` from the same initial weights.

Used by ``bench_finetune.py --quality``. Sentiment on AfriSenti Moroccan tweets (its own train / dev /
test split in ../shared/data/afrisenti_ma), a tiny BERT built from config with the shipped
``ary_sentiment.yaml`` (size tiny, fp32, one thread). Per seed:

1. the initial weights are built once (``transformers.set_seed(seed)``) and saved; both arms load them;
2. the aimm arm runs the shipped config unchanged except for that model, the tokenizer, the data paths,
   the seed, fp32 and one thread (early stopping on the dev split as shipped);
3. the Trainer arm runs the same optimizer steps, learning rate, warmup, linear schedule, AdamW betas /
   eps / weight decay and gradient clipping, with a fixed batch of (training samples / aimm's steps per
   epoch) samples, so both see the same number of epochs;
4. both final models are scored by the same code here (padded batches with an attention mask, argmax,
   labels matched by name through the saved ``id2label``): macro-F1 on the dev and on the test split.

Options are chosen on dev; the test split is only reported.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

LABELS = ["negative", "neutral", "positive"]
CONFIG = Path(__file__).resolve().parents[1] / "src/aimm_nlp/configs/finetune/ary_sentiment.yaml"


def read_split(folder: Path, split: str) -> list[tuple[str, str]]:
    rows = []
    for line in (folder / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((parts[1], parts[2]))
    return rows


def aimm_config(spec: dict, out: str):
    from aimm_nlp.finetune import FinetuneConfig

    data = Path(spec["data"])
    overrides = [
        f"model.path={spec['init']}",
        "model.architecture=null",
        f"model.tokenizer={spec['tok']}",
        f"data.train={data / 'train.tsv'}",
        f"data.eval={data / 'dev.tsv'}",
        f"run.output_dir={out}",
        "run.overwrite=true",
        f"run.seed={spec['seed']}",
        "run.precision=fp32",
        "run.threads=1",
        "run.save_every=0",
        *spec.get("overrides", []),
    ]
    return FinetuneConfig.from_yaml(CONFIG, overrides=overrides)


def schedule(tok_dir: Path, data: Path, overrides: list[str]) -> tuple[int, int]:
    """(Trainer batch size, optimizer steps): aimm's steps for the shipped config (its batch plan, one
    process; the token-budget plan counted here has as many batches as the default bucketed one), and
    training samples / aimm's steps per epoch, so both arms see the same epochs."""
    import math

    from aimm_nlp.finetune import FinetuneConfig
    from aimm_nlp.finetune.batching import plan_epoch
    from aimm_nlp.finetune.models import load_tokenizer

    cfg = FinetuneConfig.from_yaml(CONFIG, overrides=[f"model.tokenizer={tok_dir}", *overrides])
    tok = load_tokenizer(str(tok_dir))
    texts = [t for t, _ in read_split(data, "train")]
    lengths = [min(len(x), cfg.data.max_length) for x in tok(texts)["input_ids"]]
    d, o = cfg.data, cfg.optim
    plan = plan_epoch(
        lengths, max_tokens=d.max_tokens, max_length=d.max_length, packing=False, seed=0, epoch=0
    )
    per_epoch = len(plan) // o.grad_accum
    steps = o.max_steps or max(1, math.ceil(o.epochs * per_epoch))
    return max(1, round(len(texts) / per_epoch)), steps


def build_init(tok_dir: Path, data: Path, seed: int, folder: Path) -> Path:
    """The shipped config's model at size tiny, random weights from ``seed``, saved once for both arms."""
    from transformers import set_seed

    from aimm_nlp.finetune import FinetuneConfig
    from aimm_nlp.finetune.models import build_model, load_tokenizer

    cfg = FinetuneConfig.from_yaml(
        CONFIG,
        overrides=["model.size=tiny", f"model.tokenizer={tok_dir}", f"data.train={data / 'train.tsv'}"],
    )
    tok = load_tokenizer(str(tok_dir))
    set_seed(seed)
    model = build_model(cfg, tok, label_names=list(cfg.data.labels))
    model.save_pretrained(str(folder))
    return folder


def _diagnostic_plan(spec: dict) -> None:
    """Controlled experiments (``--quality-plan``): replace aimm's batch plan in this process only.

    ``fixed``: random batches of the Trainer arm's fixed size, each step's loss a mean (the Trainer's
    batch composition inside aimm's loop)."""
    import random

    from aimm_nlp.finetune import loop

    bs = spec["bs"]

    def fixed(lengths, *, seed, epoch, **_):
        order = list(range(len(lengths)))
        random.Random(seed * 1_000_003 + epoch).shuffle(order)
        return [[[i] for i in order[k : k + bs]] for k in range(0, len(order) - bs + 1, bs)]

    loop.plan_epoch = fixed
    loop.step_normaliser = lambda *a, **k: float(bs)


def run_aimm(spec: dict) -> dict:
    from aimm_nlp.finetune import finetune

    if spec.get("plan"):
        _diagnostic_plan(spec)

    out = tempfile.mkdtemp(prefix="bench_q_aimm_")
    res = finetune(aimm_config(spec, out))
    hist = [json.loads(x) for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    last = [h for h in hist if "epoch" in h][-1]
    return dict(
        model=str(res.model_dir),
        steps=last["step"],
        steps_per_epoch=round(last["step"] / last["epoch"]),
        samples=sum(h.get("targets", 0) for h in hist),
        final_loss=res.final_loss,
    )


def run_trainer(spec: dict) -> dict:
    """A plain Trainer: fixed batch size, pad-to-longest collator, the aimm arm's schedule."""
    from transformers import (
        AutoModelForSequenceClassification,
        DataCollatorWithPadding,
        PreTrainedTokenizerFast,
        Trainer,
        TrainingArguments,
    )

    cfg = aimm_config(spec, tempfile.mkdtemp(prefix="bench_q_cfg_"))
    o = cfg.optim
    tok = PreTrainedTokenizerFast.from_pretrained(spec["tok"])
    rows = read_split(Path(spec["data"]), "train")
    enc = tok([t for t, _ in rows], truncation=True, max_length=cfg.data.max_length)["input_ids"]
    ds = [{"input_ids": e, "labels": LABELS.index(lab)} for e, (_, lab) in zip(enc, rows, strict=True)]
    model = AutoModelForSequenceClassification.from_pretrained(spec["init"])
    out = tempfile.mkdtemp(prefix="bench_q_tr_")
    args = TrainingArguments(
        output_dir=out,
        per_device_train_batch_size=spec["bs"],
        max_steps=spec["steps"],
        learning_rate=o.lr,
        weight_decay=o.weight_decay,
        adam_beta1=o.betas[0],
        adam_beta2=o.betas[1],
        adam_epsilon=o.eps,
        max_grad_norm=o.max_grad_norm,
        lr_scheduler_type=o.scheduler,
        warmup_steps=o.warmup_steps,
        seed=spec["seed"],
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        logging_steps=10_000,
        use_cpu=True,
        train_sampling_strategy=spec.get("sampling", "random"),
    )
    tr = Trainer(model=model, args=args, train_dataset=ds, data_collator=DataCollatorWithPadding(tok))
    result = tr.train()
    tr.save_model(out + "/model")
    return dict(model=out + "/model", steps=result.global_step, final_loss=round(result.training_loss, 6))


def score(model_dir: str, tok_dir: str, rows: list[tuple[str, str]], max_length: int) -> float:
    """Macro-F1 of ``model_dir`` on ``rows``, the same code for both arms."""
    import torch
    from transformers import AutoModelForSequenceClassification, PreTrainedTokenizerFast

    from aimm_nlp.finetune.forward import macro_f1

    tok = PreTrainedTokenizerFast.from_pretrained(tok_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    names = [model.config.id2label[i] for i in range(model.config.num_labels)]
    golds, preds = [], []
    with torch.no_grad():
        for k in range(0, len(rows), 64):
            chunk = rows[k : k + 64]
            batch = tok([t for t, _ in chunk], truncation=True, max_length=max_length, padding=True,
                        return_tensors="pt")  # fmt: skip
            batch.pop("token_type_ids", None)
            preds += [LABELS.index(names[i]) for i in model(**batch).logits.argmax(-1).tolist()]
            golds += [LABELS.index(lab) for _, lab in chunk]
    return round(macro_f1(golds, preds, len(LABELS)), 4)


def arm(spec: dict) -> dict:
    import torch

    torch.set_num_threads(1)
    t = time.perf_counter()
    res = run_aimm(spec) if spec["arm"] == "aimm" else run_trainer(spec)
    res["wall_s"] = round(time.perf_counter() - t, 1)
    data = Path(spec["data"])
    for split in ("dev", "test"):
        res[f"{split}_macro_f1"] = score(res["model"], spec["tok"], read_split(data, split), 128)
    return res


def summarize(per_seed: dict[str, dict]) -> dict:
    """Mean test (and dev) macro-F1 per arm over the seeds and the gap aimm - Trainer."""
    out: dict = {}
    done = [
        r
        for r in per_seed.values()
        if all(f"{x}_macro_f1" in r.get(a, {}) for a in ("aimm", "trainer") for x in ("dev", "test"))
    ]
    out["seeds_with_both_arms"] = len(done)
    for split in ("dev", "test"):
        a = [r["aimm"][f"{split}_macro_f1"] for r in done]
        t = [r["trainer"][f"{split}_macro_f1"] for r in done]
        if a:
            out[f"aimm_{split}_macro_f1_mean"] = round(statistics.mean(a), 4)
            out[f"trainer_{split}_macro_f1_mean"] = round(statistics.mean(t), 4)
            out[f"{split}_gap"] = round(statistics.mean(a) - statistics.mean(t), 4)
    if "test_gap" in out:  # the goal: aimm does not learn worse than the Trainer (two-sided kept too)
        out["within_0.005"] = abs(out["test_gap"]) <= 0.005
        out["not_below_by_more_than_0.005"] = out["test_gap"] >= -0.005
    return out
