#!/usr/bin/env bash
# Reproduce a shipped model from scratch: render the generator-v2 corpus (seeded), train, evaluate.
#
#   bash scripts/train_model.sh unet     # or: cr2
#
# 1. Renders data/hymn/val (60 songs, seed 2, the held-out soundfont TimGM6mb), data/v2/test (60
#    band songs, seed 3, TimGM6mb), data/v2/test-chorale (60 songs sung in four parts, seed 4,
#    TimGM6mb), data/v2/test-hymn (the same songs with a chorale's harmony) and data/hymn/train
#    (1600 songs, seed 1, the training soundfonts). A quarter of the train and val songs are sung
#    in four parts with a chorale's harmony (--chorale 0.25 --hymn, see
#    chordview/generator/hymn.py), the rest played by a band. Existing songs are kept when they
#    match, so an interrupted run resumes; about 2 GB.
# 2. Trains ARCH with the shipped configuration (36 epochs x 150 batches of 8 x 128 frames, seed 1;
#    v2.4.0, experiment D of docs/unet-vs-cr2.md) into runs/v2.4/bundles/ARCH; checkpoints in
#    runs/v2.4/ARCH, so re-running resumes.
# 3. Scores it on data/v2/test, data/v2/test-chorale and data/v2/test-hymn (held out) and, when data/romantext
#    exists (EVALUATION ONLY: built by scripts/make_romantext_set.py), on the RomanText set; all
#    are recorded in the bundle's scores. Nothing is selected on RomanText: the weights kept are those of the best validation
#    loss on data/hymn/val.
# Copy runs/v2.4/bundles/ARCH/* to models/ARCH/ to ship it. Background work runs at nice 10.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:?usage: bash scripts/train_model.sh unet|cr2}
case "$ARCH" in unet | cr2) ;; *) echo "error: unknown architecture '$ARCH' (unet or cr2)" >&2; exit 2 ;; esac
PY=.venv/bin/python
CV=.venv/bin/chordview
[ -x "$CV" ] || { echo "error: no .venv: run bash scripts/setup.sh first" >&2; exit 2; }
JOBS=${JOBS:-$(nproc)}
HELD=$($PY -c "from chordview.generator.synth import HELDOUT_SOUNDFONT; print(HELDOUT_SOUNDFONT())")
run() { echo "+ $*" >&2; nice -n 10 "$@"; }

SYNTH=(run $PY -m chordview.generator.synth --workers "$JOBS")
"${SYNTH[@]}" data/hymn/val --songs 60 --seed 2 --soundfont "$HELD" --chorale 0.25 --hymn
"${SYNTH[@]}" data/v2/test --songs 60 --seed 3 --soundfont "$HELD"
"${SYNTH[@]}" data/v2/test-chorale --songs 60 --seed 4 --soundfont "$HELD" --chorale 1
"${SYNTH[@]}" data/v2/test-hymn --songs 60 --seed 4 --soundfont "$HELD" --chorale 1 --hymn
"${SYNTH[@]}" data/hymn/train --songs 1600 --seed 1 --chorale 0.25 --hymn

run $CV train data/hymn/train --val data/hymn/val --arch "$ARCH" -o "runs/v2.4/bundles/$ARCH" \
  --run-dir "runs/v2.4/$ARCH" --epochs 36 --steps 150 --batch-size 8 --frames 128 --seed 1

run $CV evaluate data/v2/test --model "runs/v2.4/bundles/$ARCH" --device cpu \
  -o "runs/v2.4/eval_${ARCH}_test" --record synthetic-test --overwrite
run $CV evaluate data/v2/test-chorale --model "runs/v2.4/bundles/$ARCH" --device cpu \
  -o "runs/v2.4/eval_${ARCH}_test_chorale" --record synthetic-test-chorale --overwrite
run $CV evaluate data/v2/test-hymn --model "runs/v2.4/bundles/$ARCH" --device cpu \
  -o "runs/v2.4/eval_${ARCH}_test_hymn" --record synthetic-test-hymn --overwrite
if [ -d data/romantext ]; then
  run $CV evaluate data/romantext --model "runs/v2.4/bundles/$ARCH" --device cpu \
    -o "runs/v2.4/eval_${ARCH}_romantext" --record romantext --overwrite
fi
echo "done: runs/v2.4/bundles/$ARCH (copy its files to models/$ARCH/ to ship it)"
