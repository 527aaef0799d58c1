#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: system libraries (FluidSynth, soundfonts, PortAudio,
# PulseAudio, Qt's X libraries, Xvfb) and a virtual environment in .venv with chordview installed
# in editable mode with every extra. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
APT_PACKAGES=(
  python3-venv python3-dev
  libsndfile1 ffmpeg
  libfluidsynth3 fluid-soundfont-gm musescore-general-soundfont timgm6mb-soundfont
  fluidr3mono-gm-soundfont csound-soundfont
  libportaudio2 pulseaudio libasound2-plugins
  xvfb xauth libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libdbus-1-3
  libfontconfig1
  desktop-file-utils appstream
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[gui,train,evalsets,test]"
echo "set-up done: $(.venv/bin/chordview --version)"
