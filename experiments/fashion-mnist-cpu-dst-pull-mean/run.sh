#!/usr/bin/env bash
# The mean pull's cells against random cells (issue 21, point 4): the experiment kept here (four
# searches, one training each) resumed with six random cells per rule; the DST-matched ones copy
# the in-degree per node of search k (cycling over the four), trained with the same seed and
# protocol. The six DARTS-rule cells are v2's (the same cells, seed and protocol, trained by v2's
# binary): their kept units are copied in, so only the DST-matched cells run.
#
# One binary, pinned in binary-commit (experiments/pinned-binary.sh: a worktree under runs/, release build; its training
# path is the searches' of ce9d792, and a resume that adds random cells needs f66d2ea or later).
# The kept units are restored into the run folder when it is missing (into a temporary folder,
# then renamed, so a restore cut short is redone); finished units are kept every 5 minutes
# (KEEP_SECONDS) and again when it ends or is stopped (SIGTERM, Ctrl-C: entrannas saves its
# checkpoints first). Once run, the kept experiment.json holds the grown plan (six random cells)
# for good, and results.md fills in as the random cells finish.
# usage: experiments/fashion-mnist-cpu-dst-pull-mean/run.sh   (JOBS=2 units at once, one thread
#   each; RUNS=dir, default runs/experiment-dst-pull-mean; BIN=path instead of the pinned build)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=experiments/fashion-mnist-cpu-dst-pull-mean run="${RUNS:-runs/experiment-dst-pull-mean}"
# Every kept unit finished (the six random cells included): nothing to run, no pinned build.
random=6
experiments/kept.sh complete "$here" "$random" >&2 && exit 0
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  bin=$(experiments/pinned-binary.sh "$here/binary-commit" runs/dst-pull-mean-src)
fi
[ -x "$bin" ] || { echo "error: $bin is missing; build it first (swift build -c release)" >&2; exit 1; }
if [ ! -f "$run/experiment.json" ]; then
  rm -rf "$run.restoring" && experiments/kept.sh restore "$here" "$run.restoring" && rm -rf "$run" && mv "$run.restoring" "$run"
fi
for unit in experiments/fashion-mnist-v2/kept/units/random-darts-*-t1/; do
  name=$(basename "$unit")
  [ -f "$run/units/$name/result.json" ] || { rm -rf "${run:?}/units/$name" && cp -r "$unit" "$run/units/$name"; }
done
keep() { experiments/kept.sh save "$run" "$here" >/dev/null; }
# The keeper closes every descriptor beyond stdin, stdout and stderr, as v2's does.
( for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
  while sleep "${KEEP_SECONDS:-300}"; do keep || true; done ) &
keeper=$!
trap : TERM INT
trap 'rc=$?; kill $keeper 2>/dev/null || true; wait $keeper 2>/dev/null || true; keep || exit 1; exit $rc' EXIT
"$bin" experiment --output "$run" --resume --random-cells "$random" --jobs "${JOBS:-2}" --threads 1
