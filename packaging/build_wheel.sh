#!/usr/bin/env bash
# Build chordview's wheel into OUT_DIR from a copy of the sources, so no build/ or *.egg-info is
# left in the checkout. Prints the wheel's path.
#   bash packaging/build_wheel.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bash packaging/build_wheel.sh OUT_DIR}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
cp pyproject.toml README.md "$SRC/"
cp -r chordview models resources "$SRC/"
find "$SRC" -name __pycache__ -prune -exec rm -rf {} +
"$PY" -m pip wheel -q --no-deps -w "$OUT" "$SRC" >&2
ls "$OUT"/chordview-*.whl
