#!/usr/bin/env bash
# What the BLAS behind libtorch is worth: Debian's libtorch links libblas.so.3, which is the
# reference BLAS unless an optimised one is installed (install-deps.sh installs
# libopenblas0-openmp). Runs sgemm, the conv cases, the search step (EnTranNAS and DARTS) and
# the DARTS_V2 training step once with each library, chosen per process by LD_LIBRARY_PATH, and
# prints a markdown table. Release builds.
#   benchmarks/blas.sh [--threads 2]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
threads=2
[ "${1:-}" = "--threads" ] && threads=$2
for p in torch-bench search-bench train-bench; do swift build -c release --product "$p" >/dev/null; done
lib=/usr/lib/x86_64-linux-gnu
declare -A dirs=([reference]="$lib/blas" [openblas-openmp]="$lib/openblas-openmp")
order=(reference openblas-openmp)
declare -A sgemm search darts train
for name in "${order[@]}"; do
  dir=${dirs[$name]}
  [ -f "$dir/libblas.so.3" ] || { echo "error: $dir/libblas.so.3 missing (apt-get install libblas3 libopenblas0-openmp)" >&2; exit 1; }
  run() { LD_LIBRARY_PATH="$dir" "$@"; }
  out=$(run .build/release/torch-bench --threads "$threads" --repeats 3 --iterations 10)
  sgemm[$name]=$(awk '/^sgemm1024/ { print $2 }' <<<"$out")
  search[$name]=$(run .build/release/search-bench entrannas --threads "$threads" --steps 4 | sed -E 's/.*step_ms=([0-9.]+).*/\1/')
  darts[$name]=$(run .build/release/search-bench darts --threads "$threads" --steps 4 | sed -E 's/.*step_ms=([0-9.]+).*/\1/')
  train[$name]=$(run .build/release/train-bench --threads "$threads" --steps 4 --repeats 3 | awk '/^train_step/ { print $2 }')
done
echo "| $threads threads | sgemm 1024 ms (GFLOP/s) | EnTranNAS search step ms | DARTS search step ms | DARTS_V2 training step ms |"
echo "|---|---:|---:|---:|---:|"
for name in "${order[@]}"; do
  awk -v n="$name" -v g="${sgemm[$name]}" -v s="${search[$name]}" -v d="${darts[$name]}" -v t="${train[$name]}" \
    'BEGIN { printf "| %s | %.1f (%.1f) | %.0f | %.0f | %.1f |\n", n, g, 2 * 1024^3 / g / 1e6, s, d, t }'
done
