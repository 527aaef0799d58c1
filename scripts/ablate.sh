#!/usr/bin/env bash
# The UNet ablation study of docs/unet-vs-cr2.md, at a reduced budget that fits 2 CPU cores.
#
#   bash scripts/ablate.sh [EPOCHS [VARIANT...]]     # default: 6 epochs, every variant
#
# Every variant is the shipped UNet with one choice changed, trained from scratch on the same
# data (data/v2/train, rendered by scripts/train_model.sh), with the same seed, batches and
# validation set (data/v2/val picks the best epoch) for EPOCHS x 150 batches of 8 x 128 frames;
# 'baseline' changes nothing, so its first epochs are those of the shipped run. Each is scored on
# the held-out synthetic test set (data/v2/test). Runs resume where they stopped. The table goes
# to runs/v2/ablation-EEPOCHS.{md,json}. Nothing here looks at the RomanText set.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-6}
shift || true
CV=.venv/bin/chordview
[ -x "$CV" ] || { echo "error: no .venv: run bash scripts/setup.sh first" >&2; exit 2; }
[ -d data/v2/train ] && [ -d data/v2/test ] || {
  echo "error: no data/v2: render it first (the first step of scripts/train_model.sh)" >&2; exit 2; }

# the training options each variant adds to the shipped configuration
declare -A HP=(
  [baseline]=""
  [collapse-pool]='--hp collapse="pool"'
  [collapse-attention]='--hp collapse="attention"'
  [no-time-pool]='--hp pool_time=false'
  [no-dilations]='--hp dilations=[]'
  [tag-only]='--hp structured=false'
  [hcqt]='--harmonics 0.5,1,2,3'
)
ORDER=(baseline collapse-pool collapse-attention no-time-pool no-dilations tag-only hcqt)
[ $# -gt 0 ] && ORDER=("$@")
for name in "${ORDER[@]}"; do
  [ -n "${HP[$name]+set}" ] || { echo "error: unknown variant '$name' (${!HP[*]})" >&2; exit 2; }
done

for name in "${ORDER[@]}"; do
  read -r -a hp <<< "${HP[$name]}"  # no option value holds a space
  run="runs/v2/ablate$EPOCHS-$name" bundle="runs/v2/bundles/ablate$EPOCHS-$name"
  echo "+ $name: ${HP[$name]:-(shipped configuration)}" >&2
  nice -n 10 "$CV" train data/v2/train --val data/v2/val --arch unet "${hp[@]}" -o "$bundle" \
    --run-dir "$run" --epochs "$EPOCHS" --steps 150 --batch-size 8 --frames 128 --seed 0
  [ -f "$run/test.json" ] || nice -n 10 "$CV" evaluate data/v2/test --model "$bundle" \
    --device cpu -o "$run/test"
done
.venv/bin/python benchmarks/ablation.py "$EPOCHS" "${ORDER[@]}"
