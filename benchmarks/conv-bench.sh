#!/usr/bin/env bash
# Swift (torch-bench, release build, through our shim) against Python (Debian's python3-torch)
# on the same libtorch, same thread count and same allocator settings: conv3x3 and depthwise 3x3
# forward+backward on 64x16x32x32, printed as a markdown table. Each side reports medians of
# several repeats; the two sides alternate for --rounds rounds and the best round of each counts,
# so background load on a shared machine does not favour whichever side ran first.
#
# usage: benchmarks/conv-bench.sh [--threads N] [--rounds K] [--repeats R] [--iterations I]
#   --threads defaults to the core count. SCRATCH_PATH=dir builds there instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."

source benchmarks/swift-vs-python.sh
compare_parse conv-bench --repeats --iterations -- "$@"
compare_build torch-bench
compare_rounds benchmarks/conv_bench.py
compare_header
echo "| fwd+bwd, ms/iter ($threads threads) | Swift | Python | Swift/Python |"
echo "|---|---|---|---|"
awk 'NR == FNR { if ($0 ~ /^[a-z]/ && (!($1 in py) || $2 < py[$1])) py[$1] = $2; next }
     $0 ~ /^[a-z]/ && ($1 in py) { if (!($1 in sw)) order[n++] = $1; if (!($1 in sw) || $2 < sw[$1]) sw[$1] = $2 }
     END { for (i = 0; i < n; i++) { k = order[i]; printf "| %s | %.2f | %.2f | %.2f |\n", k, sw[k], py[k], sw[k] / py[k] } }' \
  <(echo "$python_out") <(echo "$swift_out")
