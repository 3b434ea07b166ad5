#!/usr/bin/env bash
# The mean pull's cells against random cells (issue 21, point 4): the finished experiment kept here
# (four searches, one training each) resumed with six random cells per rule, the DST-matched ones
# copying each search's inputs per node, trained with the same seed and protocol. Restores the
# kept units into the run folder when it is missing, and keeps the finished units again when it
# ends or is stopped (SIGTERM, Ctrl-C: entrannas saves its checkpoints first). The release binary
# of the checkout, built first (a resume that adds random cells needs f66d2ea or later); the
# training path is the searches' (ce9d792).
# usage: experiments/fashion-mnist-cpu-dst-pull-mean/run.sh   (JOBS=2 units at once, one thread
#   each; RUNS=dir, default runs/experiment-dst-pull-mean; BIN=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=experiments/fashion-mnist-cpu-dst-pull-mean run="${RUNS:-runs/experiment-dst-pull-mean}"
if [ -z "${BIN:-}" ]; then
  PATH="$PATH:/opt/swift/usr/bin" swift build -c release --product entrannas >&2
fi
bin="${BIN:-.build/release/entrannas}"
[ -x "$bin" ] || { echo "error: $bin is missing; build it first (swift build -c release)" >&2; exit 1; }
[ -f "$run/experiment.json" ] || experiments/kept.sh restore "$here" "$run"
trap : TERM INT
trap 'rc=$?; experiments/kept.sh save "$run" "$here" >/dev/null || exit 1; exit $rc' EXIT
"$bin" experiment --output "$run" --resume --random-cells 6 --jobs "${JOBS:-2}" --threads 1
