"""Fine-tuning speed: plain HF Trainer (defaults, pad to longest) vs ``aimm finetune``, same run.

Same model shape, same data, same global batch in real tokens per optimizer step. Prints real
(non-pad) tokens/s, padding share, peak memory and the ratio, and writes a JSON with versions,
config and seed.

CPU (default): short texts of the Moroccan data in ../shared (AfriSenti tweets + NLLB-Seed Darija /
Tamazight sentences), a small Llama-shape causal LM and a small BERT classifier, each arm in its own
subprocess (clean peak-RSS figures)::

    python benchmarks/bench_finetune.py                    # -> benchmarks/results/finetune_cpu.json

Each workload runs three arms: Trainer defaults, a tuned Trainer (length grouping, bf16 autocast where
the CPU has it; same samples per step) and aimm; ratios are given against both Trainers.

Quality (``--quality``, benchmarks/finetune_quality.py): held-out AfriSenti macro-F1 of aimm vs a plain
Trainer from the same saved initial weights and schedule, 3 seeds, into the ``quality`` section of the
same JSON (a speed run keeps it)::

    python benchmarks/bench_finetune.py --quality          # seeds 0,1,2 one after the other
    python benchmarks/bench_finetune.py --quality --seeds 1 --out s1.json   # ... or one per process,
    python benchmarks/bench_finetune.py --quality-merge s0.json,s1.json,s2.json   # then merged

GPU (``--device-script``): the anchors' workload (134M Llama-shape causal LM on synthetic short
texts with lognormal lengths, mean ~50 tokens; BERT-base classification), MFU against 790 TFLOP/s,
everything built from config and generated at run time (no shared data, no network)::

    PYTHONPATH=src python benchmarks/bench_finetune.py --device-script --out $OUT/finetune_gpu.json
    python benchmarks/bench_finetune.py --device-script --tiny   # CPU dry run of the same script
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEAK = 790e12


def shared_dir() -> Path | None:
    p = Path(os.environ.get("AIMM_SHARED", REPO.parent / "shared"))
    return p if p.is_dir() else None


# ------------------------------------------------------------------ data + tokenizer


def synthetic_texts(n: int, vocab: int, seed: int = 0) -> list[str]:
    """Random 'wNNN' word texts, lognormal lengths (median ~40 words), like the GPU anchors."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = int(min(512, max(4, math.exp(rng.gauss(math.log(40), 0.7)))))
        out.append(" ".join(f"w{rng.randrange(vocab)}" for _ in range(k)))
    return out


