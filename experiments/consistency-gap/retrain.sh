#!/usr/bin/env bash
# Issue 21, point 3: do the cells that `--engine-edges derived` finds (gap 0) retrain better than
# those of the paper's Engine-cell? Trains the kept cells of this experiment (annealed to 0.03,
# with and without derived edges, search seeds 1 and 2) under experiment v2's protocol p1 (10
# epochs, 10,000 images, 5 cells of 16 channels) with v2's training seeds 1 and 2, so their
# accuracies sit next to v2's EnTranNAS cells (tau = 1). Each training is its own `entrannas
# train` folder under RUNS; a finished one is skipped, an interrupted one resumes. Run folders do
# not outlive the machine, so every finished training is kept in retrained/ (its metrics.jsonl:
# commit it) and counts as finished on any machine. Ends with retrained.md: every kept training's
# test accuracy. Several instances may run side by side (each training is locked while one has
# it); retrained.md then lists what has finished so far.
#
# usage: experiments/consistency-gap/retrain.sh
#   RUNS=dir (default runs/consistency-gap-retrain), BIN=path (default .build/release/entrannas),
#   PROTOCOL="train flags" (default p1's), KEEP=dir (default retrained/ here, its table
#   retrained.md: give a trial protocol a folder of its own), ENTRANNAS_THREADS (default 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
bin="${BIN:-.build/release/entrannas}"
runs="${RUNS:-runs/consistency-gap-retrain}"
keep="${KEEP:-$here/retrained}"  # the records, and KEEP.md their table
protocol="${PROTOCOL:---epochs 10 --limit 10000 --layers 5 --init-channels 16}"
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
. experiments/train-folder.sh
. experiments/metrics.sh
require_bin "$bin"
mkdir -p "$runs"
# retrained.md from the kept trainings, rewritten after each one: a stopped run leaves it current.
write_table() {
  local out acc name
  {
    echo "# Retrained cells of the consistency-gap searches"
    echo
    echo "Written by retrain.sh; protocol: \`--preset quick $protocol\`, training seeds 1 and 2."
    echo
    echo "| cell | training seed | test acc % |"
    echo "|---|---:|---:|"
    for out in "$keep"/entrannas-*-t[12]; do
      [ -f "$out/finished" ] || continue
      acc=$(last_metric test_top1 "$out/metrics.jsonl")
      name=$(basename "$out")
      echo "| ${name%-t[12]} | ${name##*-t} | $acc |"
    done
  } > "$keep.md.tmp$$" && mv "$keep.md.tmp$$" "$keep.md"
}
for kept in "$here"/kept/entrannas-*anneal0.03-seed*; do
  name=$(basename "$kept")
  genotype="$runs/$name.txt"
  # Through a temporary name: another instance may be reading it for its training.
  sed -nE 's/.*"genotype" *: *"([^"]+)".*/\1/p' "$kept/report.json" > "$genotype.tmp$$"
  [ -s "$genotype.tmp$$" ] || { rm -f "$genotype.tmp$$"; echo "error: no genotype in $kept/report.json" >&2; exit 1; }
  mv "$genotype.tmp$$" "$genotype"
  for t in 1 2; do
    # One instance per core may share the work: `retrain.sh & retrain.sh`.
    # shellcheck disable=SC2086
    train_folder --keep "$keep" "$bin" "$name, training seed $t" "$runs/$name-t$t" \
      --genotype "$genotype" --preset quick $protocol --seed "$t"
    write_table
  done
done
echo "wrote $keep.md"
