#!/usr/bin/env bash
# Runs the whole test suite: slow tests (the shipped models end to end) and the GUI tests against
# a real PulseAudio null sink included.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=3
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
