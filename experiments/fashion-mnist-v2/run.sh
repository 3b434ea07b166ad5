#!/usr/bin/env bash
# Experiment v2 (issue 21, point 2): searched cells against random cells with statistics that can
# decide "better than random". Four searches per method (cpu preset), six random cells per rule,
# every cell trained with the same two seeds under protocol p1 (10 epochs, 10,000 images, 5 cells
# of 16 channels; its noise: experiments/training-noise). With Holm over four methods the best
# comparison needs a one-sided p below 0.0125; 4 searched against 6 random cells can reach
# 1/C(10,4) = 1/210.
#
# It takes CPU-days on 2 cores, so it runs across sessions, whose machines do not keep runs/:
# before starting, the finished units kept in this folder (kept/) are restored into the run
# folder; while it runs, and when it ends or is stopped, the finished units are kept again.
# Commit kept/ at the end of a session. Ctrl-C (or SIGTERM) stops the running units after their
# checkpoints; run the script again to continue.
#
# One binary for the whole run, also across sessions: the script builds entrannas from the commit
# named in binary-commit (a git worktree under runs/, release build, a few minutes the first
# time on a fresh machine), whatever the checkout's own code has become since.
#
# usage: experiments/fashion-mnist-v2/run.sh      (JOBS=2 units at once, one thread each)
#   RUNS=dir (default runs/experiment-v2), BIN=path (default: the build of binary-commit)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=experiments/fashion-mnist-v2
run="${RUNS:-runs/experiment-v2}"
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  pin=$(cat "$here/binary-commit") src=runs/v2-src
  [ -d "$src" ] || git worktree add --detach "$src" "$pin" >&2
  [ "$(git -C "$src" rev-parse HEAD)" = "$(git rev-parse "$pin^{commit}")" ] \
    || { echo "error: $src is not at $pin; remove it (git worktree remove --force $src) and run again" >&2; exit 1; }
  (cd "$src" && PATH="$PATH:/opt/swift/usr/bin" swift build -c release --product entrannas >&2)
  bin=$src/.build/release/entrannas
fi
[ -x "$bin" ] || { echo "error: $bin is missing; build it first (swift build -c release)" >&2; exit 1; }
echo "experiment v2: binary $bin" >&2
if [ ! -f "$run/experiment.json" ] && [ -f "$here/kept/experiment.json" ]; then
  experiments/kept.sh restore "$here/kept" "$run"
fi
resume=(); [ -f "$run/experiment.json" ] && resume=(--resume)
keep() { [ -f "$run/experiment.json" ] && experiments/kept.sh save "$run" "$here/kept" >/dev/null; true; }
( while sleep 300; do keep; done ) &
keeper=$!
trap 'kill $keeper 2>/dev/null || true; keep' EXIT
"$bin" experiment --methods entrannas,entrannas-dst,pc-darts,darts --seeds 1,2,3,4 --random-cells 6 \
  --train-seeds 1,2 --preset cpu --train-epochs 10 --train-limit 10000 --train-layers 5 --train-channels 16 \
  --jobs "${JOBS:-2}" --threads 1 --output "$run" "${resume[@]}"