def real_texts(limit: int) -> tuple[list[str], list[tuple[str, str]]]:
    """(causal-LM mix, labelled tweets) from ../shared: AfriSenti ma + NLLB-Seed ary_Arab/zgh_Tfng."""
    sh = shared_dir()
    if sh is None:
        raise SystemExit("../shared is missing (set AIMM_SHARED): the CPU benchmark reads real Moroccan data")
    tweets = []
    for line in (sh / "data/afrisenti_ma/train.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 3:
            tweets.append((parts[1], parts[2]))
    seed_rows = (sh / "data/nllb_seed_moroccan/seed_parallel.tsv").read_text(encoding="utf-8").splitlines()
    header = seed_rows[0].split("\t")
    ia, iz = header.index("ary_Arab"), header.index("zgh_Tfng")
    sents = []
    for line in seed_rows[1:]:
        parts = line.split("\t")
        sents += [parts[ia], parts[iz]]
    mix = [t for t, _ in tweets] + sents
    random.Random(0).shuffle(mix)
    return mix[:limit], tweets[:limit]


def build_tokenizer(folder: Path, texts: list[str] | None, vocab: int) -> Path:
    """BPE trained on ``texts`` (CPU) or a word-level vocabulary of 'wNNN' (synthetic GPU data)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>"]
    if texts is None:
        words = {t: i for i, t in enumerate(specials)}
        words.update({f"w{i}": i + len(specials) for i in range(vocab - len(specials))})
        tok = Tokenizer(models.WordLevel(words, unk_token="[UNK]"))
    else:
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials, show_progress=False)
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    if texts is not None:
        tok.train_from_iterator(texts, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        bos_token="<s>",
        eos_token="</s>",
    )
    fast.save_pretrained(str(folder))
    return folder


# ------------------------------------------------------------------ the two arms


def model_shape(arch: str, big: bool, tiny: bool) -> dict:
    if arch == "llama":
        if big:
            return dict(
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                num_key_value_heads=12,
                intermediate_size=2048,
            )
        if tiny:
            return dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
        return dict(
            hidden_size=256,
            num_hidden_layers=4,
            num_attention_heads=4,
            num_key_value_heads=4,
            intermediate_size=768,
        )
    if big:
        return dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
    if tiny:
        return dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    return dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024)


def cpu_bf16() -> bool:
    """bf16 autocast pays off on CPUs with AVX512-BF16 / AMX (the check aimm's precision=auto makes)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def run_trainer(spec: dict) -> dict:
    """What a user writes: Trainer defaults, a pad-to-longest collator, fixed samples per batch.

    ``tuned``: the same plus what a user who tunes writes: length grouping (``group_by_length=True``,
    ``train_sampling_strategy="group_by_length"`` since transformers 5) and bf16 autocast
    where the device has it (CUDA, or a CPU with AVX512-BF16 / AMX)."""
    import torch
    from transformers import (
        AutoConfig,
        AutoModelForCausalLM,
        AutoModelForSequenceClassification,
        DataCollatorForLanguageModeling,
        DataCollatorWithPadding,
        PreTrainedTokenizerFast,
        Trainer,
        TrainerCallback,
        TrainingArguments,
        set_seed,
    )

    set_seed(0)
    tok = PreTrainedTokenizerFast.from_pretrained(spec["tok"])
    recs = [json.loads(x) for x in Path(spec["data"]).read_text(encoding="utf-8").splitlines()]
    cls = spec["task"] == "sequence_classification"
    labels = sorted({r["label"] for r in recs}) if cls else []
    enc = tok([r["text"] for r in recs], truncation=True, max_length=spec["max_length"])["input_ids"]
    if cls:
        ds = [{"input_ids": e, "labels": labels.index(r["label"])} for e, r in zip(enc, recs, strict=True)]
        collator = DataCollatorWithPadding(tok)
        arch = "bert"
    else:
        ds = [{"input_ids": e} for e in enc]
        collator = DataCollatorForLanguageModeling(tok, mlm=False)
        arch = "llama"
    conf = AutoConfig.for_model(
        arch,
        vocab_size=len(tok),
        pad_token_id=tok.pad_token_id,
        max_position_embeddings=max(512, spec["max_length"] + 2),
        **spec["shape"],
    )
    if cls:
        conf.num_labels = len(labels)
        model = AutoModelForSequenceClassification.from_config(conf, attn_implementation="sdpa")
    else:
        conf.tie_word_embeddings = True
        model = AutoModelForCausalLM.from_config(conf, attn_implementation="sdpa")
    warm, steps = spec["warm"], spec["steps"]
    real, padded, marks = [], [], {}

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == warm:
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                marks["t0"] = time.perf_counter()
                marks["c0"] = time.process_time()
            if state.global_step == warm + steps:
                marks["c1"] = time.process_time()

    class Counting(Trainer):
        def training_step(self, model, inputs, *a, **k):
            att = inputs["attention_mask"]
            real.append(int(att.sum()))
            padded.append(att.numel())
            return super().training_step(model, inputs, *a, **k)

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="bench_tr_"),
        per_device_train_batch_size=spec["bs"],
        max_steps=warm + steps,
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        logging_steps=10_000,
        seed=0,
        data_seed=spec.get("seed", 0),  # the batches drawn; the model's init stays set_seed(0)'s
        train_sampling_strategy="group_by_length" if spec.get("tuned") else "random",
        bf16=bool(spec.get("tuned"))
        and (torch.cuda.is_bf16_supported() if torch.cuda.is_available() else cpu_bf16()),
    )
    tr = Counting(model=model, args=args, train_dataset=ds, data_collator=collator, callbacks=[Clock()])
    tr.train()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    dt = time.perf_counter() - marks["t0"]
    r, p = sum(real[warm:]), sum(padded[warm:])
    return dict(
        real_tokens=r,
        padded_tokens=p,
        seconds=dt,
        steps=steps,
        samples=steps * spec["bs"],
        real_per_step=r / steps,
        cpu_seconds=marks["c1"] - marks["c0"],
    )


