#!/usr/bin/env bash
# Issue 21, point 3: do the cells that `--engine-edges derived` finds (gap 0) retrain better than
# those of the paper's Engine-cell? Trains the kept cells of this experiment (annealed to 0.03,
# with and without derived edges, search seeds 1 and 2) under experiment v2's protocol p1 (10
# epochs, 10,000 images, 5 cells of 16 channels) with v2's training seeds 1 and 2, so their
# accuracies sit next to v2's EnTranNAS cells (tau = 1). Each training is its own `entrannas
# train` folder under RUNS; a finished one is skipped, an interrupted one resumes. Ends with
# retrained.md: every training's test accuracy. Several instances may run side by side (each
# training is locked while one has it); retrained.md then lists what has finished so far.
#
# usage: experiments/consistency-gap/retrain.sh
#   RUNS=dir (default runs/consistency-gap-retrain), BIN=path (default .build/release/entrannas),
#   PROTOCOL="train flags" (default p1's), ENTRANNAS_THREADS (default 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
bin="${BIN:-.build/release/entrannas}"
runs="${RUNS:-runs/consistency-gap-retrain}"
protocol="${PROTOCOL:---epochs 10 --limit 10000 --layers 5 --init-channels 16}"
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
. experiments/train-folder.sh
require_bin "$bin"
mkdir -p "$runs"
for kept in "$here"/kept/entrannas-*anneal0.03-seed*; do
  name=$(basename "$kept")
  genotype="$runs/$name.txt"
  sed -nE 's/.*"genotype" *: *"([^"]+)".*/\1/p' "$kept/report.json" > "$genotype"
  [ -s "$genotype" ] || { echo "error: no genotype in $kept/report.json" >&2; exit 1; }
  for t in 1 2; do
    # One instance per core may share the work: `retrain.sh & retrain.sh`.
    # shellcheck disable=SC2086
    train_folder "$bin" "$name, training seed $t" "$runs/$name-t$t" \
      --genotype "$genotype" --preset quick $protocol --seed "$t"
  done
done
{
  echo "# Retrained cells of the consistency-gap searches"
  echo
  echo "Written by retrain.sh; protocol: \`--preset quick $protocol\`, training seeds 1 and 2."
  echo
  echo "| cell | training seed | test acc % |"
  echo "|---|---:|---:|"
  for out in "$runs"/entrannas-*-t[12]; do
    [ -f "$out/model.safetensors" ] || continue
    acc=$(tail -n 1 "$out/metrics.jsonl" | grep -oE '"test_top1" *: *[0-9.eE+-]+' | sed -E 's/.*: *//')
    name=$(basename "$out")
    echo "| ${name%-t[12]} | ${name##*-t} | $acc |"
  done
} > "$here/retrained.md"
echo "wrote $here/retrained.md"
