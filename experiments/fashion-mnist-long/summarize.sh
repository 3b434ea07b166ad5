#!/usr/bin/env bash
# Writes the state of run.sh's trainings as markdown: per cell, epochs done, the last test
# accuracy (the final one once all 40 epochs are done), hours of training so far (the sum of
# the epochs' times in metrics.jsonl) and CPU hours (the last epoch's cpu_seconds, the run's own
# total across resumes; "-" for epochs written by a binary from before it was recorded).
#   experiments/fashion-mnist-long/summarize.sh > experiments/fashion-mnist-long/results.md
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${RUNS:-runs/fashion-mnist-long}"
echo "# Long trainings on Fashion-MNIST (DARTS protocol, 8 cells, 16 channels, 40 epochs)"
echo
echo "Written by experiments/fashion-mnist-long/summarize.sh from $runs."
echo
echo "| cell | epochs done | test acc % of the last epoch | on test images | finished | training hours so far | CPU hours |"
echo "|---|---:|---:|---:|---|---:|---:|"
for out in "$runs"/*/; do
  out="${out%/}"; name=$(basename "$out")
  [ -d "$out" ] || continue
  [ -f "$out/metrics.jsonl" ] || { echo "| $name | 0 | - | - | no | - | - |"; continue; }
  epochs=$(grep -c . "$out/metrics.jsonl" || true)
  acc=$(tail -n 1 "$out/metrics.jsonl" | grep -oE '"test_top1" *: *[0-9.eE+-]+' | sed -E 's/.*: *//')
  images=$(tail -n 1 "$out/metrics.jsonl" | grep -oE '"test_images" *: *[0-9]+' | sed -E 's/.*: *//')
  hours=$(grep -oE '"seconds" *: *[0-9.eE+-]+' "$out/metrics.jsonl" | sed -E 's/.*: *//' | awk '{s += $1} END {printf "%.1f", s / 3600}')
  kept=$(tail -n 1 "$out/metrics.jsonl" | grep -oE '"cpu_seconds" *: *[0-9.eE+-]+' | sed -E 's/.*: *//' || true)
  cpuh=$([ -n "$kept" ] && awk -v k="$kept" 'BEGIN { printf "%.1f", k / 3600 }' || echo -)
  printf '| %s | %s | %.2f | %s | %s | %s | %s |\n' "$name" "$epochs" "$acc" "$images" "$([ -f "$out/model.safetensors" ] && echo yes || echo no)" "$hours" "$cpuh"
done
