#!/usr/bin/env bash
# Time per search step (architecture step + weight step), peak resident memory and achieved
# GFLOP/s of every method at one configuration (default: 28x28 grayscale, batch 64, 8 cells, 16 channels), each
# method in its own process, release build, in the layout `entrannas search` uses (channels-last on
# a CPU but for PC-DARTS; --memory-format contiguous for NCHW throughout). Prints a markdown table
# with ratios to DARTS 1st order. GFLOP per step: the convolution and linear multiply-adds that
# ran, x2 FLOPs, x3 for the backward pass; "% of sgemm" is against a 1024 x 1024 sgemm measured
# in the same run with the same threads (torch-bench), "% of PEAK" against PEAK_GFLOPS (default
# 270, two AVX-512 cores at 2.1 GHz; set it to this machine's FMA peak).
#   benchmarks/search-bench.sh [--batch 64] [--layers 8] [--channels 16] [--steps 3] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product search-bench >/dev/null
swift build -c release --product torch-bench >/dev/null
methods=(darts darts-2nd pc-darts entrannas entrannas-dst)
[ -n "${METHODS:-}" ] && read -r -a methods <<<"$METHODS"   # e.g. METHODS="darts entrannas"
declare -A ms mem layout gflop
peak=${PEAK_GFLOPS:-270}
for m in "${methods[@]}"; do
  line=$(.build/release/search-bench "$m" --steps 3 "$@")
  echo "$line" >&2
  ms[$m]=$(sed -E 's/.*step_ms=([0-9.]+).*/\1/' <<<"$line")
  mem[$m]=$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$line")
  layout[$m]=$(sed -E 's/.*memory_format=([a-z-]+).*/\1/' <<<"$line")
  gflop[$m]=$(sed -E 's/.*step_gflop=([0-9.]+).*/\1/' <<<"$line")
  cfg=$(sed -E 's/.*(threads=[0-9]+ batch=[0-9]+).*/\1/' <<<"$line")
done
# The same-run reference: sgemm 1024 with the search steps' thread count.
threads=$(sed -E 's/.*threads=([0-9]+).*/\1/' <<<"$cfg")
sgemm=$(.build/release/torch-bench --threads "$threads" | sed -nE 's/^sgemm1024 .*# ([0-9.]+) GFLOP\/s.*/\1/p')
echo
echo "search step (architecture + weight step), median of 3 after 1 warm-up; $cfg; $*; sgemm 1024: $sgemm GFLOP/s"
echo
echo "| method | layout | ms/step | x DARTS 1st | peak RSS (MB) | x DARTS 1st | GFLOP/step | GFLOP/s | % of sgemm | % of $peak |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for m in "${methods[@]}"; do
  awk -v m="$m" -v l="${layout[$m]}" -v t="${ms[$m]}" -v r="${mem[$m]}" -v t0="${ms[darts]}" -v r0="${mem[darts]}" \
    -v g="${gflop[$m]}" -v p="$peak" -v s="$sgemm" \
    'BEGIN { if (t0 == "") { t0 = t; r0 = r }; rate = g / (t / 1000)
             printf "| %s | %s | %.0f | %.2f | %.0f | %.2f | %.1f | %.1f | %.0f%% | %.0f%% |\n", m, l, t, t / t0, r, r / r0, g, rate, 100 * rate / s, 100 * rate / p }'
done
