#!/usr/bin/env bash
# Summarises the trainings of run.sh: for every protocol and cell, the final test accuracy of
# each seed, their mean and sample standard deviation, and the CPU minutes of one training.
# usage: experiments/training-noise/summarize.sh [RUNS]   (default runs/training-noise)
set -euo pipefail
runs="${1:-runs/training-noise}"
echo "# One training's noise, by protocol"
echo
echo "Written by experiments/training-noise/summarize.sh from $runs (partial where a protocol has fewer seeds)."
echo
echo "| protocol | cell | seeds | test acc % per seed | mean | std (one training) | CPU min per training |"
echo "|---|---|---:|---|---:|---:|---:|"
for pdir in "$runs"/p*; do
  [ -d "$pdir" ] || continue
  p=$(basename "$pdir")
  for cell in $(ls "$pdir" | grep -vE '\.(cost|lock)$' | sed -E 's/-seed[0-9]+$//' | sort -u); do
    accs=(); cpus=()
    for run in "$pdir/$cell"-seed*; do
      [ -d "$run" ] && [ -f "$run/model.safetensors" ] || continue
      last=$(tail -n 1 "$run/metrics.jsonl")
      accs+=("$(grep -oE '"test_top1" *: *[0-9.eE+-]+' <<<"$last" | sed -E 's/.*: *//')")
      [ -f "$run.cost" ] && cpus+=("$(awk '{c += $2 + $3} END {printf "%.2f", c / 60}' "$run.cost")")
    done
    [ ${#accs[@]} -gt 0 ] || continue
    printf '%s\n' "${accs[@]}" | awk -v p="$p" -v cell="$cell" -v cpu="${cpus[*]:-}" '
      { a[NR] = $1; s += $1 } 
      END {
        m = s / NR; v = 0; for (i = 1; i <= NR; i++) v += (a[i] - m) ^ 2
        sd = NR > 1 ? sprintf("%.2f", sqrt(v / (NR - 1))) : "-"
        list = ""; for (i = 1; i <= NR; i++) list = list (i > 1 ? ", " : "") sprintf("%.2f", a[i])
        n = split(cpu, c, " "); cs = 0; for (i = 1; i <= n; i++) cs += c[i]
        printf "| %s | %s | %d | %s | %.2f | %s | %s |\n", p, cell, NR, list, m, sd, n ? sprintf("%.1f", cs / n) : "-"
      }'
  done
done
