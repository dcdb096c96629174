"""Benchmark the corpus pipeline: throughput, streaming memory, near-duplicate precision/recall.

    python benchmarks/bench_corpus.py                      # 500 MB in-memory run, 1 GB streaming run
    python benchmarks/bench_corpus.py --mb 50 --stream-mb 100 --near-docs 20000   # quick check

1. Synthetic-but-realistic lines are built from the shared public text ($AIMM_SHARED/data: AfriSenti
   tweets, DODa and NLLB-Seed Darija in both scripts, UD French, Tatoeba Kabyle, Seed Tifinagh; never
   FLORES): 1-3 sentences per line, with @mentions, URLs, emoji, elongations and hashtags as in tweets,
   8 % exact repeats, 3 % edited repeats and 2 % junk (emoji walls, link-only lines, character runs).
   Inputs are written under --workdir (default /tmp/aimm_bench_corpus) and deleted afterwards.
2. Documents/s of the full per-document pipeline (load, then clean: normalize auto, length, quality
   web.v1, exact dedup) on >= 500 MB, num_proc 1 vs 2 in the same run (the ratio is the figure).
   Near dedup throughput (num_proc 1 vs 2) on a --near-docs subset.
3. Peak RSS of a streaming load -> clean (num_proc 2) -> save_corpus run on >= 1 GB, in a child
   process: ru_maxrss of the child (target < 1.5 GB), and the largest of its pool workers.
4. Near-duplicate precision/recall on --planted copies planted into dissimilar real documents.
Results go to benchmarks/results/corpus.json (versions, config, seed, machine load).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 20240607
_EMOJI = ["😂", "❤️", "👍", "🙏", "🔥", "😍", "🇲🇦", "💪", "😭", "🤣"]
_TAGS = ["#المغرب", "#maroc", "#darija", "#casablanca", "#رمضان", "#ⴰⵎⴰⵣⵉⵖ"]


def pool_texts(shared: Path) -> dict[str, list[str]]:
    """Real sentences per source from the shared sets (FLORES excluded: evaluation only)."""
    from aimm_nlp.corpus import load_corpus

    data = shared / "data"
    pools: dict[str, list[str]] = {}
    for name, lang in [
        ("afrisenti_ma", None),
        ("nllb_seed_moroccan", ["ary_Arab", "zgh_Tfng"]),
        ("doda", ["ary_Latn", "ary_Arab"]),
        ("ud_french_gsd", None),
        ("tatoeba_kabyle", None),
    ]:
        pools[name] = [t for t in load_corpus(name, lang=lang, data_dir=data)["text"] if t]
    return pools


#: Share of lines drawn from each source: tweets and Darija first, as in a Moroccan web crawl.
WEIGHTS = {
    "afrisenti_ma": 0.35,
    "nllb_seed_moroccan": 0.25,
    "doda": 0.2,
    "ud_french_gsd": 0.1,
    "tatoeba_kabyle": 0.1,
}


def _tweetify(line: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.10:
        line = "@user " + line
    elif r < 0.15:
        line += f" https://t.co/{rng.getrandbits(40):x}"
    if rng.random() < 0.15:
        line += " " + rng.choice(_EMOJI) * rng.randint(1, 3)
    if rng.random() < 0.10 and len(line) > 4:
        i = rng.randrange(len(line))
        line = line[: i + 1] + line[i] * rng.randint(2, 6) + line[i + 1 :]
    if rng.random() < 0.05:
        line += " " + rng.choice(_TAGS)
    return line


def write_inputs(
    pools: dict[str, list[str]], small: Path, big: Path, small_mb: int, big_mb: int
) -> dict[str, int]:
    """Write lines to both files until `small` reaches small_mb, then to `big` only until big_mb."""
    rng = random.Random(SEED)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    recent: list[str] = []
    sizes = {"small_bytes": 0, "big_bytes": 0, "small_lines": 0, "big_lines": 0}
    with open(small, "w", encoding="utf-8") as fs, open(big, "w", encoding="utf-8") as fb:
        while sizes["big_bytes"] < big_mb * 1_000_000:
            r = rng.random()
            if r < 0.08 and recent:
                line = rng.choice(recent)
            elif r < 0.11 and recent:
                line = rng.choice(recent) + rng.choice([" !!", " " + rng.choice(_EMOJI), "..."])
            elif r < 0.13:
                line = rng.choice(
                    [rng.choice(_EMOJI) * 6, f"https://t.co/{rng.getrandbits(30):x}", "!!!!!!!!!!!!!!!"]
                )
            else:
                pool = pools[rng.choices(names, weights)[0]]
                line = _tweetify(" ".join(rng.choice(pool) for _ in range(rng.randint(1, 3))), rng)
                if len(recent) < 50_000:
                    recent.append(line)
                else:
                    recent[rng.randrange(50_000)] = line
            data = line.replace("\n", " ") + "\n"
            n = len(data.encode("utf-8"))
            fb.write(data)
            sizes["big_bytes"] += n
            sizes["big_lines"] += 1
            if sizes["small_bytes"] < small_mb * 1_000_000:
                fs.write(data)
                sizes["small_bytes"] += n
                sizes["small_lines"] += 1
    return sizes


def run_child_stream(src: str, out: str, num_proc: int) -> None:
    """Child process: streaming load -> clean -> save; prints one JSON line."""
    import datasets

    from aimm_nlp.corpus import clean, load_corpus, save_corpus

    datasets.disable_progress_bars()
    t = time.perf_counter()
    ds, report = clean(load_corpus(src, streaming=True), min_chars=3, dedup="exact", num_proc=num_proc)
    saved = save_corpus(ds, out, report=report, progress=False, overwrite=True)
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps({"seconds": seconds, "n_input": report.n_input, "rows": saved.rows, "peak_rss_bytes": rss})
    )


def bench_inmemory(path: Path, near_docs: int) -> dict:
    import datasets

    from aimm_nlp.corpus import clean, load_corpus

    datasets.disable_caching()  # otherwise the second run would reuse the first one's map cache
    t = time.perf_counter()
    ds = load_corpus(path)
    load_s = time.perf_counter() - t
    out = {
        "docs": ds.num_rows,
        "load_seconds": round(load_s, 2),
        "load_docs_per_s": round(ds.num_rows / load_s),
    }
    for num_proc in (1, 2):
        t = time.perf_counter()
        _, report = clean(ds, min_chars=3, dedup="exact", num_proc=num_proc)
        s = time.perf_counter() - t
        out[f"clean_np{num_proc}"] = {
            "seconds": round(s, 2),
            "docs_per_s": round(ds.num_rows / s),
            "pipeline_docs_per_s": round(ds.num_rows / (s + load_s)),
            "kept": report.n_output,
            "removed": {st.name: st.removed for st in report.steps},
        }
        print(f"clean num_proc={num_proc}: {s:.1f}s, {ds.num_rows / s:,.0f} docs/s", flush=True)
    out["np2_over_np1"] = round(out["clean_np2"]["docs_per_s"] / out["clean_np1"]["docs_per_s"], 3)
    sub = ds.select(range(min(near_docs, ds.num_rows)))
    for num_proc in (1, 2):
        t = time.perf_counter()
        _, report = clean(sub, min_chars=3, dedup="near", num_proc=num_proc)
        s = time.perf_counter() - t
        out[f"near_np{num_proc}"] = {
            "docs": sub.num_rows,
            "seconds": round(s, 2),
            "docs_per_s": round(sub.num_rows / s),
        }
        out[f"near_np{num_proc}"]["near_dup_removed"] = report.steps[-1].removed
        print(f"near num_proc={num_proc}: {s:.1f}s, {sub.num_rows / s:,.0f} docs/s", flush=True)
    out["near_np2_over_np1"] = round(out["near_np2"]["docs_per_s"] / out["near_np1"]["docs_per_s"], 3)
    return out


def bench_planted(pools: dict[str, list[str]], n: int) -> dict:
    from datasets import Dataset

    from aimm_nlp.corpus import clean
    from aimm_nlp.corpus._planted import plant_near_duplicates

    rng = random.Random(SEED)
    pool = [t for texts in pools.values() for t in texts]
    docs, planted = plant_near_duplicates(rng.sample(pool, min(len(pool), 10 * n)), n=n, seed=SEED)
    ds = Dataset.from_dict(
        {"text": docs, "lang": [None] * len(docs), "source": [str(i) for i in range(len(docs))]}
    )
    out, _ = clean(ds, quality=None, dedup="near", near_threshold=0.8, num_proc=2)
    removed = set(range(len(docs))) - {int(s) for s in out["source"]}
    hits = len(removed & planted)
    return {
        "base_docs": len(docs) - len(planted),
        "planted": len(planted),
        "removed": len(removed),
        "recall": round(hits / len(planted), 4),
        "precision": round(hits / max(len(removed), 1), 4),
        "threshold": 0.8,
        "planted_min_true_jaccard": 0.85,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=520, help="size of the in-memory input (MB)")
    parser.add_argument("--stream-mb", type=int, default=1100, help="size of the streaming input (MB)")
    parser.add_argument("--near-docs", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=2000)
    parser.add_argument("--workdir", default="/tmp/aimm_bench_corpus")
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/corpus.json"))
    parser.add_argument("--stream-num-proc", type=int, default=2)
    parser.add_argument("--child-stream", nargs=3, metavar=("SRC", "OUT", "NP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_stream:
        run_child_stream(args.child_stream[0], args.child_stream[1], int(args.child_stream[2]))
        return

    import datasets
    import datasketch

    import aimm_nlp

    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ["HF_DATASETS_CACHE"] = str(work / "hf_cache")
    datasets.disable_progress_bars()
    shared = Path(os.environ.get("AIMM_SHARED", REPO.parent / "shared"))
    result: dict = {"load_before": os.getloadavg(), "cpus": os.cpu_count()}
    try:
        t0 = time.perf_counter()
        pools = pool_texts(shared)
        small, big = work / "small.txt", work / "big.txt"
        result["inputs"] = write_inputs(pools, small, big, args.mb, args.stream_mb)
        result["inputs"]["pool_sentences"] = {k: len(v) for k, v in pools.items()}
        result["inputs"]["generate_seconds"] = round(time.perf_counter() - t0, 1)
        print("inputs:", result["inputs"], flush=True)
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.run(
            [sys.executable, __file__, "--child-stream", str(big), str(work / "stream_out"), str(args.stream_num_proc)],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if proc.returncode:
            raise SystemExit(f"streaming child failed:\n{proc.stderr[-3000:]}")
        stream = json.loads(proc.stdout.strip().splitlines()[-1])
        stream["input_bytes"] = result["inputs"]["big_bytes"]
        stream["docs_per_s"] = round(stream["n_input"] / stream["seconds"])
        stream["num_proc"] = args.stream_num_proc
        # largest RSS among the child and its pool workers (each is a separate process)
        stream["worker_peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        stream["peak_rss_gb"] = round(stream["peak_rss_bytes"] / 1e9, 3)
        stream["target_gb"] = 1.5
        stream["met"] = stream["peak_rss_gb"] < 1.5
        result["streaming"] = stream
        print("streaming:", stream, flush=True)
        shutil.rmtree(work / "stream_out", ignore_errors=True)
        result["planted"] = bench_planted(pools, args.planted)
        print("planted:", result["planted"], flush=True)
        result["inmemory"] = bench_inmemory(small, args.near_docs)
        result["inmemory"]["input_bytes"] = result["inputs"]["small_bytes"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["load_after"] = os.getloadavg()
    result["versions"] = {
        "aimm_nlp": aimm_nlp.__version__,
        "datasets": datasets.__version__,
        "datasketch": datasketch.__version__,
        "python": platform.python_version(),
    }
    result["config"] = {
        "seed": SEED,
        "mb": args.mb,
        "stream_mb": args.stream_mb,
        "near_docs": args.near_docs,
        "planted": args.planted,
        "clean": {"normalize": "auto", "quality": "web.v1", "min_chars": 3, "dedup": "exact"},
        "note": "shared 2-core machine: compare ratios within this run, not absolute docs/s across runs",
    }
    result["seconds_total"] = round(time.perf_counter() - t0, 1)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
