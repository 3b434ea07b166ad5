#!/usr/bin/env bash
# Which libtorch and which memory layout are fastest on this CPU, in one run: the search step of
# every method (search-bench, each in its own process, median of --steps steps after a warm-up)
# and the DARTS_V2 training step (train-bench) for four configurations,
#   Debian's libtorch 1.13 | the PyPI wheel's libtorch (ENTRANNAS_TORCH=wheel)
#   x  NCHW (--memory-format contiguous) | NHWC (--memory-format channels-last),
# release builds of the same sources. Rounds interleave the configurations per measurement, in
# forward order in odd rounds and reverse order in even ones, so drift and load hit all alike.
# Prints markdown tables: the median over rounds with ratios to Debian NCHW, the spread between
# rounds (max / min of each configuration), and peak resident memory.
#   benchmarks/layouts.sh [--threads 2] [--steps 3] [--rounds 2]
# Pause other work on the machine first; the script only measures. OpenMP waits as `entrannas`
# makes it wait (GOMP_SPINCOUNT=1000) unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
[ -z "${OMP_WAIT_POLICY:-}" ] && export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000}
threads=2; steps=3; rounds=2
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 1 ;;
  esac
done
methods=(darts darts-2nd pc-darts entrannas entrannas-dst)
[ -n "${METHODS:-}" ] && read -r -a methods <<<"$METHODS"   # e.g. METHODS="entrannas" for a quick try
configs=(debian:contiguous debian:channels-last wheel:contiguous wheel:channels-last)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Builds, then checks that each backend's binaries run on the libtorch it promises.
declare -A bin libtorch
for backend in debian wheel; do
  (
    export ENTRANNAS_TORCH=$backend
    source scripts/torch-backend.sh
    for p in search-bench train-bench; do swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product "$p" >/dev/null; done
    if [ "$backend" = wheel ]; then expected=${version}; else expected=$(pkg-config --modversion libtorch | cut -d. -f1,2); fi
    echo "$BUILD_DIR/release $expected" > "$work/build-$backend"
  )
  read -r "bin[$backend]" expected < "$work/build-$backend"
  libtorch[$backend]=$("${bin[$backend]}/train-bench" --threads "$threads" --steps 1 --repeats 1 | sed -nE 's/.*libtorch ([0-9.]+).*/\1/p' | head -1)
  case "${libtorch[$backend]}" in
    "$expected"*) echo "$backend: libtorch ${libtorch[$backend]} in ${bin[$backend]}" >&2 ;;
    *) echo "error: the $backend build runs on libtorch '${libtorch[$backend]}', expected $expected" >&2; exit 1 ;;
  esac
done

# One measurement: appends "config key ms [peak_rss_mb]" to $work/results.
measure() {
  local config=$1 what=$2 backend=${1%%:*} format=${1#*:} line
  if [ "$what" = train ]; then
    line=$("${bin[$backend]}/train-bench" --threads "$threads" --steps 4 --repeats 3 --memory-format "$format")
    echo "$config train $(awk '/^train_step/ { print $2 }' <<<"$line")" >> "$work/results"
  else
    line=$("${bin[$backend]}/search-bench" "$what" --threads "$threads" --steps "$steps" --memory-format "$format")
    echo "$config $what $(sed -E 's/.*step_ms=([0-9.]+).*/\1/' <<<"$line") $(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$line")" \
      >> "$work/results"
  fi
  echo "round $round $(tail -1 "$work/results")" >&2
}
for round in $(seq 1 "$rounds"); do
  order=("${configs[@]}")
  [ $((round % 2)) -eq 0 ] && order=(wheel:channels-last wheel:contiguous debian:channels-last debian:contiguous)
  for what in "${methods[@]}" train; do
    for config in "${order[@]}"; do measure "$config" "$what"; done
  done
done

label() { case "$1" in train) echo "DARTS_V2 training step" ;; *) echo "$1" ;; esac; }
echo
echo "$threads threads, OpenMP ${OMP_WAIT_POLICY:+OMP_WAIT_POLICY=$OMP_WAIT_POLICY }${GOMP_SPINCOUNT:+GOMP_SPINCOUNT=$GOMP_SPINCOUNT};" \
  "search step median of $steps steps after a warm-up, training step median of 3 x 4 steps;"
echo "each cell: median over $rounds interleaved rounds, ms/step (ratio to Debian NCHW)"
echo
d="Debian ${libtorch[debian]}" w="wheel ${libtorch[wheel]}"
echo "| ms/step | $d NCHW | $d channels-last | $w NCHW | $w channels-last |"
echo "|---|---:|---:|---:|---:|"
for what in "${methods[@]}" train; do
  awk -v what="$what" -v name="$(label "$what")" -v order="${configs[*]}" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $2 == what { ms[$1] = ms[$1] " " $3 }
    END {
      split(order, c, " ")
      base = median(ms[c[1]])
      row = "| " name
      for (i = 1; i <= 4; i++) { m = median(ms[c[i]]); row = row sprintf(" | %.0f (%.2f)", m, m / base) }
      print row " |"
    }' "$work/results"
done
echo
echo "Spread between rounds (slowest / fastest round of each configuration):"
echo
echo "| max / min | $d NCHW | $d channels-last | $w NCHW | $w channels-last |"
echo "|---|---:|---:|---:|---:|"
for what in "${methods[@]}" train; do
  awk -v what="$what" -v name="$(label "$what")" -v order="${configs[*]}" '
    $2 == what { if (!($1 in lo) || $3 < lo[$1]) lo[$1] = $3; if ($3 > hi[$1]) hi[$1] = $3 }
    END {
      split(order, c, " ")
      row = "| " name
      for (i = 1; i <= 4; i++) row = row sprintf(" | %.2f", hi[c[i]] / lo[c[i]])
      print row " |"
    }' "$work/results"
done
echo
echo "Peak resident memory of the search step (MB, largest over rounds):"
echo
echo "| peak RSS | $d NCHW | $d channels-last | $w NCHW | $w channels-last |"
echo "|---|---:|---:|---:|---:|"
for what in "${methods[@]}"; do
  awk -v what="$what" -v order="${configs[*]}" '
    $2 == what { if ($4 > rss[$1]) rss[$1] = $4 }
    END {
      split(order, c, " ")
      row = "| " what
      for (i = 1; i <= 4; i++) row = row sprintf(" | %.0f", rss[c[i]])
      print row " |"
    }' "$work/results"
done
echo
echo "Raw measurements (config, what, ms, peak RSS MB), in the order they ran:"
echo
sed 's/^/    /' "$work/results"
