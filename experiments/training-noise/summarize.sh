#!/usr/bin/env bash
# Summarises the trainings of run.sh: for every protocol and cell, the final test accuracy of
# each seed, their mean and sample standard deviation, and the CPU minutes of one training.
# The run folders do not outlive a session's machine, so every finished training is first
# recorded in trainings.tsv (kept in the repository; one row per protocol, cell and seed), and
# the table is computed from that file.
# usage: experiments/training-noise/summarize.sh [RUNS]   (default runs/training-noise)
#   RECORD=file (default trainings.tsv here): where trainings are recorded; a trial run points it
#   elsewhere, so that its trainings do not join the measured ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-runs/training-noise}"
record="${RECORD:-$here/trainings.tsv}"
. "$here/../metrics.sh"
[ -f "$record" ] || printf 'protocol\tcell\tseed\ttest_top1\tcpu_minutes\tsource\n' > "$record"
for run in "$runs"/p*/*-seed*; do
  [ -d "$run" ] && [ -f "$run/model.safetensors" ] || continue
  p=$(basename "$(dirname "$run")"); name=$(basename "$run"); cell="${name%-seed*}"; seed="${name##*-seed}"
  awk -F'\t' -v p="$p" -v c="$cell" -v s="$seed" '$1 == p && $2 == c && $3 == s { found = 1 } END { exit !found }' "$record" && continue
  acc=$(last_metric test_top1 "$run/metrics.jsonl")
  # CPU minutes: the attempts' times (FOLDER.cost), or the run's own total in metrics.jsonl
  # (cpu_seconds, kept across resumes, so it counts an attempt cut off with its machine too),
  # whichever is larger.
  timed=$([ -f "$run.cost" ] && awk '{c += $2 + $3} END {printf "%.2f", c / 60}' "$run.cost" || echo 0)
  kept=$(last_metric cpu_seconds "$run/metrics.jsonl" || true)
  cpu=$(awk -v t="$timed" -v k="${kept:-0}" 'BEGIN { c = k / 60 > t ? k / 60 : t; if (c > 0) printf "%.2f", c; else print "-" }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$cell" "$seed" "$acc" "$cpu" "run $(date +%F)" >> "$record"
done
echo "# One training's noise, by protocol"
echo
echo "Written by experiments/training-noise/summarize.sh from $(basename "$record") (partial where a protocol has fewer seeds)."
echo
echo "| protocol | cell | seeds | test acc % per seed | mean | std (one training) | CPU min per training |"
echo "|---|---|---:|---|---:|---:|---:|"
tail -n +2 "$record" | sort -t$'\t' -k1,1 -k2,2 -k3,3n | awk -F'\t' '
  function flush() {
    if (n == 0) return
    m = s / n; v = 0; for (i = 1; i <= n; i++) v += (a[i] - m) ^ 2
    sd = n > 1 ? sprintf("%.2f", sqrt(v / (n - 1))) : "-"
    list = ""; for (i = 1; i <= n; i++) list = list (i > 1 ? ", " : "") sprintf("%.2f", a[i])
    printf "| %s | %s | %d | %s | %.2f | %s | %s |\n", p, c, n, list, m, sd, cn ? sprintf("%.1f", cs / cn) : "-"
  }
  $1 != p || $2 != c { flush(); p = $1; c = $2; n = 0; s = 0; cs = 0; cn = 0 }
  { a[++n] = $4; s += $4; if ($5 != "-") { cs += $5; cn++ } }
  END { flush() }'
