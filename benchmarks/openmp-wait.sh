#!/usr/bin/env bash
# OpenMP waiting, idle and contended, in one run: the EnTranNAS search step (search-bench) with
# 2 threads under several libgomp settings, once alone and once as two jobs on the same cores.
# Prints a markdown table of ms/step (contended: the mean of the two jobs).
#   ROUNDS=2 benchmarks/openmp-wait.sh [--steps 5] [search-bench flags...]
# Pause other work first: the idle column assumes an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product search-bench >/dev/null
bench=.build/release/search-bench
method=${METHOD:-entrannas}
# name | environment
policies=(
  "libgomp default (spin 300k, then sleep)|"
  "PASSIVE (old policy when busy at start)|OMP_WAIT_POLICY=PASSIVE"
  "GOMP_SPINCOUNT=10000|GOMP_SPINCOUNT=10000"
  "GOMP_SPINCOUNT=1000|GOMP_SPINCOUNT=1000"
)
step_ms() { sed -E 's/.*step_ms=([0-9.]+).*/\1/' <<<"$1"; }
run() { env $1 "$bench" "$method" --threads 2 "${@:2}"; }

rounds=${ROUNDS:-2}
declare -A idle busy
for round in $(seq 1 "$rounds"); do   # policies alternate within a round, so drift hits all alike
  for p in "${policies[@]}"; do
    name=${p%%|*}; envs=${p#*|}
    idle[$name]+=" $(step_ms "$(run "$envs" "$@")")"
    a=$(mktemp); b=$(mktemp)
    run "$envs" "$@" >"$a" & pa=$!
    run "$envs" "$@" >"$b" & pb=$!
    wait $pa $pb
    busy[$name]+=" $(step_ms "$(cat "$a")") $(step_ms "$(cat "$b")")"
    rm -f "$a" "$b"
  done
done
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", s / NF }' <<<"$1"; }
echo "$method search step, 2 threads, $rounds rounds (contended: two jobs at once on the same cores); $*"
echo
echo "| OpenMP waiting | idle ms/step | contended ms/step | contended / idle | idle runs | contended runs |"
echo "|---|---:|---:|---:|---|---|"
for p in "${policies[@]}"; do
  name=${p%%|*}
  i=$(mean "${idle[$name]}"); c=$(mean "${busy[$name]}")
  awk -v n="$name" -v i="$i" -v c="$c" -v ri="${idle[$name]# }" -v rc="${busy[$name]# }" \
    'BEGIN { printf "| %s | %d | %d | %.2f | %s | %s |\n", n, i, c, c / i, ri, rc }'
done