def run_aimm(spec: dict) -> dict:
    """``aimm finetune`` on the same data: packing (causal LM) or token-budget batches (classification)."""
    from aimm_nlp.finetune import FinetuneConfig, finetune

    cls = spec["task"] == "sequence_classification"
    raw = {
        "task": spec["task"],
        "model": {
            "architecture": "bert" if cls else "llama",
            "size": "tiny",
            "tokenizer": spec["tok"],
            "overrides": spec["shape"],
            "attn_implementation": spec.get("attn", "sdpa"),
        },
        "data": {
            "train": spec["data"],
            "max_length": spec["max_length"],
            "max_tokens": spec["max_tokens"],
            "labels": "auto" if cls else None,
        },
        "optim": {"lr": 5e-5, "max_steps": spec["warm"] + spec["steps"], "scheduler": "linear"},
        "run": {
            "output_dir": tempfile.mkdtemp(prefix="bench_aimm_"),
            "overwrite": True,
            "log_every": spec["log_every"],
            "compile": spec.get("compile", False),
            "seed": spec.get("seed", 0),  # the batches drawn (and the init: equal shapes, so equal cost)
        },
    }
    if cls:
        raw["model"]["overrides"] = dict(spec["shape"])
    cfg = FinetuneConfig.from_dict(raw)
    marks = {}

    def cpu_clock(state):  # process CPU time of the timed steps (robust to other users' load)
        if state.step in (spec["warm"], spec["warm"] + spec["steps"]):
            marks[state.step] = time.process_time()

    res = finetune(cfg, callbacks=[cpu_clock])
    hist = [json.loads(x) for x in (res.output_dir / "metrics.jsonl").read_text().splitlines()]
    windows = [h for h in hist if "seconds" in h and h["step"] > spec["warm"]]
    r = sum(h["real_tokens"] for h in windows)
    p = sum(h["padded_tokens"] for h in windows)
    dt = sum(h["seconds"] for h in windows)
    steps = windows[-1]["step"] - spec["warm"] if windows else 0
    samples = sum(h["targets"] for h in windows) if cls else r / max(spec["mean_len"], 1)
    return dict(
        real_tokens=r,
        padded_tokens=p,
        seconds=dt,
        steps=steps,
        samples=samples,
        real_per_step=r / max(steps, 1),
        final_loss=res.final_loss,
        cpu_seconds=marks.get(spec["warm"] + spec["steps"], 0) - marks.get(spec["warm"], 0),
    )


def peak_memory() -> float:
    import torch

    if torch.cuda.is_available():
        return round(torch.cuda.max_memory_allocated() / 2**30, 2)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)  # KiB -> GiB


def arm_main(spec: dict) -> dict:
    import torch

    if spec.get("threads"):
        torch.set_num_threads(spec["threads"])

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    res = run_trainer(spec) if spec["arm"] == "trainer" else run_aimm(spec)
    res.update(name=spec["name"], peak_mem_GiB=peak_memory(), wall_s=round(time.perf_counter() - t, 1))
    res["real_tok_s"] = round(res["real_tokens"] / res["seconds"], 1) if res["seconds"] else None
    res["padding_share"] = (
        round(1 - res["real_tokens"] / res["padded_tokens"], 4) if res["padded_tokens"] else None
    )
    res["samples_s"] = round(res["samples"] / res["seconds"], 1) if res["seconds"] else None
    if res.get("cpu_seconds"):
        res["real_tok_per_cpu_s"] = round(res["real_tokens"] / res["cpu_seconds"], 1)
    if spec.get("flops_per_token"):
        res["mfu"] = round(res["real_tok_s"] * spec["flops_per_token"] / PEAK, 4)
    return res


# ------------------------------------------------------------------ orchestration


def flops_per_token(arch: str, shape: dict, vocab: int, ctx: float) -> float:
    """6 x non-embedding parameters (+ the untied LM head) + attention 12·L·d·ctx, as in the anchors."""
    d, n_layers = shape["hidden_size"], shape["num_hidden_layers"]
    ff = shape["intermediate_size"]
    if arch == "llama":
        n = n_layers * (4 * d * d + 3 * d * ff) + d * vocab  # untied lm_head
    else:
        n = n_layers * (4 * d * d + 2 * d * ff) + d * d
    return 6 * n + 12 * n_layers * d * ctx


