"""aimm evaluation harness vs EleutherAI lm-evaluation-harness on the same model and items.

For each real LLM tokenizer in ``../shared/tokenizers`` (Llama-3: tiktoken BPE, 128k vocab;
Mistral 7B: SentencePiece BPE with byte fallback, 32k vocab) builds a tiny seeded Llama-shape
model with random weights in-process, writes four local tasks in the shapes of DarijaMMLU
(letter answers), DarijaHellaSwag (long endings, up to 240 characters) and FLORES devtest
bits-per-byte on Darija (ary_Arab) and on Tifinagh (tzm_Tfng; documents of several lines, so
they span several model windows), runs lm-eval's ``simple_evaluate`` (HFLM wrapping the same
model object) and ``aimm_nlp.evaluation.evaluate`` on the same YAML files in one process, and
prints per-item max |delta loglikelihood|, the aggregate metrics side by side and the
wall-clock ratio (model build excluded; each side timed around its evaluate call, repeats
interleaved, best of N; defaults for everything else). Also times a warm re-run from aimm's cache.

Run:  python benchmarks/bench_eval_vs_lmeval.py [--tokenizers llama-3,mistral] [--repeats 3]
Needs the bench extra (``pip install "aimm-nlp[bench]"``) and ../shared (or $AIMM_SHARED).
The tokenizer files are read from ../shared only (comparison use; never copied or shipped).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import offline_hf

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AIMM_SHARED", ROOT.parent / "shared"))


def _seed_rows() -> list[dict[str, str]]:
    import csv

    with open(SHARED / "data/nllb_seed_moroccan/seed_parallel.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


_LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def llama3_tokenizer(tmp: Path) -> Any:
    """The Llama-3 tokenizer (tiktoken ranks in ../shared) as a transformers fast tokenizer, BOS added."""
    import base64

    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    ranks = {}
    for line in (SHARED / "tokenizers/llama-3/tokenizer.model").read_bytes().splitlines():
        if line.strip():
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)

    class _Converter(TikTokenConverter):
        @staticmethod
        def load_tiktoken_bpe(_url: str) -> dict[bytes, int]:
            return ranks

    bos, eos = "<|begin_of_text|>", "<|end_of_text|>"
    specials = [bos, eos] + [f"<|reserved_special_token_{i}|>" for i in range(254)]
    tk = _Converter(vocab_file="", pattern=_LLAMA3_SPLIT, extra_special_tokens=specials).converted()
    tk.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B",
                                          special_tokens=[(bos, len(ranks))]),
        ]
    )  # fmt: skip
    return PreTrainedTokenizerFast(tokenizer_object=tk, bos_token=bos, eos_token=eos)


def mistral_tokenizer(tmp: Path) -> Any:
    """The Mistral 7B v0.1 SentencePiece tokenizer (read from a private copy: transformers wants a folder)."""
    import shutil

    from transformers import LlamaTokenizer

    folder = tmp / "mistral-7b-v0.1"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(SHARED / "tokenizers/mistral-7b-v0.1/tokenizer.model", folder / "tokenizer.model")
    return LlamaTokenizer.from_pretrained(folder)


TOKENIZERS = {"llama-3": llama3_tokenizer, "mistral": mistral_tokenizer}


def _flores(lang: str, n_docs: int, lines_per_doc: int) -> list[dict[str, str]]:
    lines = (
        (SHARED / f"corpora/flores200-subset/devtest/{lang}.devtest").read_text(encoding="utf-8").splitlines()
    )
    return [
        {"text": " ".join(lines[i : i + lines_per_doc])}
        for i in range(0, min(len(lines), n_docs * lines_per_doc), lines_per_doc)
    ]


def write_tasks(tmp: Path, n: dict[str, int], lines_per_doc: int) -> dict[str, Path]:
    """Four tasks as lm-eval-compatible YAML + JSONL data under ``tmp``."""
    rng = random.Random(20240607)
    ary = [r["ary_Arab"] for r in _seed_rows() if 20 <= len(r["ary_Arab"]) <= 400]
    letters = ["A", "B", "C", "D"]
    mmlu, hs = [], []
    for i in range(n["mc"]):
        q, *opts = rng.sample(ary, 5)
        mmlu.append({"question": q, "choices": [o[:60] for o in opts[:4]], "answer": i % 4})
    for i in range(n["hellaswag"]):
        ctx, *ends = rng.sample(ary, 5)
        hs.append({"ctx": ctx, "endings": [e[:240] for e in ends], "label": i % 4})
    docs = {
        "darija_mmlu_shape": mmlu,
        "darija_hellaswag_shape": hs,
        "flores_ary_bpb": _flores("ary_Arab", n["ppl"], lines_per_doc),
        "flores_tzm_bpb": _flores("tzm_Tfng", n["ppl"], lines_per_doc),
    }
    files = {}
    for name, rows in docs.items():
        data = tmp / f"{name}.jsonl"
        data.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in rows), encoding="utf-8")
        files[name] = data
    ppl = """task: {name}
