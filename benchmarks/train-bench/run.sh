#!/usr/bin/env bash
# Training throughput of DARTS_V2's evaluation network (8 cells, 16 channels, 1x28x28, batch 64,
# auxiliary head on, drop-path off: the `--preset quick` step), Swift through our shim (the
# train-bench target, release build) against the same network in PyTorch from Debian's
# /usr/bin/python3 (python3-torch, the same libtorch 1.13), same thread count, same allocator
# settings (Python gets GLIBC_TUNABLES; our shim sets mallopt itself). The two sides alternate for
# --rounds rounds and the best round of each counts, so load on a shared machine does not favour
# whichever ran first. Prints a markdown table with ms/step, images/s and the ratio.
#
# usage: benchmarks/train-bench/run.sh [--threads N] [--rounds K] [--repeats R] [--steps S]
#   --threads defaults to the core count. SCRATCH_PATH=dir builds there instead of .build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

source benchmarks/swift-vs-python.sh
compare_parse train-bench --repeats --steps -- "$@"
compare_build train-bench
compare_rounds "$here/train_bench.py"
compare_header
best() { awk '/^train_step/ { if (best == "" || $2 < best) best = $2 } END { print best }'; }
sw=$(best <<<"$swift_out")
py=$(best <<<"$python_out")
# The step's FLOPs as the Swift side counted them (the same network on both sides).
gflop=$(sed -nE 's/^# swift: ([0-9.]+) GFLOP per step.*/\1/p' <<<"$swift_out" | head -1)
echo "| DARTS_V2 training step, batch 64, $threads threads | ms/step | images/s | vs PyTorch | GFLOP/s ($gflop GFLOP/step) |"
echo "|---|---|---|---|---|"
awk -v sw="$sw" -v py="$py" -v g="$gflop" 'BEGIN {
  printf "| Swift (entrannas, libtorch 1.13 via C shim) | %.1f | %.0f | %.2fx | %.1f |\n", sw, 64000 / sw, sw / py, g * 1000 / sw
  printf "| PyTorch (python3-torch, libtorch 1.13) | %.1f | %.0f | 1.00x | %.1f |\n", py, 64000 / py, g * 1000 / py
}'
