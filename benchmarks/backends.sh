#!/usr/bin/env bash
# Debian's libtorch 1.13 against the PyPI wheel's libtorch (ENTRANNAS_TORCH=wheel) on this CPU:
# the search step of every method (search-bench, each in its own process) and the DARTS_V2
# training step (train-bench), release builds of the same sources, one backend after the other.
#   benchmarks/backends.sh [--threads 2] [--steps 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
threads=2; steps=3
while [ $# -gt 0 ]; do
  case "$1" in --threads) threads=$2; shift 2 ;; --steps) steps=$2; shift 2 ;; *) echo "unknown flag $1" >&2; exit 1 ;; esac
done
methods=(darts darts-2nd pc-darts entrannas entrannas-dst)
declare -A ms
for backend in debian wheel; do
  (
    export ENTRANNAS_TORCH=$backend
    source scripts/torch-backend.sh
    for p in search-bench train-bench; do swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product "$p" >/dev/null; done
    echo "version $("$BUILD_DIR/release/train-bench" --steps 1 --repeats 1 | sed -nE 's/.*libtorch ([0-9.]+).*/\1/p' | head -1)"
    for m in "${methods[@]}"; do
      echo "$m $("$BUILD_DIR/release/search-bench" "$m" --threads "$threads" --steps "$steps" | sed -E 's/.*step_ms=([0-9.]+).*/\1/')"
    done
    echo "train $("$BUILD_DIR/release/train-bench" --threads "$threads" --steps 4 --repeats 3 | awk '/^train_step/ { print $2 }')"
  ) > "/tmp/backend-$backend.txt"
done
for backend in debian wheel; do
  while read -r key value; do ms[$backend.$key]=$value; done < "/tmp/backend-$backend.txt"
done
echo "| $threads threads, ms/step | Debian libtorch ${ms[debian.version]} | PyPI wheel libtorch ${ms[wheel.version]} | wheel / Debian |"
echo "|---|---:|---:|---:|"
for m in "${methods[@]}" train; do
  name=$m; [ "$m" = train ] && name="DARTS_V2 training step"
  awk -v n="$name" -v a="${ms[debian.$m]}" -v b="${ms[wheel.$m]}" 'BEGIN { printf "| %s | %.0f | %.0f | %.2f |\n", n, a, b, b / a }'
done
