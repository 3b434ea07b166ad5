#!/usr/bin/env bash
# Step time of one process against two (`entrannas launch`) on this machine, for an EnTranNAS
# search and a DARTS_V2 training, same global batch (release build). Seconds per step come from
# metrics.jsonl (the epoch's training seconds / its steps; evaluation excluded).
#   benchmarks/data-parallel.sh [--limit 2048] [--batch 64]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
limit=2048; batch=64
while [ $# -gt 0 ]; do
  case "$1" in --limit) limit=$2; shift 2 ;; --batch) batch=$2; shift 2 ;; *) echo "unknown flag $1" >&2; exit 1 ;; esac
done
source scripts/torch-backend.sh
swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product entrannas >/dev/null
bin="$BUILD_DIR/release/entrannas"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
search=(search --method entrannas --preset quick --epochs 1 --warmup-epochs 0 --limit "$limit" --batch-size "$batch" --eval-limit 64)
train=(train --genotype DARTS_V2 --preset quick --epochs 1 --limit "$limit" --batch-size "$batch" --layers 8 --init-channels 16 --eval-limit 64)
# ms per training step of the run in $1 (search: steps from metrics; training: images / batch).
step_ms() {
  python3 - "$1" "$batch" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1] + "/metrics.jsonl").readline())
steps = r.get("steps") or r["seconds"] * r["images_per_second"] / int(sys.argv[2])
print(f"{1000 * r['seconds'] / steps:.0f}")
PY
}
declare -A ms
for job in search train; do
  declare -n args=$job
  ENTRANNAS_THREADS=1 "$bin" "${args[@]}" --output "$out/$job-1x1" >/dev/null
  ENTRANNAS_THREADS=2 "$bin" "${args[@]}" --output "$out/$job-1x2" >/dev/null
  "$bin" launch --nproc-per-node 2 --master-port $((29500 + RANDOM % 1000)) -- "${args[@]}" --output "$out/$job-2x1" >/dev/null
  for run in 1x1 1x2 2x1; do ms[$job.$run]=$(step_ms "$out/$job-$run"); done
done
echo "| ms per step, global batch $batch | 1 process, 1 thread | 1 process, 2 threads | 2 processes, 1 thread each | 2 processes / 1 process 2 threads |"
echo "|---|---:|---:|---:|---:|"
for job in search train; do
  name="EnTranNAS search (quick network)"; [ "$job" = train ] && name="DARTS_V2 training (8 cells, 16 channels)"
  awk -v n="$name" -v a="${ms[$job.1x1]}" -v b="${ms[$job.1x2]}" -v c="${ms[$job.2x1]}" \
    'BEGIN { printf "| %s | %d | %d | %d | %.2f |\n", n, a, b, c, c / b }'
done
