#!/usr/bin/env bash
# Smoke test of the frozen app built by packaging/build.sh (no display needed):
#   1. the CLI: --version, models, analyze --demo (writes demo.jams and demo.lab);
#   2. the window, offscreen: `chordview demo` analyses the bundled demo song in its engine
#      process, exports the JAMS (CHORDVIEW_SMOKE_EXPORT) and quits;
#   3. reports the folder's size and the start-up times, against the same commands from the
#      source install (.venv) in the same run when there is one.
#   bash packaging/smoke.sh [APP_DIR]      # default: build/app/dist/chordview
set -euo pipefail
cd "$(dirname "$0")/.."
APP=${1:-build/app/dist/chordview}
EXE=$APP/chordview
[ -x "$EXE" ] || { echo "error: no $EXE: run bash packaging/build.sh first" >&2; exit 2; }
APP=$(cd "$APP" && pwd); EXE=$APP/chordview; ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=3
now() { date +%s.%N; }
check_jams() {  # a JAMS file with a chord annotation holding at least a few chords
  python3 - "$1" <<'PY'
import json, sys
jam = json.load(open(sys.argv[1]))
chords = [a for a in jam["annotations"] if a["namespace"] in ("chord", "chord_harte")]
assert chords and len(chords[0]["data"]) >= 5, "no chords in " + sys.argv[1]
print(f"  {sys.argv[1]}: {len(chords[0]['data'])} chords, {jam['file_metadata']['duration']:.1f} s")
PY
}
timed() {  # label, command...: runs it in $WORK, prints the seconds it took
  local label=$1; shift
  local t0; t0=$(now)
  (cd "$WORK" && "$@") > "$WORK/$label.out" 2> "$WORK/$label.err" || {
    echo "error: $label failed:" >&2; tail -20 "$WORK/$label.err" >&2; exit 1; }
  python3 -c "print(f'{$(now) - $t0:.2f}')"
}

echo "frozen app: $APP ($(du -sh "$APP" | cut -f1), $(find "$APP" -type f | wc -l) files)"
v=$(timed version "$EXE" --version); echo "  --version: $(cat "$WORK/version.out") in $v s"
m=$(timed models "$EXE" models); grep -q "^unet" "$WORK/models.out" || { echo "error: models lists no unet" >&2; exit 1; }
echo "  models: $(grep -c "^[a-z]" "$WORK/models.out") bundled models in $m s"
a=$(timed analyze "$EXE" analyze --demo -q); echo "  analyze --demo: $a s"
check_jams "$WORK/demo.jams"; test -s "$WORK/demo.lab"
w=$(CHORDVIEW_SMOKE_EXPORT=$WORK/window.jams timed window timeout 300 "$EXE" demo)
echo "  window: launched, demo song analysed and exported in $w s"
check_jams "$WORK/window.jams"
if [ -x "$ROOT/.venv/bin/chordview" ]; then
  rv=$(timed ref_version "$ROOT/.venv/bin/chordview" --version)
  ra=$(timed ref_analyze "$ROOT/.venv/bin/chordview" analyze --demo -q --overwrite)
  rw=$(CHORDVIEW_SMOKE_EXPORT=$WORK/ref.jams timed ref_window timeout 300 "$ROOT/.venv/bin/chordview" demo)
  python3 -c "print(f'  ratios frozen/source: --version {$v/$rv:.2f} ({$rv} s), analyze --demo {$a/$ra:.2f} ({$ra} s), window to analysed demo {$w/$rw:.2f} ({$rw} s)')"
fi
echo "smoke test passed"
