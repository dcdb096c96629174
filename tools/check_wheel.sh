#!/usr/bin/env bash
# The wheel is the product: build it, install it into a fresh venv in a temp folder outside the
# repository, check that aimm_nlp is imported from that venv, then run `aimm demo` and execute the four
# notebooks there (their outputs compared with the committed ones, as tests/test_notebooks.py does).
#
#   bash tools/check_wheel.sh                         # deps installed into the new venv from the index
#   AIMM_WHEEL_DEPS=reuse bash tools/check_wheel.sh   # faster: deps seen from the current environment
#
# AIMM_WHEEL_DEPS=install (default): `pip install torch==2.13.0`, then the wheel with its dependencies
# and the notebook runner (nbclient, nbformat, ipykernel), all from the configured package index.
# AIMM_WHEEL_DEPS=reuse: the new venv gets a .pth listing the current environment's site-packages (its
# torch, transformers, ...) AFTER its own, so the wheel's aimm_nlp wins over any editable install there
# (checked: aimm_nlp.__file__ and the shipped data must lie in the new venv).
# Needs `python` (3.10+, with pip) on PATH, or PYTHON=...; AIMM_SHARED as for the tests (default
# ../shared beside the repository). Writes only in a temp folder, removed at exit. Prints each step's time.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python}"
MODE="${AIMM_WHEEL_DEPS:-install}"
case "$MODE" in install|reuse) ;; *) echo "AIMM_WHEEL_DEPS must be install or reuse, not '$MODE'" >&2; exit 2 ;; esac
export AIMM_SHARED="${AIMM_SHARED:-$(cd "$REPO/.." && pwd)/shared}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/aimm_wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
T0=$SECONDS
step() { echo "== [$((SECONDS - T0)) s] $*"; }

step "build the wheel"
"$PY" -m pip wheel --no-deps --quiet --wheel-dir "$WORK/dist" "$REPO"
WHEEL="$(ls "$WORK"/dist/aimm_nlp-*.whl)"
echo "$(basename "$WHEEL"): $(du -k "$WHEEL" | cut -f1) KiB"

step "fresh venv ($MODE deps) in $WORK/venv"
"$PY" -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
SITE="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if [ "$MODE" = reuse ]; then
    "$PY" -c 'import site, sysconfig; print("\n".join(dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])))' \
        > "$SITE/zz_aimm_check_wheel_deps.pth"
    "$VPY" -m pip install --quiet --no-deps --no-index "$WHEEL"
else
    "$VPY" -m pip install --quiet torch==2.13.0
    "$VPY" -m pip install --quiet "$WHEEL" "nbclient>=0.10" "nbformat>=5.10" "ipykernel>=6.29"
fi

step "aimm_nlp comes from the new venv"
mkdir "$WORK/run"
cd "$WORK/run"  # outside the repository: nothing of it on sys.path
env -u PYTHONPATH "$VPY" - "$SITE" <<'EOF'
import sys
from pathlib import Path

import aimm_nlp
from aimm_nlp import resources

site = Path(sys.argv[1]).resolve()
for what, path in [("aimm_nlp", aimm_nlp.__file__), ("morocco_mini", resources.path("morocco_mini/sentiment.tsv"))]:
    path = Path(path).resolve()
    if not path.is_relative_to(site):
        sys.exit(f"{what} loaded from {path}, not from the new venv's {site}: the check would test another copy")
    print(f"{what}: {path}")
EOF

step "aimm demo"
env -u PYTHONPATH "$WORK/venv/bin/aimm" demo --out "$WORK/demo" --no-progress > "$WORK/demo.log" 2>&1 || {
    tail -40 "$WORK/demo.log"; echo "aimm demo failed from the wheel" >&2; exit 1; }
tail -1 "$WORK/demo.log"
test -s "$WORK/demo/report/leaderboard.html" || { echo "aimm demo wrote no report/leaderboard.html" >&2; exit 1; }

step "the four notebooks (outputs compared with the committed ones)"
env -u PYTHONPATH "$VPY" "$REPO/tools/run_notebooks.py" --check --expect-package-under "$SITE"

step "wheel OK: demo and notebooks ran from $(basename "$WHEEL") in a fresh venv"
