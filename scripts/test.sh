#!/usr/bin/env bash
# Runs the whole test suite, slow tests (the shipped models end to end) included. GUI tests with
# real-time limits are quarantined while they flake on 2-core machines: `bash scripts/test.sh -m
# gui_timing` runs them (a later -m overrides the default one).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=3
exec .venv/bin/python -m pytest -q -p no:cacheprovider -m "not gui_timing" "$@"