output_type: loglikelihood_rolling
dataset_path: json
dataset_kwargs: {{data_files: {{test: {data}}}}}
test_split: test
doc_to_text: ""
doc_to_target: text
metric_list: [{{metric: bits_per_byte}}, {{metric: byte_perplexity}}, {{metric: word_perplexity}}]
metadata: {{version: 1}}
"""
    yamls = {
        "darija_mmlu_shape": f"""task: darija_mmlu_shape
output_type: multiple_choice
dataset_path: json
dataset_kwargs: {{data_files: {{test: {files["darija_mmlu_shape"]}}}}}
test_split: test
doc_to_text: "{{{{question}}}}\\nA. {{{{choices[0]}}}}\\nB. {{{{choices[1]}}}}\\nC. {{{{choices[2]}}}}\\nD. {{{{choices[3]}}}}\\nالجواب:"
doc_to_choice: {letters}
doc_to_target: answer
metric_list: [{{metric: acc}}, {{metric: acc_norm}}]
metadata: {{version: 1}}
""",
        "darija_hellaswag_shape": f"""task: darija_hellaswag_shape
output_type: multiple_choice
dataset_path: json
dataset_kwargs: {{data_files: {{test: {files["darija_hellaswag_shape"]}}}}}
test_split: test
doc_to_text: "{{{{ctx}}}}"
doc_to_choice: "{{{{endings}}}}"
doc_to_target: label
metric_list: [{{metric: acc}}, {{metric: acc_norm}}]
metadata: {{version: 1}}
""",
        "flores_ary_bpb": ppl.format(name="flores_ary_bpb", data=files["flores_ary_bpb"]),
        "flores_tzm_bpb": ppl.format(name="flores_tzm_bpb", data=files["flores_tzm_bpb"]),
    }
    out = {}
    for name, text in yamls.items():
        (tmp / f"{name}.yaml").write_text(text, encoding="utf-8")
        out[name] = tmp / f"{name}.yaml"
    return out


def lmeval_items(samples: list[dict]) -> dict[int, list[float]]:
    """doc_id -> per-request loglikelihoods from lm-eval's logged samples."""
    out = {}
    for s in samples:
        resps = s["filtered_resps"]
        out[s["doc_id"]] = [float(r[0]) if isinstance(r, (list, tuple)) else float(r) for r in resps]
    return out


