"""Arabizi -> Arabic on DODa: shipped default (ranked and phonetic), DODa-trained model, peers, one run.

Run:  python benchmarks/bench_translit.py  [--iterations 5] [--test-share 0.1]
Needs: pip install "aimm-nlp[bench]" (arabizi, darija-tools, cadar, arabizikit, camel-tools).

1. DODa (``../shared/data/doda``, CC BY-NC: evaluation and a throw-away user model only) is split
   by entry (``entry_id`` for words, ``id`` for sentences) with a salted hash: ``--test-share`` of
   the entries are test, the rest train a joint-sequence model (``aimm translit train``) in a
   temporary folder, timed.
2. Every system transliterates the same test inputs; one scorer (``aimm_nlp.text.translit._eval``)
   reports CER folded (alef/yeh/teh marbuta folded, diacritics, spaces and punctuation dropped),
   CER strict, word-exact, and MB/s (UTF-8 input bytes / s, one core, one call per line).
   Our systems are timed cold (fresh instance, empty word cache, model memos cleared), warm
   (second pass) and batch cold (a fresh instance, one ``batch()`` call for the whole set, best of 3:
   how a corpus or ``aimm translit`` goes; the peers have no batch API).
3. Buckwalter: ``ar2bw``/``bw2ar`` (+ safe BW, HSB) output compared line by line with CAMeL Tools
   on NLLB-Seed ary_Arab and UD Arabic-PUD, plus round trips.
4. Stream throughput: real Arabizi tweets (AfriSenti, Latin-script majority), cold, warm, batch;
   and whole processes converting files of 0.1, 0.5 and 1.5 MB of DODa sentences + those tweets
   (``aimm translit``, ``--phonetic`` and ``--phonetic --no-keep-foreign``, fresh with empty numba and aimm
   caches and warm, vs a script calling the peer
   per line), start-up and model loading included. Alone: ``python -c "import sys; sys.path[:0] =
   ['benchmarks']; import bench_translit as b, _common; print(b.process_throughput(_common.shared_dir(),
   list(b.PEER_SCRIPTS)))"``.
5. keep_foreign: share of marked French/English tokens of ``tests/data/codeswitch_translit.tsv``
   left verbatim.

Writes benchmarks/results/translit.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from _common import REPO, environment, shared_dir, versions, write_result
from aimm_nlp.text.translit import Transliterator, train_transliterator, transliterate
from aimm_nlp.text.translit._eval import score

SALT = "aimm-translit-2026"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def is_test(entry: str, share: float) -> bool:
    h = int(hashlib.sha256(f"{SALT}:{entry}".encode()).hexdigest()[:8], 16)
    return h / 0xFFFFFFFF < share


def load_doda(
    shared: Path, share: float
) -> tuple[list[tuple[str, str, str]], dict[str, list[tuple[str, str, str]]]]:
    """Train rows and test sets ``{"words": [...], "sentences": [...]}`` of ``(latin, arabic, source)``."""
    doda = shared / "data" / "doda"
    train: list[tuple[str, str, str]] = []
    test: dict[str, list[tuple[str, str, str]]] = {"words": [], "sentences": []}
    # rows with an empty side (4 in sentences.tsv) are left out: nothing to learn or score there, and
    # `aimm translit train/eval` refuse them
    for r in read_tsv(doda / "words_translit.tsv"):
        row = (r["latin"], r["arabic"], r["source_file"])
        if row[0].strip() and row[1].strip():
            (test["words"] if is_test(r["entry_id"], share) else train).append(row)
    for r in read_tsv(doda / "sentences.tsv"):
        row = (r["darija_latin"], r["darija_arabic"], r["source_file"].split("/")[0])
        if row[0].strip() and row[1].strip():
            (test["sentences"] if is_test(r["id"], share) else train).append(row)
    return train, test


def peers() -> dict[str, Callable[[str], str]]:
    out: dict[str, Callable[[str], str]] = {}
    try:
        import arabizi

        out["arabizi"] = arabizi.transliterate
    except ImportError:
        pass
    try:
        import darija_tools

        out["darija-tools"] = darija_tools.to_arabic
    except ImportError:
        pass
    try:
        import cadar

        out["cadar"] = lambda s: cadar.bizi2ara(s, darija="Ma")
    except ImportError:
        pass
    try:
        import arabizikit

        out["arabizikit"] = lambda s: arabizikit.transliterate(s).text
    except ImportError:
        pass
    return out


def guarded(fn: Callable[[str], str], errors: list[int]) -> Callable[[str], str]:
    """A peer that raises on an input produces "" for it (counted), so one bad line cannot stop the run."""

    def call(text: str) -> str:
        try:
            return fn(text)
        except Exception:
            errors[0] += 1
            return ""

    return call


def run_system(fn: Callable[[str], str], rows: list[tuple[str, str, str]]) -> tuple[list[str], float]:
    start = time.perf_counter()
    hyps = [fn(src) for src, _, _ in rows]
    return hyps, time.perf_counter() - start


def clear_memos(t: Transliterator) -> None:
    """Forget every memo the shared model keeps, so the next pass over new text is really cold.

    One-time builds that belong to loading the model are done here, outside the timed pass, like reading
    the model files: the C kernels' tables (their state machine empty) where the install built them,
    else the engines that stand in for them (the keep-foreign numpy tables, numba's ranked search), which
    a process with the kernels never loads.
    """
    model = t.model
    foreign = getattr(model, "foreign", None)
    for holder in (model, foreign):  # the C kernels' lazily filled tables: built anew, cold
        if holder is not None and hasattr(type(holder), "_native"):
            vars(holder).pop("_native", None)
            _ = holder._native
    if foreign is not None:
        if foreign._native is None:
            foreign.prepare()
        foreign.decide.cache_clear()
        foreign._diff.clear()
        for lm in (foreign.foreign_lm, foreign.arabizi_lm):
            lm.memo.clear()
            lm.ext.clear()
    for lm in (getattr(model, "lm", None), getattr(getattr(model, "model", None), "tables", None)):
        if lm is not None:
            lm.memo.clear()
            lm.ext.clear()
    if hasattr(model, "_load_jit") and not t.phonetic and model._native is None:
        # Without the C kernels, numba's ranked search (its import + on-disk compiled code) is loaded with
        # the model; it keeps no memo. Without numba it is False and the Python search is timed.
        if model._jit is None:
            model._load_jit()


def evaluate_sets(
    systems: dict[str, Callable[[], Callable[[str], str]]], test: dict[str, list[tuple[str, str, str]]]
) -> dict:
    results: dict = {}
    for name, make in systems.items():
        results[name] = {}
        for set_name, rows in test.items():
            fn = make()
            if isinstance(fn, Transliterator):
                clear_memos(fn)
            mb = sum(len(s.encode()) for s, _, _ in rows) / 1e6
            hyps, secs = run_system(fn, rows)
            overall, per = score(hyps, [d for _, d, _ in rows], sources=[s for _, _, s in rows])
            entry = {**overall.to_dict(), "mb_per_s": round(mb / secs, 4), "by_source": {}}
            entry["by_source"] = {k: v.to_dict() for k, v in per.items()}
            if isinstance(fn, Transliterator):
                _, warm = run_system(fn, rows)
                entry["mb_per_s_warm"] = round(mb / warm, 3)
                # best of 3 fresh instances: the timed region is a few milliseconds on the words set
                best = math.inf
                for _ in range(3):
                    fresh = make()
                    clear_memos(fresh)
                    start = time.perf_counter()
                    assert fresh.batch([src for src, _, _ in rows]) == hyps
                    best = min(best, time.perf_counter() - start)
                entry["mb_per_s_batch_cold"] = round(mb / best, 3)
            results[name][set_name] = entry
            print(
                f"{name:24s} {set_name:9s} CER folded {overall.cer_folded:.4f} strict {overall.cer_strict:.4f} "
                f"word-exact {overall.word_exact:.4f}  {entry['mb_per_s']:.3f} MB/s"
                + (
                    f" (warm {entry['mb_per_s_warm']:.2f}, batch cold {entry['mb_per_s_batch_cold']:.2f})"
                    if "mb_per_s_warm" in entry
                    else ""
                ),
                flush=True,
            )
    return results


def stream_throughput(shared: Path, peer_fns: dict[str, Callable[[str], str]]) -> dict:
    """MB/s on real Arabizi tweets (AfriSenti, Latin-script majority): shipped default vs peers.

    Ours: a fresh instance (cold: every word decoded once) and the same instance again (warm:
    steady state of a long stream, where words repeat). Best of 3 for the warm pass and peers.
    """
    tweets = [
        r["tweet"] for s in ("train", "dev", "test") for r in read_tsv(shared / f"data/afrisenti_ma/{s}.tsv")
    ]
    arab = re.compile("[\u0600-\u06ff]")
    lines = [t for t in tweets if len(arab.findall(t)) * 2 < len(t)]
    mb = sum(len(t.encode()) for t in lines) / 1e6
    out: dict = {"lines": len(lines), "mb": round(mb, 4)}
    for name, phonetic in (("aimm default", False), ("aimm phonetic", True)):
        t = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
        clear_memos(t)
        _, cold = run_system(t, [(x, "", "") for x in lines])
        warm = min(run_system(t, [(x, "", "") for x in lines])[1] for _ in range(3))
        fresh = Transliterator(src="ary_Latn", dst="ary_Arab", phonetic=phonetic)
        clear_memos(fresh)
        start = time.perf_counter()
        fresh.batch(lines)
        batch = time.perf_counter() - start
        out[name] = {
            "cold_mb_per_s": round(mb / cold, 4),
            "warm_mb_per_s": round(mb / warm, 3),
            "batch_cold_mb_per_s": round(mb / batch, 3),
        }
    for name, fn in peer_fns.items():
        errors = [0]
        secs = min(run_system(guarded(fn, errors), [(x, "", "") for x in lines])[1] for _ in range(3))
        out[name] = {"mb_per_s": round(mb / secs, 4)}
    best = max((n for n in peer_fns), key=lambda n: out[n]["mb_per_s"], default=None)
    if best:
        out["fastest_peer"] = best
        out["warm_ratio_vs_fastest_peer"] = round(
            out["aimm default"]["warm_mb_per_s"] / out[best]["mb_per_s"], 3
        )
        out["cold_ratio_vs_fastest_peer"] = round(
            out["aimm default"]["cold_mb_per_s"] / out[best]["mb_per_s"], 4
        )
        for ours in ("aimm default", "aimm phonetic"):
            out[f"{ours} batch_cold_ratio_vs_fastest_peer"] = round(
                out[ours]["batch_cold_mb_per_s"] / out[best]["mb_per_s"], 3
            )
    print("stream (AfriSenti Arabizi tweets):", out, flush=True)
    return out


# What a peer's user writes to convert a file: import, one call per line, write the lines out.
PEER_SCRIPTS = {
    "arabizi": "import arabizi\nf = arabizi.transliterate",
    "darija-tools": "import darija_tools\nf = darija_tools.to_arabic",
    "cadar": "import cadar\ndef f(s):\n    return cadar.bizi2ara(s, darija='Ma')",
    "arabizikit": "import arabizikit\ndef f(s):\n    return arabizikit.transliterate(s).text",
}
PEER_LOOP = """
import sys
def g(s):
    try:
        return f(s)
    except Exception:
        return ''
with open(sys.argv[1], encoding='utf-8') as fh:
    lines = fh.read().split('\\n')
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    out.write('\\n'.join(map(g, lines)))
"""


# Our whole-process runs (name, options after the pair) and how many times each process is timed (best of).
OURS_PROCESSES = (
    ("aimm default", []),
    ("aimm phonetic", ["--phonetic"]),
    ("aimm phonetic, no keep-foreign", ["--phonetic", "--no-keep-foreign"]),
)
PROCESS_RUNS = 3


def native_kernels() -> str:
    """Which search the runs used: the C kernels of ``_native`` where the install built them."""
    from aimm_nlp.text.translit import _native

    if os.environ.get("AIMM_NO_NATIVE"):
        return "off (AIMM_NO_NATIVE=1): Python, numpy and numba"
    return "C (_ckernels)" if _native.kernels() is not None else "not built: Python, numpy and numba"


def process_throughput(
    shared: Path, peer_names: list[str], sizes_mb: tuple[float, ...] = (0.1, 0.5, 1.5)
) -> dict:
    """Whole processes converting real Arabizi files: start-up, imports and model loading included.

    The files: the first lines (up to each of ``sizes_mb``) of the Latin side of every DODa sentence
    plus the Latin-majority AfriSenti tweets, shuffled with a fixed seed so every size mixes both
    (what a corpus job sees: words repeat, new ones keep coming). Ours: ``aimm translit FILE -o OUT``
    (default model, keep-foreign on, as a user runs it; ``--phonetic``; and ``--phonetic
    --no-keep-foreign``, which like the peers transliterates every word), ``fresh``: empty numba and
    aimm caches (``NUMBA_CACHE_DIR`` and ``AIMM_CACHE_DIR`` pointing at a new temporary folder each run:
    what a new user and CI get), and ``warm``: with the caches a run over all the lines left behind
    (numba's compiled search and the stored tables); best of :data:`PROCESS_RUNS` each. Peers: a Python
    process that imports the peer and calls it per line (their only API), best of
    :data:`PROCESS_RUNS`, timed in turn with ours. All run from bytecode (ours compiled first with
    ``compileall``, as ``pip install`` does; ``PYTHONDONTWRITEBYTECODE`` dropped).
    """
    import os
    import random
    import subprocess

    lines = [r["darija_latin"] for r in read_tsv(shared / "data/doda/sentences.tsv")]
    arab = re.compile("[\u0600-\u06ff]")
    tweets = [
        r["tweet"] for s in ("train", "dev", "test") for r in read_tsv(shared / f"data/afrisenti_ma/{s}.tsv")
    ]
    lines += [t for t in tweets if len(arab.findall(t)) * 2 < len(t)]
    lines = [line.replace("\n", " ") for line in lines]
    random.Random(0).shuffle(lines)
    out: dict = {"lines_total": len(lines)}

    def timed(cmd: list[str], env: dict[str, str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    # Every process, ours and the peers', runs from bytecode as after `pip install` (which compiles the
    # modules): a development shell with PYTHONDONTWRITEBYTECODE=1 would make ours compile its sources
    # at every start while the peers' installed bytecode is read.
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    import aimm_nlp

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(aimm_nlp.__file__).parent)],
        check=True,
        env=base_env,
        stdout=subprocess.DEVNULL,
    )
    ours = [sys.executable, "-m", "aimm_nlp", "translit", "--src", "ary_Latn", "--dst", "ary_Arab"]
    primed = Path(tempfile.mkdtemp())  # caches a long job left behind (numba's compiled search included)
    primed_env = {
        **base_env,
        "AIMM_CACHE_DIR": str(primed / "aimm"),
        "NUMBA_CACHE_DIR": str(primed / "numba"),
    }
    (primed / "all.txt").write_text("\n".join(lines), encoding="utf-8")
    for _, extra in OURS_PROCESSES:
        timed([*ours, *extra, str(primed / "all.txt"), "-o", str(primed / "all.out")], primed_env)
    for size in sizes_mb:
        take, total = [], 0
        for line in lines:
            total += len(line.encode()) + 1
            if total > size * 1e6:
                break
            take.append(line)
        row: dict = {}
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = Path(tmp) / "arabizi.txt", Path(tmp) / "out.txt"
            src.write_text("\n".join(take), encoding="utf-8")
            mb = src.stat().st_size / 1e6
            row["mb"], row["lines"] = round(mb, 4), len(take)
            times: dict[str, list[float]] = defaultdict(list)
            for run in range(PROCESS_RUNS):  # in turn, so a slow spell of the machine hits every system
                for name, extra in OURS_PROCESSES:
                    caches = Path(tmp) / f"caches-{run}-{len(extra)}"  # empty: a new user, a CI container
                    env = {
                        **base_env,
                        "AIMM_CACHE_DIR": str(caches / "aimm"),
                        "NUMBA_CACHE_DIR": str(caches / "numba"),
                    }
                    times[name, "fresh_s"].append(timed([*ours, *extra, str(src), "-o", str(dst)], env))
                    times[name, "warm_s"].append(timed([*ours, *extra, str(src), "-o", str(dst)], primed_env))
                for name in peer_names:
                    script = PEER_SCRIPTS[name] + PEER_LOOP
                    times[name, "process_s"].append(
                        timed([sys.executable, "-c", script, str(src), str(dst)], dict(base_env))
                    )
            for (name, when), seconds in times.items():
                row.setdefault(name, {})[when] = round(min(seconds), 3)
        fastest = min(peer_names, key=lambda n: row[n]["process_s"], default=None)
        if fastest:
            row["fastest_peer"] = fastest
            for name, _ in OURS_PROCESSES:
                for when in ("fresh_s", "warm_s"):
                    row[f"{name} {when[:-2]} time_vs_fastest_peer"] = round(
                        row[name][when] / row[fastest]["process_s"], 3
                    )
        out[f"{size} MB"] = row
        print(f"whole process, {row['mb']} MB of real Arabizi:", row, flush=True)
    shutil.rmtree(primed, ignore_errors=True)
    return out


def buckwalter_check(shared: Path) -> dict:
    from camel_tools.utils.charmap import CharMapper

    lines = [r["ary_Arab"] for r in read_tsv(shared / "data/nllb_seed_moroccan/seed_parallel.tsv")]
    lines += [r["text"] for r in read_tsv(shared / "data/ud_arabic_pud/sentences.tsv")]
    ext = re.compile("[ڭژ]")
    out: dict = {
        "lines": len(lines),
        "lines_with_moroccan_extensions": sum(bool(ext.search(x)) for x in lines),
    }
    for ours, camel in (("bw", "ar2bw"), ("safebw", "ar2safebw"), ("hsb", "ar2hsb")):
        cm = CharMapper.builtin_mapper(camel)
        back = CharMapper.builtin_mapper(camel.replace("ar2", "") + "2ar")
        same = same_back = comparable = round_trip = 0
        for line in lines:
            mine = transliterate(line, src="arb_Arab", dst=ours)
            round_trip += transliterate(mine, src=ours, dst="arb_Arab") == line
            if ext.search(line):
                continue  # CAMeL leaves ڭ/ژ unmapped by design; we map them (documented)
            comparable += 1
            same += mine == cm(line)
            same_back += transliterate(mine, src=ours, dst="arb_Arab") == back(cm(line))
        out[ours] = {
            "camel_mapper": camel,
            "comparable_lines": comparable,
            "identical_to_camel": round(same / comparable, 6),
            "reverse_identical_to_camel": round(same_back / comparable, 6),
            "round_trip_exact_all_lines": round(round_trip / len(lines), 6),
        }
        print(
            f"buckwalter {ours:7s} identical to CAMeL {camel}: {same}/{comparable}; round trip {round_trip}"
        )
    return out


def keep_foreign_rate() -> dict:
    path = REPO / "tests" / "data" / "codeswitch_translit.tsv"
    rows = read_tsv(path)
    marked = re.compile(r"\[([^\]]+)\]")
    kept = total = darija_kept = darija_total = 0
    t = Transliterator(src="ary_Latn", dst="ary_Arab")
    for r in rows:
        text = marked.sub(r"\1", r["marked"])
        foreign = {w for w in marked.findall(r["marked"])}
        out_words = set(re.findall(r"[^\s,.!?;:]+", t(text)))
        for w in marked.findall(r["marked"]):
            total += 1
            kept += w in out_words
        for w in re.findall(r"[A-Za-z0-9']+", marked.sub(" ", r["marked"])):
            if w not in foreign and not w[0].isdigit():
                darija_total += 1
                darija_kept += w in out_words
    rate = kept / total
    print(
        f"keep_foreign: {kept}/{total} foreign tokens verbatim ({rate:.4f}); Darija words left Latin: "
        f"{darija_kept}/{darija_total}"
    )
    return {
        "sentences": len(rows),
        "foreign_tokens": total,
        "kept_verbatim": kept,
        "rate": round(rate, 4),
        "darija_words": darija_total,
        "darija_words_left_latin": darija_kept,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--test-share", type=float, default=0.1)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--order", type=int, default=4)
    args = ap.parse_args()
    shared = shared_dir()
    train, test = load_doda(shared, args.test_share)
    print(
        f"DODa split: {len(train)} train rows, test {len(test['words'])} words / {len(test['sentences'])} sentences"
    )
    with tempfile.TemporaryDirectory() as tmp:
        pairs = Path(tmp) / "doda_train.tsv"
        with open(pairs, "w", encoding="utf-8") as fh:
            fh.write("latin\tarabic\tsource\n")
            fh.writelines(f"{a}\t{b}\t{s}\n" for a, b, s in train)
        model_dir = Path(tmp) / "doda_model"
        report = train_transliterator(
            pairs,
            src_col="latin",
            dst_col="arabic",
            out=model_dir,
            order=args.order,
            iterations=args.iterations,
        )
        print(f"trained on DODa train split in {report.seconds:.1f} s: {report}", flush=True)
        systems: dict[str, Callable[[], Callable[[str], str]]] = {
            "aimm default": lambda: Transliterator(src="ary_Latn", dst="ary_Arab", keep_foreign=False),
            "aimm default keep_foreign": lambda: Transliterator(src="ary_Latn", dst="ary_Arab"),
            "aimm phonetic": lambda: Transliterator(
                src="ary_Latn", dst="ary_Arab", keep_foreign=False, phonetic=True
            ),
            "aimm phonetic keep_foreign": lambda: Transliterator(
                src="ary_Latn", dst="ary_Arab", phonetic=True
            ),
            "aimm doda-trained": lambda: Transliterator(
                src="ary_Latn", dst="ary_Arab", model=model_dir, keep_foreign=False
            ),
        }
        peer_errors: dict[str, list[int]] = {}
        for name, fn in peers().items():
            peer_errors[name] = [0]
            systems[name] = lambda fn=fn, e=peer_errors[name]: guarded(fn, e)
        results = evaluate_sets(systems, test)
        for name, errs in peer_errors.items():
            results[name]["exceptions"] = errs[0]
    peer_names = [n for n in results if not n.startswith("aimm")]
    test_sets = list(test)
    summary: dict = {}
    for set_name in test_sets:
        best_peer = min(peer_names, key=lambda n: results[n][set_name]["cer_folded"]) if peer_names else None
        row: dict = {"best_peer": best_peer}
        if best_peer:
            bp = results[best_peer][set_name]
            for ours in ("aimm default", "aimm phonetic", "aimm doda-trained"):
                r = results[ours][set_name]
                row[ours] = {
                    "cer_folded_relative_reduction_vs_best_peer": round(
                        1 - r["cer_folded"] / bp["cer_folded"], 4
                    ),
                    "cer_strict_relative_reduction_vs_best_peer": round(
                        1 - r["cer_strict"] / bp["cer_strict"], 4
                    ),
                    "speed_ratio_cold_vs_best_peer": round(r["mb_per_s"] / bp["mb_per_s"], 3),
                    "speed_ratio_warm_vs_best_peer": round(r.get("mb_per_s_warm", 0) / bp["mb_per_s"], 3),
                    "speed_ratio_batch_cold_vs_best_peer": round(
                        r.get("mb_per_s_batch_cold", 0) / bp["mb_per_s"], 3
                    ),
                }
        summary[set_name] = row
        print(set_name, row)
    payload = {
        "benchmark": "translit",
        "config": {
            "test_share": args.test_share,
            "split_salt": SALT,
            "split_unit": "DODa entry (entry_id for words, id for sentences)",
            "order": args.order,
            "iterations": args.iterations,
            "keep_foreign": "off for CER rows (DODa references transliterate loanwords) except 'keep_foreign' row",
            "throughput": (
                "UTF-8 input MB per second, one core. mb_per_s: one call per line (peers: their only API), "
                "fresh instance and model memos cleared (cold); mb_per_s_warm: the same instance again; "
                "mb_per_s_batch_cold: a fresh instance, memos cleared, one batch() call for the whole set (best of 3). "
                "Model loading and its one-time table builds (~0.2 s each) are not timed"
            ),
        },
        "environment": environment(),
        # the ranked search and keep-foreign checks in C (built at install; else Python/numpy/numba)
        "native_kernels": native_kernels(),
        "versions": versions("aimm-nlp", "arabizi", "darija-tools", "cadar", "arabizikit", "camel-tools"),
        "split": {"train_rows": len(train), **{k: len(v) for k, v in test.items()}},
        "training": report.__dict__,
        "results": results,
        "summary": summary,
        "stream_throughput": stream_throughput(shared, peers()),
        "process_throughput": process_throughput(shared, [n for n in PEER_SCRIPTS if n in peers()]),
        "buckwalter_vs_camel": buckwalter_check(shared),
        "keep_foreign": keep_foreign_rate(),
    }
    print("wrote", write_result("translit", payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
