#!/usr/bin/env bash
# Does a mean-pull cell settle when searched twice as long, and does it then retrain better?
# λ 0.02 (the cpu preset's sparsity), 20 search epochs (2 warm-up) instead of 10, seeds 1-4; each
# derived cell then trained once with experiment v2's protocol p1 (10 epochs on 10,000 images,
# 5 cells of 16 channels, training seed 1, as the 10-epoch searches' cells were). Compare with
# `experiments/dst-settling.sh RUNS "mean λ 0.02, 20 epochs"` (README.md#settling).
#
# Kept in the repository as they finish (settle-e20/): each search's genotype.txt and .json, report.json and
# metrics.jsonl (seedN/), each training's record (train-seedN/, experiments/train-folder.sh). A
# search or training kept there is not run again; one with a checkpoint resumes. JOBS (1 or 2)
# searches or trainings at once, one thread each, in a scheduling group of nice 19 so that beside
# the background lanes each group gets an equal share (docs/experiment.md#background): started
# in a session of its own (`setsid`), it raises that session's group; started from a terminal,
# it leaves the terminal's group alone. A search or training that fails (not stopped) makes the
# script exit 1 once the others have finished.
# usage: experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh   (JOBS=2; RUNS=dir, default
#   runs/settle-l002-e20; BIN=path, default .build/release/entrannas; KEPT=dir, default settle-e20/)
set -euo pipefail
cd "$(dirname "$0")/../.."
. experiments/train-folder.sh   # train_folder, require_bin, wait_through_stop; traps TERM and INT (stopping=1)
kept="${KEPT:-experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20}"
run="${RUNS:-runs/settle-l002-e20}" bin="${BIN:-.build/release/entrannas}"
require_bin "$bin" --cost
renice -n 19 $$ >/dev/null
if [ -e /proc/self/autogroup ] && [ "$(ps -o sid= -p $$ | tr -d ' ')" = "$$" ]; then
  echo 19 > /proc/self/autogroup || true
fi
mkdir -p "$run" "$kept"

# Copies a finished search's record to settle-e20/seedN through temporary names.
keep_search() {
  local out="$run/seed$1" to="$kept/seed$1"
  ( trap '' TERM INT
    mkdir -p "$to.part" && cp "$out/genotype.txt" "$out/genotype.json" "$out/report.json" "$out/metrics.jsonl" "$to.part/" \
      && rm -rf "$to" && mv "$to.part" "$to" ) || { echo "error: cannot keep $out in $to" >&2; return 1; }
}
search() {
  local out="$run/seed$1"
  [ ! -f "$kept/seed$1/report.json" ] || return 0
  if [ ! -f "$out/report.json" ]; then
    [ -z "$stopping" ] || return 0
    local resume=()
    [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
    echo "== search seed $1 ($(date +%H:%M))"
    "$bin" search --method entrannas-dst --preset cpu --epochs 20 --seed "$1" --threads 1 \
      --dst-threshold-pull mean --output "$out" "${resume[@]}" >> "$out.log" 2>&1 \
      || { local rc=$?; [ -n "$stopping" ] && return 0
           echo "error: the search of seed $1 failed (exit $rc); see $out.log" >&2; return 1; }
  fi
  [ ! -f "$out/report.json" ] || keep_search "$1"
}
train() {
  [ -f "$kept/seed$1/genotype.txt" ] || return 0
  train_folder --cost --keep "$kept" "$bin" "seed $1's cell" "$run/train-seed$1" \
    --genotype "$kept/seed$1/genotype.txt" --preset quick --epochs=10 --limit=10000 --layers=5 \
    --init-channels=16 --seed=1 --dataset fashion-mnist --threads 1 \
    || { [ -n "$stopping" ] || { echo "error: the training of seed $1's cell failed; see $run/train-seed$1" >&2; return 1; }; }
}
# A background subshell does not inherit the traps: each lane sets its own, so that a stop lets
# its run save and starts nothing after it. A failed search or training does not stop the others.
lane() {
  trap 'stopping=1' TERM INT
  local s failed=0
  for s in "$@"; do search "$s" || failed=1; done
  for s in "$@"; do train "$s" || failed=1; done
  return $failed
}
status=0
if [ "${JOBS:-2}" = 1 ]; then
  lane 1 2 3 4 || status=1
else
  lane 1 3 & first=$!
  lane 2 4 & second=$!
  # Through a stop too, until each lane (and its run, saving its checkpoint) has exited.
  for pid in $first $second; do wait_through_stop "$pid" || status=1; done
fi
exit $status
