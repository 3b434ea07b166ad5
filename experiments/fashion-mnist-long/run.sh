#!/usr/bin/env bash
# Issue 21, step 5: a result next to the published ones. Trains DARTS_V2 and the best cell that
# experiments/fashion-mnist-cpu searched (EnTranNAS, seed 1: 88.10% in that experiment's short
# training) with the DARTS evaluation protocol (`train --preset paper`: cutout 16, auxiliary head
# 0.4, drop-path 0.2, cosine schedule, batch 96) on all 60,000 Fashion-MNIST images, at a size a
# CPU can train in about a day per cell: 8 cells of 16 channels, 40 epochs. Every training is its
# own `entrannas train` folder under RUNS; a finished one is skipped, an interrupted one continues
# with --resume, so the script can be stopped and started again across sessions, and several
# instances share the work (each training is locked while one has it).
#
# usage: experiments/fashion-mnist-long/run.sh          then summarize.sh > results.md
#   RUNS=dir (default runs/fashion-mnist-long), BIN=path (default .build/release/entrannas),
#   CELLS="DARTS_V2 ..." (default: every cell, in order), ENTRANNAS_THREADS (default 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
bin="${BIN:-.build/release/entrannas}"
runs="${RUNS:-runs/fashion-mnist-long}"
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
. experiments/train-folder.sh
require_bin "$bin" --cost
flags=(--preset paper --dataset fashion-mnist --epochs 40 --layers 8 --init-channels 16 --seed 1)
cells=("DARTS_V2:DARTS_V2" "entrannas-seed1:$here/entrannas-seed1.txt")
mkdir -p "$runs"
for cell in "${cells[@]}"; do
  name="${cell%%:*}"; genotype="${cell#*:}"
  [ -z "${CELLS:-}" ] || [[ " $CELLS " == *" $name "* ]] || continue
  train_folder --cost "$bin" "$name" "$runs/$name" --genotype "$genotype" "${flags[@]}"
done
