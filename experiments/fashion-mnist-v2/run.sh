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
# named in binary-commit (experiments/pinned-binary.sh: a git worktree under runs/, release build, a few minutes the first
# time on a fresh machine), whatever the checkout's own code has become since.
#
# The plan runs DST's units (the most expensive: dense cells, and twelve DST-matched random
# cells) before PC-DARTS' and DARTS'. PART=late runs PC-DARTS' and DARTS' searches and trainings
# first, as an experiment of their own (runs/experiment-v2-late, kept in kept-late/; no random
# cells: they are the main run's), with the same binary and settings, so its units are the main
# run's units: the main part copies every finished one into its run folder before it resumes, and
# skips them. Run one part at a time (a lock refuses the second).
#
# usage: experiments/fashion-mnist-v2/run.sh      (JOBS=2 units at once, one thread each)
#   PART=late (PC-DARTS and DARTS first), RUNS=dir (default runs/experiment-v2, or
#   runs/experiment-v2-late), BIN=path (default: the build of binary-commit), KEEP_SECONDS
#   (default 300: how often finished units are kept while it runs)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=experiments/fashion-mnist-v2
case "${PART:-main}" in
  main) run="${RUNS:-runs/experiment-v2}" kept=$here/kept random=6
        plan=(--methods entrannas,entrannas-dst,pc-darts,darts --random-cells $random) ;;
  late) run="${RUNS:-runs/experiment-v2-late}" kept=$here/kept-late random=0
        plan=(--methods pc-darts,darts --random-cells $random) ;;
  *) echo "error: PART must be main or late, got '$PART'" >&2; exit 2 ;;
esac
mkdir -p runs
exec 9>runs/experiment-v2.part.lock
flock -n 9 || { echo "error: another part of experiment v2 is running (runs/experiment-v2.part.lock); run one at a time" >&2; exit 1; }
# A part whose kept units are all finished has nothing to run: no pinned build (minutes on a fresh
# machine), no resume. merge.sh reports from the kept units.
experiments/kept.sh complete "$kept" "$random" >&2 && exit 0
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  bin=$(experiments/pinned-binary.sh "$here/binary-commit" runs/v2-src)
fi
[ -x "$bin" ] || { echo "error: $bin is missing; build it first (swift build -c release)" >&2; exit 1; }
echo "experiment v2: binary $bin" >&2
if [ ! -f "$run/experiment.json" ] && [ -f "$kept/experiment.json" ]; then
  experiments/kept.sh restore "$kept" "$run"
fi
if [ "${PART:-main}" = main ] && [ -d "$here/kept-late/units" ] && [ -f "$run/experiment.json" ]; then
  # The late part's finished units, where the main run has not finished them itself.
  for unit in "$here"/kept-late/units/*/; do
    name=$(basename "$unit")
    [ -f "$run/units/$name/result.json" ] && continue
    rm -rf "${run:?}/units/$name" && mkdir -p "$run/units" && cp -r "$unit" "$run/units/$name"
    echo "experiment v2: $name from the late part" >&2
  done
fi
resume=(); [ -f "$run/experiment.json" ] && resume=(--resume)
keep() { [ ! -f "$run/experiment.json" ] || experiments/kept.sh save "$run" "$kept" >/dev/null; }
# The keeper saves every 5 minutes (KEEP_SECONDS). It closes every descriptor beyond stdin, stdout
# and stderr (the part lock on fd 9, whatever a caller passed): its last sleep outlives this
# script, and holding the part lock it kept the next part out for minutes after this one ended.
( for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
  while sleep "${KEEP_SECONDS:-300}"; do keep || true; done ) &
keeper=$!
# A stop (SIGTERM, Ctrl-C) reaches entrannas too; this script waits for it to save and exit, then
# keeps what it finished (the last unit may finish during the stop), and fails if that save does.
trap : TERM INT
trap 'rc=$?; kill $keeper 2>/dev/null || true; wait $keeper 2>/dev/null || true; keep || exit 1; exit $rc' EXIT
"$bin" experiment "${plan[@]}" --seeds 1,2,3,4 \
  --train-seeds 1,2 --preset cpu --train-epochs 10 --train-limit 10000 --train-layers 5 --train-channels 16 \
  --jobs "${JOBS:-2}" --threads 1 --output "$run" "${resume[@]}"