def write_data(folder: Path, name: str, texts: list[str], labels: list[str] | None) -> Path:
    path = folder / f"{name}.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            rec = {"text": t}
            if labels is not None:
                rec["label"] = labels[i]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def mean_tokens(tok_dir: Path, texts: list[str]) -> float:
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast.from_pretrained(str(tok_dir))
    ids = tok(texts[:5000])["input_ids"]
    return sum(len(x) for x in ids) / len(ids)


def versions() -> dict:
    import tokenizers
    import torch
    import transformers

    dev = torch.cuda.get_device_name() if torch.cuda.is_available() else platform.processor() or "cpu"
    return dict(
        python=platform.python_version(),
        torch=torch.__version__,
        transformers=transformers.__version__,
        tokenizers=tokenizers.__version__,
        device=dev,
        threads=torch.get_num_threads(),
        load_avg=os.getloadavg()[0],
    )


def gpu_specs(tmp: Path, tiny: bool) -> list[dict]:
    vocab = 1000 if tiny else 32000
    n_causal, n_cls = (600, 600) if tiny else (24_000, 12_000)
    texts = synthetic_texts(max(n_causal, n_cls), vocab - 7, seed=0)
    tok = build_tokenizer(tmp / "tok", None, vocab)
    mean = mean_tokens(tok, texts)
    rng = random.Random(1)
    labels = [rng.choice(["negative", "neutral", "positive"]) for _ in texts]
    causal = write_data(tmp, "causal", texts[:n_causal], None)
    cls = write_data(tmp, "cls", texts[:n_cls], labels[:n_cls])
    lshape = {**model_shape("llama", not tiny, tiny), "tie_word_embeddings": False}
    bshape = model_shape("bert", not tiny, tiny)
    block, rows = (128, 2) if tiny else (1024, 16)
    budget = block * rows
    f_l = flops_per_token("llama", lshape, vocab, mean)
    f_b = flops_per_token("bert", bshape, vocab, mean)
    w, s = (2, 4) if tiny else (10, 30)
    common = dict(tok=str(tok), mean_len=mean)
    c = dict(common, task="causal_lm", data=str(causal), shape=lshape, flops_per_token=f_l, max_length=block)
    b = dict(
        common,
        task="sequence_classification",
        data=str(cls),
        shape=bshape,
        flops_per_token=f_b,
        max_length=512,
    )
    cls_budget = int(64 * mean) if not tiny else 512
    causal_default = dict(
        c, name="trainer_causal_defaults_bs32", arm="trainer", bs=32 if not tiny else 4, warm=w, steps=s
    )
    return [  # most important first: a time budget may cut the tail
        causal_default,
        dict(
            c,
            name="aimm_causal_packed_bf16_compile",
            arm="aimm",
            max_tokens=budget,
            compile=True,
            warm=2 * w,
            steps=2 * s,
            log_every=w,
        ),
        dict(b, name="trainer_cls_defaults_bs64", arm="trainer", bs=64 if not tiny else 8, warm=w, steps=s),
        dict(
            b,
            name="aimm_cls_token_budget_bf16",
            arm="aimm",
            max_tokens=cls_budget,
            warm=w,
            steps=s,
            log_every=w,
        ),
        # The classification goal is against Trainer *defaults* (8 samples per device); a
        # token budget of 16x the bs64 arm's keeps the GPU busy on short texts.
        dict(b, name="trainer_cls_defaults_bs8", arm="trainer", bs=8, warm=w, steps=s),
        dict(
            b,
            name="aimm_cls_token_budget_bf16_large",
            arm="aimm",
            max_tokens=16 * cls_budget,
            warm=w,
            steps=s,
            log_every=w,
        ),
        dict(
            c,
            name="aimm_causal_packed_bf16_compile_64k",
            arm="aimm",
            max_tokens=4 * budget,
            compile=True,
            warm=w,
            steps=s,
            log_every=w,
        ),
        # Rows of 256 tokens instead of 1024: the block-diagonal mask makes SDPA's memory-efficient
        # kernel compute every (query, key) pair of a row, ~20x the attended pairs of ~52-token samples;
        # shorter rows cut that waste 4x at a packing loss of a few percent (longer samples are truncated,
        # counted in the log).
        dict(
            c,
            name="aimm_causal_packed_bf16_compile_64k_rows256",
            arm="aimm",
            max_length=block // 4 if not tiny else block,
            max_tokens=4 * budget,
            compile=True,
            warm=w,
            steps=s,
            log_every=w,
        ),
        dict(
            c,
            name="aimm_causal_packed_flex_compile",
            arm="aimm",
            max_tokens=budget,
            compile=True,
            attn="flex_attention",
            warm=2 * w,
            steps=2 * s,
            log_every=w,
        ),
        dict(
            c,
            name="trainer_causal_same_tokens",
            arm="trainer",
            bs=max(1, int(budget / mean)),
            warm=2,
            steps=6 if not tiny else 2,
        ),
        dict(c, name="aimm_causal_packed_bf16", arm="aimm", max_tokens=budget, warm=w, steps=s, log_every=w),
    ]


