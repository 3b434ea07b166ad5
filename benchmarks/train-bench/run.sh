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

threads=$(nproc)
rounds=3
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats|--steps) pass+=("$1" "$2"); shift 2 ;;
    *) echo "usage: $0 [--threads N] [--rounds K] [--repeats R] [--steps S]" >&2; exit 2 ;;
  esac
done

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "train-bench: Debian's python3-torch is missing (apt-get install python3-torch)" >&2
  exit 1
fi

scratch=()
[ -n "${SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SCRATCH_PATH")
swift build -c release "${scratch[@]}" --product train-bench >&2
bin="$(swift build -c release "${scratch[@]}" --show-bin-path)/train-bench"
tunables="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"

swift_out="" python_out=""
for _ in $(seq "$rounds"); do
  swift_out+=$("$bin" --threads "$threads" "${pass[@]}")$'\n'
  python_out+=$(GLIBC_TUNABLES="$tunables" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/train_bench.py" --threads "$threads" "${pass[@]}")$'\n'
done

grep '^#' <<<"$swift_out" | sort -u
grep '^#' <<<"$python_out" | sort -u
echo "# best of $rounds alternating rounds; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
  "load average after the run $(cut -d' ' -f1-3 /proc/loadavg)"
echo
best() { awk '/^train_step/ { if (best == "" || $2 < best) best = $2 } END { print best }'; }
sw=$(best <<<"$swift_out")
py=$(best <<<"$python_out")
echo "| DARTS_V2 training step, batch 64, $threads threads | ms/step | images/s | vs PyTorch |"
echo "|---|---|---|---|"
awk -v sw="$sw" -v py="$py" 'BEGIN {
  printf "| Swift (entrannas, libtorch 1.13 via C shim) | %.1f | %.0f | %.2fx |\n", sw, 64000 / sw, sw / py
  printf "| PyTorch (python3-torch, libtorch 1.13) | %.1f | %.0f | 1.00x |\n", py, 64000 / py
}'
