#!/usr/bin/env bash
# Writes the state of run.sh's trainings as markdown: per cell, epochs done, the last test
# accuracy (the final one once all 40 epochs are done), hours of training so far (the sum of
# the epochs' times in metrics.jsonl) and CPU hours (the last epoch's cpu_seconds, the run's own
# total across resumes; "-" for epochs written by a binary from before it was recorded), and the
# machines the training ran on (CPU hours compare only within one; "-" before logs named them).
# A cell whose run folder is gone (another machine) is read from its kept record (kept/NAME:
# metrics.jsonl, or row.md where only the row was kept).
#   experiments/fashion-mnist-long/summarize.sh > experiments/fashion-mnist-long/results.md
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${RUNS:-runs/fashion-mnist-long}"
kept="${KEPT:-experiments/fashion-mnist-long/kept}"
. experiments/metrics.sh
echo "# Long trainings on Fashion-MNIST (DARTS protocol, 8 cells, 16 channels, 40 epochs)"
echo
echo "Written by experiments/fashion-mnist-long/summarize.sh from $runs and $kept."
echo
echo "| cell | epochs done | test acc % of the last epoch | on test images | finished | training hours so far | CPU hours | machines |"
echo "|---|---:|---:|---:|---|---:|---:|---|"
row() {  # NAME METRICS FINISHED MACHINES (one per line; empty: not recorded)
  local name="$1" metrics="$2" finished="$3" machines="${4:-}" epochs acc images hours cpu cpuh
  machines=$([ -n "$machines" ] && printf '%s\n' "$machines" | paste -sd ';' - | sed 's/;/; /g' || echo -)
  epochs=$(grep -c . "$metrics" || true)
  acc=$(last_metric test_top1 "$metrics")
  images=$(last_metric test_images "$metrics")
  hours=$(every_metric seconds "$metrics" | awk '{s += $1} END {printf "%.1f", s / 3600}')
  cpu=$(last_metric cpu_seconds "$metrics" || true)
  cpuh=$([ -n "$cpu" ] && awk -v k="$cpu" 'BEGIN { printf "%.1f", k / 3600 }' || echo -)
  printf '| %s | %s | %.2f | %s | %s | %s | %s | %s |\n' "$name" "$epochs" "$acc" "$images" "$finished" "$hours" "$cpuh" "$machines"
}
names=$(for d in "$runs"/*/ "$kept"/*/; do [ ! -d "$d" ] || basename "$d"; done | sort -u)
for name in $names; do
  out="$runs/$name" record="$kept/$name"
  if [ -f "$record/finished" ] && [ ! -f "$out/model.safetensors" ]; then
    if [ -f "$record/metrics.jsonl" ]; then row "$name" "$record/metrics.jsonl" yes "$(cat "$record/machines" 2>/dev/null || true)"
    elif [ -f "$record/row.md" ]; then sed '/./s/$/ - |/' "$record/row.md"
    else echo "error: $record is finished but holds neither metrics.jsonl nor row.md" >&2; exit 1; fi
  elif [ -f "$out/metrics.jsonl" ]; then
    row "$name" "$out/metrics.jsonl" "$([ -f "$out/model.safetensors" ] && echo yes || echo no)" \
      "$([ ! -f "$out/log.txt" ] || log_machines "$out/log.txt")"
  elif [ -d "$out" ]; then
    echo "| $name | 0 | - | - | no | - | - | - |"
  fi
done
