#!/usr/bin/env bash
# Install this chordview folder for the current user (or PREFIX): the app in PREFIX/lib/chordview,
# the command in PREFIX/bin, the menu entry, icons and AppStream metadata under PREFIX/share.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$PREFIX/share"
rm -rf "$PREFIX/lib/chordview"
cp -r "$HERE" "$PREFIX/lib/chordview"
ln -sf "$PREFIX/lib/chordview/chordview" "$PREFIX/bin/chordview"
cp -r "$HERE/share/." "$PREFIX/share/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
echo "installed: $PREFIX/bin/chordview (and chordview in the application menu)"
