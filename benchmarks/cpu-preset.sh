#!/usr/bin/env bash
# The evidence behind `--preset cpu`: one search per setting on Fashion-MNIST, two at a time
# with one thread each, then a table of what each search learned, read from its log.txt
# (separation of the op weights, DST pruning and in-degree, consistency gap).
#   benchmarks/cpu-preset.sh                     # the sweep of docs/presets.md#cpu-preset
#                                                # (about 1.6 hours on 2 cores)
#   SETTINGS="entrannas:--arch-learning-rate=0.03" benchmarks/cpu-preset.sh
# A setting is METHOD:FLAG=VALUE,FLAG=VALUE,... added to `entrannas search --preset cpu`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product entrannas >/dev/null
out=${OUT:-runs/cpu-preset}
settings=(
  "entrannas:--arch-learning-rate=0.003"
  "entrannas:--arch-learning-rate=0.01"
  "entrannas:--arch-learning-rate=0.03"
  "entrannas-dst:--dst-sparsity=0"
  "entrannas-dst:--dst-sparsity=0.1"
  "entrannas-dst:--dst-sparsity=0.02"
  "entrannas-dst:--dst-sparsity=0.02,--dst-renormalization=edge"
  "entrannas-dst:--dst-sparsity=0.02,--dst-renormalization=node"
  "entrannas-dst:--dst-sparsity=0.02,--dst-renormalization=hard"
)
[ -n "${SETTINGS:-}" ] && read -r -a settings <<<"$SETTINGS"
name() { tr -c 'a-z0-9.\n-' '_' <<<"$1"; }
run() {
  local method=${1%%:*} flags=${1#*:}
  local dir="$out/$(name "$1")"
  [ -f "$dir/report.json" ] && return 0
  rm -rf "$dir"
  # shellcheck disable=SC2046
  .build/release/entrannas search --preset cpu --method "$method" --threads 1 --output "$dir" \
    $(tr ',' ' ' <<<"$flags" | sed 's/=/ /g') >"$dir.out" 2>&1
}
for ((i = 0; i < ${#settings[@]}; i += 2)); do
  run "${settings[i]}" &
  [ $((i + 1)) -lt ${#settings[@]} ] && run "${settings[i + 1]}" &
  wait
done
echo "| setting | mean largest op weight (normal, reduce) | pruned (normal, reduce) | in-degree | gap (points) |"
echo "|---|---|---|---|---:|"
for s in "${settings[@]}"; do
  log="$out/$(name "$s")/log.txt"
  sep=$(grep "separation:" "$log" | tail -1)
  maxes=$(grep -oE 'max [0-9.]+' <<<"$sep" | awk '{printf "%s%s", sep, $2; sep=", "}')
  pruned=$(grep -oE 'pruned [0-9]+%' <<<"$sep" | awk '{printf "%s%s", sep, $2; sep=", "}')
  degree=$(grep -oE 'in-degree [0-9.]+' <<<"$sep" | awk '{printf "%s%s", sep, $2; sep=", "}')
  gap=$(grep -oE 'gap \(super-net - derived\) +[-+0-9.]+' "$log" | awk '{print $NF}')
  echo "| $s | $maxes | ${pruned:--} | ${degree:-2, 2} | $gap |"
done
