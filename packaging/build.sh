#!/usr/bin/env bash
# Build the one-folder desktop app from this checkout: build/app/dist/chordview/.
#
#   bash packaging/build.sh            # then: bash packaging/smoke.sh
#
# 1. builds the wheel (packaging/build_wheel.sh) and installs it with the GUI extra into a fresh virtualenv
#    build/app/venv, so the app is made from exactly what `pip install chordview[gui]` gives;
# 2. runs PyInstaller on packaging/chordview.spec there;
# 3. adds the desktop integration (share/applications, share/icons/hicolor, share/metainfo) and
#    an install.sh that puts it in ~/.local (or a PREFIX).
# System packages first: bash scripts/setup.sh (Python 3.11+, PortAudio, Qt's X libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/app
PY=${PYTHON:-python3}
rm -rf "$OUT"
"$PY" -m venv "$OUT/venv"
V=$OUT/venv/bin/python
$V -m pip install -q --upgrade pip
WHEEL=$(PYTHON=$V bash packaging/build_wheel.sh "$OUT/wheel")
$V -m pip install -q "$WHEEL[gui]" "pyinstaller>=6.10"
(cd "$ROOT/packaging" && "$OUT/venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work" chordview.spec)
APP=$OUT/dist/chordview
mkdir -p "$APP/share/applications" "$APP/share/metainfo"
cp packaging/org.chordview.chordview.desktop "$APP/share/applications/"
cp packaging/org.chordview.chordview.metainfo.xml "$APP/share/metainfo/"
mkdir -p "$APP/share/icons"
cp -r resources/icons/hicolor "$APP/share/icons/"
mkdir -p "$APP/share/icons/hicolor/scalable/apps"
cp resources/icons/chordview.svg "$APP/share/icons/hicolor/scalable/apps/chordview.svg"
cp packaging/install.sh "$APP/install.sh"
echo "built $APP ($(du -sh "$APP" | cut -f1)); try: bash packaging/smoke.sh"
