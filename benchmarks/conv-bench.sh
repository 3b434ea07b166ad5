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

threads=$(nproc)
rounds=3
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats|--iterations) pass+=("$1" "$2"); shift 2 ;;
    *) echo "usage: $0 [--threads N] [--rounds K] [--repeats R] [--iterations I]" >&2; exit 2 ;;
  esac
done

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "conv-bench: Debian's python3-torch is missing (apt-get install python3-torch)" >&2
  exit 1
fi

scratch=()
[ -n "${SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SCRATCH_PATH")
swift build -c release "${scratch[@]}" --product torch-bench >&2
bin="$(swift build -c release "${scratch[@]}" --show-bin-path)/torch-bench"

swift_out="" python_out=""
for _ in $(seq "$rounds"); do
  swift_out+=$("$bin" --threads "$threads" "${pass[@]}")$'\n'
  python_out+=$(/usr/bin/python3 benchmarks/conv_bench.py --threads "$threads" "${pass[@]}")$'\n'
done

grep '^#' <<<"$swift_out" | sort -u
grep '^#' <<<"$python_out" | sort -u
echo "# best of $rounds alternating rounds; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
  "load average after the run $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| fwd+bwd, ms/iter ($threads threads) | Swift | Python | Swift/Python |"
echo "|---|---|---|---|"
awk 'NR == FNR { if ($0 ~ /^[a-z]/ && (!($1 in py) || $2 < py[$1])) py[$1] = $2; next }
     $0 ~ /^[a-z]/ { if (!($1 in sw)) order[n++] = $1; if (!($1 in sw) || $2 < sw[$1]) sw[$1] = $2 }
     END { for (i = 0; i < n; i++) { k = order[i]; printf "| %s | %.2f | %.2f | %.2f |\n", k, sw[k], py[k], sw[k] / py[k] } }' \
  <(echo "$python_out") <(echo "$swift_out")