def cpu_specs(tmp: Path, quick: bool, steps: int = 10, rounds: int = 2) -> list[dict]:
    mix, tweets = real_texts(20_000)
    tok = build_tokenizer(tmp / "tok", mix + [t for t, _ in tweets], 8000)
    mean_mix = mean_tokens(tok, mix)
    mean_tw = mean_tokens(tok, [t for t, _ in tweets])
    causal = write_data(tmp, "causal", mix, None)
    cls = write_data(tmp, "cls", [t for t, _ in tweets], [lab for _, lab in tweets])
    lshape, bshape = model_shape("llama", False, quick), model_shape("bert", False, quick)
    block, bs_c, bs_b = 128, 16, 32
    w, s = (2, 4) if quick else (3, steps)
    common = dict(tok=str(tok))
    c = dict(common, task="causal_lm", data=str(causal), shape=lshape, max_length=block, mean_len=mean_mix)
    b = dict(
        common,
        task="sequence_classification",
        data=str(cls),
        shape=bshape,
        max_length=block,
        mean_len=mean_tw,
    )
    rows = max(1, math.ceil(bs_c * mean_mix / block))
    tc = dict(c, arm="trainer", label="trainer", bs=bs_c, warm=w, steps=s)
    uc = dict(tc, label="trainertuned", tuned=True)  # same samples (so tokens) per step
    ac = dict(c, arm="aimm", label="aimm", max_tokens=rows * block, warm=w, steps=s, log_every=w)
    tb = dict(b, arm="trainer", label="trainer", bs=bs_b, warm=w, steps=s)
    ub = dict(tb, label="trainertuned", tuned=True)
    ab = dict(b, arm="aimm", label="aimm", max_tokens=int(bs_b * mean_tw), warm=w, steps=s, log_every=w)
    # A B C C B A rounds per workload: the machine is shared and its load drifts; all arms see the
    # same drift, and the summary takes the median over the repeats of each arm
    out = []
    for arms in ((tc, ac, uc), (tb, ab, ub)):
        for k in range(rounds):
            order = arms if k % 2 == 0 else arms[::-1]
            # each repeat draws other batches (data order seed = repeat number, the same for every arm
            # of that repeat): with one seed, every repeat replayed the same 10 batches, so the median
            # measured machine noise on one batch sample, not the batching
            out += [dict(a, name=f"{a['label']}_{a['task']}_r{2 * k + 1}", seed=2 * k) for a in order]
            out += [
                dict(a, name=f"{a['label']}_{a['task']}_r{2 * k + 2}", seed=2 * k + 1) for a in order[::-1]
            ]
    return out


def pooled(results: dict, prefix: str) -> dict:
    """Tokens, samples, wall and CPU seconds summed over the repeats of one arm."""
    runs = [v for k, v in results.items() if k.startswith(prefix) and "real_tokens" in v]
    if not runs:
        return {}
    keys = ("real_tokens", "padded_tokens", "seconds", "samples", "cpu_seconds")
    tot = {k: sum(r.get(k) or 0 for r in runs) for k in keys}
    import statistics

    return dict(
        median_real_tok_s=round(statistics.median(r["real_tok_s"] for r in runs), 1),
        median_samples_s=round(statistics.median(r["samples_s"] for r in runs), 2),
        median_real_tok_per_cpu_s=round(statistics.median(r.get("real_tok_per_cpu_s") or 0 for r in runs), 1),
        real_tok_s=round(tot["real_tokens"] / tot["seconds"], 1),
        real_tok_per_cpu_s=round(tot["real_tokens"] / tot["cpu_seconds"], 1) if tot["cpu_seconds"] else None,
        samples_s=round(tot["samples"] / tot["seconds"], 2),
        padding_share=round(1 - tot["real_tokens"] / tot["padded_tokens"], 4),
        real_per_step=round(tot["real_tokens"] / sum(r["steps"] for r in runs), 1),
        peak_mem_GiB=max(r["peak_mem_GiB"] for r in runs),
        repeats=len(runs),
    )


