#!/usr/bin/env bash
# Does a mean-pull cell settle when searched twice as long? λ 0.02 (the cpu preset's sparsity),
# 20 search epochs (2 warm-up) instead of 10, seeds 1-4, searches only. Compare with the 10-epoch
# searches by `experiments/dst-settling.sh RUNS "mean λ 0.02, 20 epochs"` (README.md#settling).
# Two searches at once, one thread each, in a scheduling group of nice 19, so that beside the
# background lanes each group gets an equal share (docs/experiment.md#background). A search with
# a checkpoint resumes; one that finished (report.json) is skipped.
# usage: experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh   (RUNS=dir, default
#   runs/settle-l002-e20; BIN=path, default .build/release/entrannas)
set -euo pipefail
cd "$(dirname "$0")/../.."
run="${RUNS:-runs/settle-l002-e20}" bin="${BIN:-.build/release/entrannas}"
[ -x "$bin" ] || { echo "error: $bin is missing; build it first (swift build -c release)" >&2; exit 1; }
[ -e /proc/self/autogroup ] && { echo 19 > /proc/self/autogroup || true; }
mkdir -p "$run"
one() {
  local out="$run/seed$1"
  [ -f "$out/report.json" ] && return 0
  local resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  nice -n 19 "$bin" search --method entrannas-dst --preset cpu --epochs 20 --seed "$1" --threads 1 \
    --dst-threshold-pull mean --output "$out" "${resume[@]}" >> "$out.log" 2>&1
}
trap 'trap - TERM INT; kill 0; wait' TERM INT
(one 1; one 3) & (one 2; one 4) & wait