GOALS = {  # lm-eval time / aimm time, from the issues that set them
    "darija_mmlu_shape": 1.3,
    "darija_hellaswag_shape": 2.0,
    "flores_ary_bpb": 1.5,
    "flores_tzm_bpb": 1.5,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokenizers", default="llama-3,mistral", help="comma list of: " + ", ".join(TOKENIZERS))
    ap.add_argument("--tasks", default=",".join(GOALS), help="comma list of task names (default: all four)")
    ap.add_argument("--n-mc", type=int, default=100)
    ap.add_argument("--n-hs", type=int, default=50)
    ap.add_argument("--n-ppl", type=int, default=24, help="FLORES documents per bits-per-byte task")
    ap.add_argument("--lines-per-doc", type=int, default=4, help="FLORES lines joined into one document")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--lmeval-batch-size", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: steadier timings on a shared machine)"
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/eval_vs_lmeval.json"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aimm_bench_eval_"))
    offline_hf(tmp)

    import logging

    import datasets
    import torch
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from aimm_nlp.evaluation import evaluate, load_task, wrap_model
    from aimm_nlp.testing import tiny_causal_lm

    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    datasets.disable_progress_bars()
    torch.set_num_threads(args.threads)
    n = {"mc": args.n_mc, "hellaswag": args.n_hs, "ppl": args.n_ppl}
    yamls = write_tasks(tmp, n, args.lines_per_doc)
    wanted = args.tasks.split(",")
    manager = TaskManager(include_path=str(tmp), include_defaults=False)
    ml = args.max_length

    def timed(fn):
        t0 = time.perf_counter()
        out = fn()
        return time.perf_counter() - t0, out

    report: dict = {"tokenizers": {}}
    summary = []
    for tok_name in args.tokenizers.split(","):
        tok = TOKENIZERS[tok_name](tmp)
        model = tiny_causal_lm(tok, hidden=args.hidden, layers=args.layers, heads=4, seed=0, max_len=ml)
        hflm = HFLM(pretrained=model, tokenizer=tok, batch_size=args.lmeval_batch_size, max_length=ml,
                    device="cpu")  # fmt: skip
        hflm64 = HFLM(pretrained=model, tokenizer=tok, batch_size=args.lmeval_batch_size, max_length=ml,
                      device="cpu", softmax_dtype="float64")  # fmt: skip
        backend = wrap_model(model, tok, max_length=ml)
        backend64 = wrap_model(model, tok, max_length=ml, softmax_dtype="float64")
        tasks_out: dict = {}
        report["tokenizers"][tok_name] = {
            "model": f"LlamaForCausalLM hidden={args.hidden} layers={args.layers} heads=4 vocab={len(tok)} "
            f"max_length={ml} seed=0 (random weights)",
            "tasks": tasks_out,
        }

        def run_lm(lm, name, **kw):
            return simple_evaluate(
                model=lm, tasks=[name], task_manager=manager, log_samples=True, verbosity="ERROR", **kw
            )

        for name in wanted:
            task = load_task(yamls[name])
            run_lm(hflm, name, limit=4)  # warm-up both sides (first-call costs), not timed
            evaluate(backend, [task], limit=4)
            t_lm, t_ours = [], []
            for _ in range(args.repeats):  # interleaved, best of N: the machine is shared and noisy
                dt, lm_out = timed(lambda: run_lm(hflm, name))  # noqa: B023
                t_lm.append(dt)
                dt, ours = timed(lambda: evaluate(backend, [task], batch_size="auto"))  # noqa: B023
                t_ours.append(dt)
            cache = tmp / f"{tok_name}-{name}.sqlite"
            t_cold = timed(lambda: evaluate(backend, [task], cache=cache))[0]  # noqa: B023
            t_warm = min(timed(lambda: evaluate(backend, [task], cache=cache))[0] for _ in range(3))  # noqa: B023

            def deltas(res, lm_res, task_name=name, key=task.name):
                ref = lmeval_items(lm_res["samples"][task_name])
                out = []
                for s in res.samples[key]:
                    mine = s["lls"] if "lls" in s else [s["ll"]]
                    out += [abs(a - b) for a, b in zip(mine, ref[s["doc_id"]], strict=True)]
                return out

            d32 = deltas(ours, lm_out)
            d64 = deltas(evaluate(backend64, [task]), run_lm(hflm64, name))
            lm_scores = {
                k.split(",")[0]: v for k, v in lm_out["results"][name].items() if k.endswith(",none")
            }
            side = {
                m: {"lm_eval": round(float(lm_scores[m]), 4), "aimm": round(v, 4)}
                for m, v in ours.scores[task.name].items()
            }
            speed = min(t_lm) / min(t_ours)
            lengths = [len(x) for s in ours.samples[task.name] for x in [s.get("lls", [s.get("ll")])]]
            r = tasks_out[name] = {
                "n_items": len(ours.samples[task.name]),
                "n_loglikelihoods": sum(lengths),
                "n_truncated": ours.n_truncated.get(task.name),
                "max_abs_delta_loglikelihood": max(d32),
                "max_abs_delta_loglikelihood_float64_softmax": max(d64),
                "max_abs_loglikelihood": max(
                    abs(x) for s in ours.samples[task.name] for x in s.get("lls", [s.get("ll")])
                ),
                "metrics": side,
                "metrics_equal_4dp": all(v["lm_eval"] == v["aimm"] for v in side.values()),
                "seconds_best_of_n": {"lm_eval_bs16": min(t_lm), "aimm_auto": min(t_ours)},
                "seconds_all": {"lm_eval_bs16": t_lm, "aimm_auto": t_ours},
                "speedup_vs_lm_eval": speed,
                "goal": GOALS[name],
                "goal_met": speed >= GOALS[name],
                "cache_seconds": {"cold": t_cold, "warm": t_warm},
                "warm_rerun_speedup": t_cold / t_warm,
            }
            summary.append((tok_name, name, speed, GOALS[name], r["metrics_equal_4dp"], max(d32)))
            print(f"\n== {tok_name} / {name}: {r['n_items']} items, {r['n_loglikelihoods']} loglikelihoods "
                  f"(|ll| up to {r['max_abs_loglikelihood']:.0f})")  # fmt: skip
            print(f"   max |Δ loglikelihood| vs lm-eval: {max(d32):.2e} (float32 softmax, both defaults); "
                  f"{max(d64):.2e} (float64 softmax, both)")  # fmt: skip
            for m, v in side.items():
                print(f"   {m:<16} lm-eval {v['lm_eval']:.4f}   aimm {v['aimm']:.4f}")
            print(f"   wall-clock (best of {args.repeats}): lm-eval {min(t_lm):.2f}s (bs{args.lmeval_batch_size}); "
                  f"aimm {min(t_ours):.2f}s (auto) -> {speed:.2f}x (goal {GOALS[name]}x)")  # fmt: skip
            print(f"   cache: cold {t_cold:.2f}s  warm {t_warm:.3f}s  -> {t_cold / t_warm:.0f}x")

    print("\n tokenizer  task                      lm-eval/aimm  goal  met   metrics equal  max|Δ|")
    for tok_name, name, speed, goal, equal, d in summary:
        print(f" {tok_name:<10} {name:<25} {speed:>8.2f}x {goal:>7}x  {'yes' if speed >= goal else 'NO ':<5} "
              f"{'yes' if equal else 'NO':<14} {d:.1e}")  # fmt: skip

    import lm_eval
    import transformers

    report["config"] = {
        "tokenizers": "../shared/tokenizers: llama-3 (tiktoken ranks -> transformers fast tokenizer, BOS added), "
        "mistral-7b-v0.1 (SentencePiece, transformers LlamaTokenizer)",
        "lm_eval_batch_size": args.lmeval_batch_size,
        "lm_eval_defaults": "simple_evaluate defaults (bootstrap_iters=100000, logits_cache on)",
        "aimm_defaults": "evaluate defaults (batch_size auto, bootstrap_iters=1000, in-memory cache)",
        "n": n,
        "lines_per_doc": args.lines_per_doc,
        "repeats": args.repeats,
        "data_seed": 20240607,
        "torch_threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "load_avg": os.getloadavg(),
    }
    report["versions"] = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "lm_eval": getattr(lm_eval, "__version__", "?"),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