def ratio(results: dict, a: str, b: str, key: str = "real_tok_s") -> float | None:
    ra, rb = results.get(a, {}).get(key), results.get(b, {}).get(key)
    return round(ra / rb, 2) if ra and rb else None


def run_arm_subprocess(spec: dict) -> dict:
    """One arm in a fresh process, one OpenMP thread (clean peak-RSS, no spinning on a shared machine)."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), OMP_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, __file__, "--arm-spec", json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        timeout=3 * 3600,  # a shared machine can be 10x slower than an idle one
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("ARM ")]
    if not line:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(line[-1][4:])


def quality_main(args: argparse.Namespace) -> dict:
    """Held-out macro-F1, aimm vs a plain Trainer, same initial weights and schedule, one run per seed."""
    import finetune_quality as fq

    sh = shared_dir()
    if sh is None:
        raise SystemExit("../shared is missing (set AIMM_SHARED): the quality benchmark reads AfriSenti")
    data = sh / "data/afrisenti_ma"
    tmp = Path(tempfile.mkdtemp(prefix="bench_quality_"))
    train = fq.read_split(data, "train")
    tok = build_tokenizer(tmp / "tok", [t for t, _ in train], 8000)
    bs, steps = fq.schedule(tok, data, args.quality_override)
    arms = args.quality_arms.split(",")
    per_seed: dict[str, dict] = {}
    for seed in [int(x) for x in args.seeds.split(",")]:
        init = fq.build_init(tok, data, seed, tmp / f"init{seed}")
        base = dict(quality=True, tok=str(tok), data=str(data), init=str(init), seed=seed, bs=bs, steps=steps)
        row: dict[str, dict] = {}
        for arm in arms:
            try:
                extra = (
                    dict(overrides=args.quality_override, plan=args.quality_plan)
                    if arm == "aimm"
                    else dict(sampling=args.quality_trainer_sampling)
                )
                row[arm] = run_arm_subprocess(dict(base, arm=arm, **extra))
            except Exception as exc:  # reported; the other arms and seeds still run
                row[arm] = {"error": repr(exc)[-1500:]}
        per_seed[str(seed)] = row
        print(json.dumps({f"quality_seed{seed}": row}), flush=True)
    return dict(
        what="AfriSenti ma sentiment, tiny BERT from the same saved init per seed, shipped ary_sentiment.yaml "
        "(size tiny, fp32, 1 thread) vs a plain Trainer with the same steps, lr schedule, warmup, AdamW "
        "settings and clipping and a fixed batch giving the same epochs; both scored by the same code",
        aimm_overrides=args.quality_override,
        aimm_plan=args.quality_plan,
        trainer_sampling=args.quality_trainer_sampling,
        trainer_batch_size=bs,
        steps=steps,
        summary=fq.summarize(per_seed),
        seeds=per_seed,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device-script", action="store_true", help="GPU workload (134M Llama, BERT-base)")
    ap.add_argument("--tiny", action="store_true", help="tiny shapes and few steps (dry run)")
    ap.add_argument("--out", help="JSON output (default benchmarks/results/finetune_{cpu,gpu}.json)")
    ap.add_argument(
        "--budget-s", type=float, default=420, help="GPU: skip remaining arms after this many seconds"
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="CPU: torch threads per arm (1: no OpenMP spinning, so CPU seconds measure work on a shared machine)",
    )
    ap.add_argument("--rounds", type=int, default=2, help="CPU: A-B-B-A rounds per workload")
    ap.add_argument("--steps", type=int, default=10, help="CPU: timed steps per arm (after 3 warm-up steps)")
    ap.add_argument("--only", help="comma-separated arm names to run (default: all)")
    ap.add_argument(
        "--quality",
        action="store_true",
        help="held-out macro-F1 vs a plain Trainer (same init and schedule, AfriSenti, 3 seeds); "
        "updates the 'quality' section of the JSON and keeps its speed figures",
    )
    ap.add_argument("--seeds", default="0,1,2", help="quality: comma-separated seeds")
    ap.add_argument(
        "--quality-override",
        action="append",
        default=[],
        help="quality: a key=value override for the aimm arm (repeatable; choose options on dev)",
    )
    ap.add_argument("--quality-arms", default="aimm,trainer", help="quality: arms to run")
    ap.add_argument(
        "--quality-plan", choices=["fixed"], help="quality (diagnosis): aimm's loop on the Trainer's batches"
    )
    ap.add_argument(
        "--quality-trainer-sampling",
        default="random",
        choices=["random", "group_by_length"],
        help="quality (diagnosis): the Trainer's train_sampling_strategy",
    )
    ap.add_argument(
        "--quality-merge",
        help="comma-separated JSON files of --quality runs (e.g. one seed each, run in parallel): merge "
        "their arms per seed into the output's quality section",
    )
    ap.add_argument("--arm-spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.arm_spec:  # one CPU arm in a fresh process
        spec = json.loads(args.arm_spec)
        if spec.get("quality"):
            import finetune_quality

            print("ARM " + json.dumps(finetune_quality.arm(spec)), flush=True)
        else:
            print("ARM " + json.dumps(arm_main(spec)), flush=True)
        return
    if args.quality_merge:  # arms run as separate processes (e.g. one per seed, in parallel)
        import finetune_quality as fq

        parts = [
            json.loads(Path(f).read_text(encoding="utf-8"))["quality"] for f in args.quality_merge.split(",")
        ]
        seeds: dict[str, dict] = {}
        for part in parts:
            for seed, row in part["seeds"].items():
                seeds.setdefault(seed, {}).update({a: r for a, r in row.items() if "error" not in r})
        quality = {k: v for k, v in parts[0].items() if k not in ("seeds", "summary", "wall_s")}
        quality.update(
            summary=fq.summarize(seeds),
            seeds=dict(sorted(seeds.items())),
            wall_s={"per_part": [q.get("wall_s") for q in parts], "merged_from": len(parts)},
        )
        path = Path(args.out) if args.out else REPO / "benchmarks/results/finetune_cpu.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"benchmark": "finetune"}
        old["quality"] = quality
        path.write_text(json.dumps(old, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"quality": quality["summary"]}, indent=2))
        return
    if args.quality:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        t0 = time.perf_counter()
        quality = quality_main(args)
        quality["wall_s"] = round(time.perf_counter() - t0, 1)
        path = Path(args.out) if args.out else REPO / "benchmarks/results/finetune_cpu.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"benchmark": "finetune"}
        old["quality"] = quality
        path.write_text(json.dumps(old, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"quality": quality["summary"], "wall_s": quality["wall_s"]}, indent=2))
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench_finetune_"))
    specs = (
        gpu_specs(tmp, args.tiny)
        if args.device_script
        else cpu_specs(tmp, args.tiny, args.steps, args.rounds)
    )
    if not args.device_script:
        specs = [dict(s, threads=args.threads) for s in specs]
    if args.only:
        specs = [s for s in specs if s["name"] in args.only.split(",")]
    results: dict[str, dict] = {}
    for spec in specs:
        if args.device_script and time.perf_counter() - t0 > args.budget_s:
            results[spec["name"]] = {"skipped": f"time budget {args.budget_s}s spent"}
            continue
        try:
            if args.device_script:
                res = arm_main(spec)
            else:
                env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
                proc = subprocess.run(
                    [sys.executable, __file__, "--arm-spec", json.dumps(spec)],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
                line = [x for x in proc.stdout.splitlines() if x.startswith("ARM ")]
                if not line:
                    raise RuntimeError(proc.stderr[-2000:])
                res = json.loads(line[-1][4:])
        except Exception as exc:  # a failed arm is reported, the others still run
            res = {"error": repr(exc)[-1500:]}
        results[spec["name"]] = res
        print(json.dumps({spec["name"]: res}), flush=True)
    if args.device_script:
        best = max(
            (k for k in results if k.startswith("aimm_causal") and results[k].get("real_tok_s")),
            key=lambda k: results[k]["real_tok_s"],
            default=None,
        )
        summary = {
            "causal_best_aimm_arm": best,
            "causal_ratio_vs_trainer_same_tokens": ratio(results, best or "", "trainer_causal_same_tokens"),
            "causal_ratio_vs_trainer_defaults_bs32": ratio(
                results, best or "", "trainer_causal_defaults_bs32"
            ),
            "causal_mfu_best": results.get(best or "", {}).get("mfu"),
            "cls_ratio_real_tok_s": ratio(results, "aimm_cls_token_budget_bf16", "trainer_cls_defaults_bs64"),
            "cls_ratio_samples_s": ratio(
                results, "aimm_cls_token_budget_bf16", "trainer_cls_defaults_bs64", "samples_s"
            ),
        }
        best_cls = max(
            (k for k in results if k.startswith("aimm_cls") and results[k].get("samples_s")),
            key=lambda k: results[k]["samples_s"],
            default=None,
        )
        summary["cls_best_aimm_arm"] = best_cls
        summary["cls_ratio_samples_s_vs_trainer_defaults_bs8"] = ratio(
            results, best_cls or "", "trainer_cls_defaults_bs8", "samples_s"
        )
    else:
        names = tuple(f"{arm}_{task}" for task in ("causal_lm", "sequence_classification")
                      for arm in ("trainer", "trainertuned", "aimm"))  # fmt: skip
        arms = {k: pooled(results, k) for k in names}
        arms = {k.replace("_lm", "").replace("sequence_classification", "cls"): v for k, v in arms.items()}
        summary = {
            "arms": arms,
            "causal_ratio_median_real_tok_s": ratio(
                arms, "aimm_causal", "trainer_causal", "median_real_tok_s"
            ),
            "cls_ratio_median_real_tok_s": ratio(arms, "aimm_cls", "trainer_cls", "median_real_tok_s"),
            "causal_ratio_median_real_tok_per_cpu_s": ratio(
                arms, "aimm_causal", "trainer_causal", "median_real_tok_per_cpu_s"
            ),
            "cls_ratio_median_real_tok_per_cpu_s": ratio(
                arms, "aimm_cls", "trainer_cls", "median_real_tok_per_cpu_s"
            ),
            "cls_ratio_median_samples_s": ratio(arms, "aimm_cls", "trainer_cls", "median_samples_s"),
            "causal_ratio_real_tok_s": ratio(arms, "aimm_causal", "trainer_causal"),
            "causal_ratio_real_tok_per_cpu_s": ratio(
                arms, "aimm_causal", "trainer_causal", "real_tok_per_cpu_s"
            ),
            "cls_ratio_real_tok_s": ratio(arms, "aimm_cls", "trainer_cls"),
            "cls_ratio_real_tok_per_cpu_s": ratio(arms, "aimm_cls", "trainer_cls", "real_tok_per_cpu_s"),
            "cls_ratio_samples_s": ratio(arms, "aimm_cls", "trainer_cls", "samples_s"),
            # against a tuned Trainer (group_by_length, bf16 autocast where the CPU has it)
            "tuned_trainer": {"group_by_length": True, "bf16": cpu_bf16()},
        }
        for w in ("causal", "cls"):
            for key in ("median_real_tok_s", "median_real_tok_per_cpu_s", "median_samples_s"):
                summary[f"{w}_ratio_vs_tuned_{key}"] = ratio(arms, f"aimm_{w}", f"trainertuned_{w}", key)
    out = {
        "benchmark": "finetune",
        "mode": "gpu" if args.device_script else "cpu",
        "tiny": args.tiny,
        "versions": versions(),
        "seed": 0,
        "peak_tflops": PEAK / 1e12,
        "summary": summary,
        "specs": [{k: v for k, v in s.items() if k not in ("tok", "data")} for s in specs],
        "results": results,
        "wall_s": round(time.perf_counter() - t0, 1),
    }
    default = (
        REPO / "benchmarks/results" / ("finetune_gpu.json" if args.device_script else "finetune_cpu.json")
    )
    path = Path(args.out) if args.out else default
    if not args.tiny or args.out:
        if not args.device_script and path.is_file():  # the quality section (--quality) is kept
            kept = json.loads(path.read_text(encoding="utf-8")).get("quality")
            if kept is not None:
                out["quality"] = kept
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"summary": summary, "wall_s": out["wall_s"]}, indent=2))


if __name__ == "__main__":
    main()
