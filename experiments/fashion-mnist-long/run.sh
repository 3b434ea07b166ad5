#!/usr/bin/env bash
# Issue 21, step 5: a result next to the published ones. Trains DARTS_V2 and the best cell that
# experiment v2 searched with the DARTS evaluation protocol (`train --preset paper`: cutout 16,
# auxiliary head 0.4, drop-path 0.2, cosine schedule, batch 96) on all 60,000 Fashion-MNIST
# images, at a size one core trains in 6 to 10 hours per cell: 8 cells of 16 channels, 40
# epochs. Every training is its own `entrannas train` folder under RUNS; a finished one is
# skipped, an interrupted one continues with --resume, so the script can be stopped and started
# again across sessions, and several instances share the work (each training is locked while
# one has it). Run folders do not outlive the machine: a finished training's metrics.jsonl and
# cost are kept in kept/NAME (commit them), and a training kept there is not trained again.
#
# The searched cell is picked when the script first runs with it in CELLS (before any training):
# experiment v2's best searched cell at that moment (`entrannas report` on its kept units: the most accurate over its trainings,
# best-genotype.txt), saved here as v2-best-METHOD-seedN.txt. That file pins the pick: commit it,
# and every later run, here or on a fresh machine, trains that cell whatever v2 has found since.
#
# Training seed 1 is the protocol's (folders DARTS_V2, v2-best-METHOD-seedN); SEEDS="2 3" trains
# each cell again with those seeds (folders NAME-t2, NAME-t3), which measures the protocol's own
# noise: how far two trainings of one cell differ. JOBS=2 runs two trainings at once (two
# instances of this script, sharing the list through the trainings' locks), one core each; a
# training that failed in one instance may be tried once more by the other in the same run.
#
# usage: experiments/fashion-mnist-long/run.sh          then summarize.sh > results.md
#   RUNS=dir (default runs/fashion-mnist-long), KEEP=dir (default kept/ here), BIN=path (default
#   .build/release/entrannas),
#   CELLS="DARTS_V2 searched" (default: both, in this order), SEEDS="1" (training seeds, in this
#   order), JOBS=1, ENTRANNAS_THREADS (default 1)
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(searched_cell) stops the script too
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
bin="${BIN:-.build/release/entrannas}"
runs="${RUNS:-runs/fashion-mnist-long}"
keep="${KEEP:-$here/kept}"  # the finished trainings' records (summarize.sh reads them as KEPT)
v2=experiments/fashion-mnist-v2
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
. experiments/train-folder.sh
require_bin "$bin" --cost
flags=(--preset paper --dataset fashion-mnist --epochs 40 --layers 8 --init-channels 16)

# Prints the pinned searched cell's genotype file, picking it first if there is none.
searched_cell() {
  local pinned=("$here"/v2-best-*.txt)
  if [ ${#pinned[@]} -gt 1 ]; then
    echo "error: several pinned cells in $here (${pinned[*]##*/}); keep one" >&2; return 1
  fi
  [ -f "${pinned[0]}" ] && { echo "${pinned[0]}"; return 0; }
  # v2 runs in two parts; merged, they are v2 (this report's pick, not a copy kept with a part).
  local merged="$runs/v2-merged"
  BIN="$bin" "$v2/merge.sh" "$merged"
  [ -f "$merged/best-genotype.txt" ] || {
    echo "error: experiment v2 has no searched cell with all its trainings yet ($v2); run it first" >&2; return 1; }
  # results.json's best_searched.search ("search-pc-darts-seed4"): the only "search" key there.
  local name; name=$(sed -n 's/^ *"search" *: *"search-\([A-Za-z0-9-]*\)",\{0,1\}$/\1/p' "$merged/results.json" | head -1)
  [ -n "$name" ] || { echo "error: $merged/results.json does not name its best searched cell" >&2; return 1; }
  cp "$merged/best-genotype.txt" "$here/v2-best-$name.txt.tmp"
  mv "$here/v2-best-$name.txt.tmp" "$here/v2-best-$name.txt"
  grep -A2 '^## Best searched cell' "$merged/results.md" | tail -1 | sed 's/^/picked: /' >&2
  rm -rf "$merged"
  echo "$here/v2-best-$name.txt"
}

wanted() { [ -z "${CELLS:-}" ] || [[ " $CELLS " == *" $1 "* ]]; }
read -ra seeds <<< "${SEEDS:-1}"
[ ${#seeds[@]} -gt 0 ] || { echo "error: SEEDS is empty; give training seeds such as SEEDS=\"1 2\"" >&2; exit 2; }
for seed in "${seeds[@]}"; do
  [[ "$seed" =~ ^[1-9][0-9]*$ ]] || { echo "error: SEEDS holds '$seed'; give training seeds such as SEEDS=\"1 2\"" >&2; exit 2; }
done
jobs="${JOBS:-1}"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "error: JOBS is '$jobs'; give a number of trainings at once, e.g. JOBS=2" >&2; exit 2; }
# The searched cell is picked (and pinned) once, before any second instance starts.
! wanted searched || genotype=$(searched_cell)

mkdir -p "$runs"
# A stop is a signal to the process group (Ctrl-C, background.sh stop), which every instance gets.
# A command started with & gets SIGINT ignored, which a shell can then neither trap nor reset, so
# the other instances start with its default restored (env --default-signal); otherwise Ctrl-C
# would stop their training (entrannas catches it) but not them, and they would train on. A stop
# sent to this process alone is passed on as SIGTERM.
helpers=() rc=0
trap 'stopping=1; [ ${#helpers[@]} = 0 ] || kill -TERM "${helpers[@]}" 2>/dev/null || true' TERM INT
[ -z "$stopping" ] || exit 130
for _ in $(seq 2 "$jobs"); do env --default-signal=INT JOBS=1 "$here/$(basename "$0")" & helpers+=($!); done
for seed in "${seeds[@]}"; do
  suffix=$([ "$seed" = 1 ] || echo "-t$seed")
  for cell in DARTS_V2 searched; do
    wanted $cell || continue
    if [ $cell = DARTS_V2 ]; then name=DARTS_V2 cell_genotype=DARTS_V2
    else name=$(basename "$genotype" .txt) cell_genotype=$genotype; fi
    train_folder --cost --keep "$keep" "$bin" "$name$suffix" "$runs/$name$suffix" --genotype "$cell_genotype" "${flags[@]}" \
      --seed "$seed" || rc=$?
  done
done
# A failed training fails the script once the others have run (after a stop, train_folder starts
# none). The other instances are waited for, also through a stop, until each has saved and exited.
for pid in "${helpers[@]}"; do
  wait_through_stop "$pid" && status=0 || status=$?
  [ "$rc" != 0 ] || rc=$status
done
exit $rc
