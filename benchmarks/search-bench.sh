#!/usr/bin/env bash
# Time per search step (architecture step + weight step) and peak resident memory of every
# method at one configuration (default: 28x28 grayscale, batch 64, 8 cells, 16 channels), each
# method in its own process, release build, in the layout `entrannas search` uses (channels-last on
# a CPU but for PC-DARTS; --memory-format contiguous for NCHW throughout). Prints a markdown table
# with ratios to DARTS 1st order.
#   benchmarks/search-bench.sh [--batch 64] [--layers 8] [--channels 16] [--steps 3] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product search-bench >/dev/null
methods=(darts darts-2nd pc-darts entrannas entrannas-dst)
[ -n "${METHODS:-}" ] && read -r -a methods <<<"$METHODS"   # e.g. METHODS="darts entrannas"
declare -A ms mem layout
for m in "${methods[@]}"; do
  line=$(.build/release/search-bench "$m" --steps 3 "$@")
  echo "$line" >&2
  ms[$m]=$(sed -E 's/.*step_ms=([0-9.]+).*/\1/' <<<"$line")
  mem[$m]=$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$line")
  layout[$m]=$(sed -E 's/.*memory_format=([a-z-]+).*/\1/' <<<"$line")
  cfg=$(sed -E 's/.*(threads=[0-9]+ batch=[0-9]+).*/\1/' <<<"$line")
done
echo
echo "search step (architecture + weight step), median of 3 after 1 warm-up; $cfg; $*"
echo
echo "| method | layout | ms/step | x DARTS 1st | peak RSS (MB) | x DARTS 1st |"
echo "|---|---|---:|---:|---:|---:|"
for m in "${methods[@]}"; do
  awk -v m="$m" -v l="${layout[$m]}" -v t="${ms[$m]}" -v r="${mem[$m]}" -v t0="${ms[darts]}" -v r0="${mem[darts]}" \
    'BEGIN { if (t0 == "") { t0 = t; r0 = r }; printf "| %s | %s | %.0f | %.2f | %.0f | %.2f |\n", m, l, t, t / t0, r, r / r0 }'
done
