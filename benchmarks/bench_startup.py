"""Start-up cost of the light entry points vs the interpreter and CAMeL Tools, in one run.

Run:  python benchmarks/bench_startup.py  [--repeat 7]
Needs: camel-tools for the peer rows (``pip install "aimm-nlp[bench]"``).

Each row is a fresh ``python -c`` process (best of ``--repeat``, after one warm-up so the OS file
cache is warm): the bare interpreter, ``aimm --help``, ``import aimm_nlp.text`` plus one
normalization, and the same first call with CAMeL Tools. Prints seconds above the bare interpreter
and the aimm / CAMeL ratio; goal: ``aimm --help`` within 0.3 s of the interpreter. The import
guard (no torch / transformers / datasets on these paths) is a test, ``tests/test_import_guard.py``.
Writes benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _common import environment, versions, write_result

ROWS = {
    "python": "pass",
    "aimm --help": "import sys; sys.argv = ['aimm', '--help']\ntry:\n from aimm_nlp.cli import main; main()\n"
    "except SystemExit:\n pass",
    "aimm normalize (first call)": "from aimm_nlp.text import normalize; normalize('واااش نتا مزيان؟')",
    "aimm translit buckwalter (first call)": "from aimm_nlp.text import transliterate; "
    "transliterate('مرحبا', src='arb_Arab', dst='bw')",
    "camel normalize (first call)": "from camel_tools.utils.normalize import normalize_alef_ar; "
    "normalize_alef_ar('أهلا')",
    "camel ar2bw (first call)": "from camel_tools.utils.charmap import CharMapper; "
    "CharMapper.builtin_mapper('ar2bw')('مرحبا')",
}


def timed(code: str, repeat: int) -> float | None:
    cmd = [sys.executable, "-c", code]
    if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
        return None  # e.g. the peer is not installed
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    seconds = {name: timed(code, args.repeat) for name, code in ROWS.items()}
    floor = seconds["python"] or 0.0
    for name, s in seconds.items():
        shown = "not installed" if s is None else f"{s:.3f} s  (+{s - floor:.3f} over the interpreter)"
        print(f"{name:40s} {shown}")
    ratios = {}
    for ours, peer in (
        ("aimm normalize (first call)", "camel normalize (first call)"),
        ("aimm translit buckwalter (first call)", "camel ar2bw (first call)"),
    ):
        if seconds[ours] is not None and seconds[peer] is not None:
            ratios[f"{ours} / {peer}"] = round(seconds[ours] / seconds[peer], 3)
            print(f"{ours} / {peer}: {ratios[f'{ours} / {peer}']:.2f}x the time")
    help_over = (seconds["aimm --help"] or 0.0) - floor
    print(f"aimm --help over the interpreter: {help_over:.3f} s (goal <= 0.3 s)")
    path = write_result(
        "startup",
        {
            "benchmark": "startup",
            "config": {
                "repeat": args.repeat,
                "unit": "seconds of wall time per fresh process, best of repeat",
            },
            "environment": environment(),
            "versions": versions("aimm-nlp", "camel-tools"),
            "seconds": {k: None if v is None else round(v, 4) for k, v in seconds.items()},
            "aimm_help_over_interpreter_s": round(help_over, 4),
            "ratios": ratios,
        },
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
