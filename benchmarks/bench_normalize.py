"""Throughput of aimm_nlp normalization vs CAMeL Tools and PyArabic, on real text, in one run.

Run:  python benchmarks/bench_normalize.py  [--repeat 3]
Needs: pip install "aimm-nlp[bench]" (camel-tools, PyArabic; their utils work offline).

Prints MB/s (UTF-8 bytes in / second, one core, one call per line as a user would write it) per
preset and per peer chain, the arb.v1 / CAMeL ratio, and checks that outputs are identical where
the operations are the same (dediacritization, alef, alef maksura, teh marbuta). Writes
benchmarks/results/normalize.json.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from _common import environment, shared_dir, versions, write_result
from aimm_nlp.text import Normalizer, preset_names


def load_text(shared: Path) -> dict[str, list[str]]:
    """Real lines by source: FLORES-200 dev+devtest, AfriSenti tweets, NLLB-Seed."""
    flores = shared / "corpora" / "flores200-subset"
    out: dict[str, list[str]] = {}
    for lang in ("ary_Arab", "arb_Arab", "fra_Latn", "eng_Latn", "tzm_Tfng"):
        lines: list[str] = []
        for split in ("dev", "devtest"):
            lines += (flores / split / f"{lang}.{split}").read_text("utf-8").splitlines()
        out[f"flores:{lang}"] = lines
    rows = (shared / "data" / "afrisenti_ma" / "train.tsv").read_text("utf-8").splitlines()
    header = rows[0].split("\t")
    col = header.index("text") if "text" in header else header.index("tweet")
    out["afrisenti:tweets"] = [r.split("\t")[col] for r in rows[1:]]
    rows = (shared / "data" / "nllb_seed_moroccan" / "seed_parallel.tsv").read_text("utf-8").splitlines()
    header = rows[0].split("\t")
    for lang in ("ary_Arab", "zgh_Tfng"):
        out[f"nllb_seed:{lang}"] = [r.split("\t")[header.index(lang)] for r in rows[1:]]
    return out


def mb_per_s(fn: Callable[[str], str], lines: list[str], repeat: int) -> float:
    nbytes = sum(len(line.encode("utf-8")) for line in lines)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for line in lines:
            fn(line)
        best = min(best, time.perf_counter() - start)
    return nbytes / best / 1e6


def camel_chains() -> tuple[Callable[[str], str], Callable[[str], str]]:
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    def full(s: str) -> str:
        s = normalize_unicode(s)
        return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s))))

    def overlap(s: str) -> str:
        return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s))))

    return full, overlap


def pyarabic_chain() -> Callable[[str], str]:
    from pyarabic import araby

    def chain(s: str) -> str:
        s = araby.strip_tatweel(araby.strip_tashkeel(s))
        return araby.normalize_teh(araby.normalize_alef(araby.normalize_ligature(s)))

    return chain


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    texts = load_text(shared_dir())
    all_lines = [line for lines in texts.values() for line in lines]
    arabic = texts["flores:ary_Arab"] + texts["flores:arb_Arab"] + texts["nllb_seed:ary_Arab"]
    arabic += [t for t in texts["afrisenti:tweets"] if any("\u0600" <= c <= "\u06ff" for c in t)]
    corpora = {"all": all_lines, "arabic_script": arabic}
    sizes = {k: sum(len(x.encode()) for x in v) / 1e6 for k, v in corpora.items()}
    print(
        f"text: {len(all_lines)} lines, {sizes['all']:.2f} MB (Arabic-script subset {sizes['arabic_script']:.2f} MB)"
    )

    results: dict[str, dict[str, float]] = {}
    for preset in preset_names():
        norm = Normalizer(preset)
        results[f"aimm {preset}"] = {k: mb_per_s(norm, v, args.repeat) for k, v in corpora.items()}
    camel_full, camel_overlap = camel_chains()
    results["camel_tools chain"] = {k: mb_per_s(camel_full, v, args.repeat) for k, v in corpora.items()}
    results["pyarabic chain"] = {k: mb_per_s(pyarabic_chain(), v, args.repeat) for k, v in corpora.items()}

    print(f"\n{'normalizer':<24}{'all MB/s':>10}{'Arabic MB/s':>13}")
    for name, row in results.items():
        print(f"{name:<24}{row['all']:>10.1f}{row['arabic_script']:>13.1f}")

    # Identical output where the operations are the same: CAMeL's four Arabic steps vs
    # arb.v1 with only those four switches on.
    off = dict.fromkeys(Normalizer("arb.v1").switches, False)
    same_ops = Normalizer(
        "arb.v1", **{**off, "diacritics": True, "alef": True, "alef_maksura": True, "teh_marbuta": True}
    )
    diffs = [line for line in all_lines if same_ops(line) != camel_overlap(line)]
    ratio = {k: results["aimm arb.v1"][k] / results["camel_tools chain"][k] for k in corpora}
    print(
        f"\nidentical to CAMeL on the overlapping operations: {len(all_lines) - len(diffs)}/{len(all_lines)} lines"
    )
    print(
        f"arb.v1 / CAMeL chain throughput: {ratio['all']:.2f}x (all text), {ratio['arabic_script']:.2f}x (Arabic script)"
    )
    print(
        f"ary_arab.v1 on Arabic-script text: {results['aimm ary_arab.v1']['arabic_script']:.1f} MB/s (goal >= 20)"
    )

    path = write_result(
        "normalize",
        {
            "benchmark": "bench_normalize",
            "config": {"repeat": args.repeat, "unit": "MB/s of UTF-8 input, one call per line, one core"},
            "text_mb": sizes,
            "sources": sorted(texts),
            "throughput_mb_s": results,
            "ratio_arb_v1_vs_camel": ratio,
            "identical_lines_vs_camel_overlap": [len(all_lines) - len(diffs), len(all_lines)],
            "versions": versions("aimm-nlp", "camel-tools", "PyArabic"),
            "environment": environment(),
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
