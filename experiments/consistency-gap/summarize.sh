#!/usr/bin/env bash
# Tables of run.sh's searches: the gap per epoch (from metrics.jsonl), and the end-of-search
# report with its diagnostics (from report.json). Run folders do not outlive a session's
# machine, so the two files of every finished search are first copied to kept/NAME/ (kept in
# the repository), and the tables are computed from kept/.
# usage: experiments/consistency-gap/summarize.sh [RUNS]   (default runs/consistency-gap)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for run in "${1:-runs/consistency-gap}"/*/; do
  [ -f "$run/report.json" ] || continue
  mkdir -p "$here/kept/$(basename "$run")"
  cp "$run/metrics.jsonl" "$run/report.json" "$here/kept/$(basename "$run")/"
done
runs="$here/kept"

# A table with one row per run and one column per epoch: the jq expression's value of each
# metrics.jsonl record.
per_epoch_table() {
  echo "| run | $(seq -s ' | ' 1 10) |"
  echo "|---|$(printf -- '---:|%.0s' $(seq 1 10))"
  for run in "$runs"/*/; do
    [ -f "$run/metrics.jsonl" ] || continue
    echo "| $(basename "$run") | $(jq -r "$1" "$run/metrics.jsonl" | paste -sd '|' | sed 's/|/ | /g') |"
  done
}

echo "# EnTranNAS' consistency gap: per epoch, and where it comes from"
echo
echo "Written by experiments/consistency-gap/summarize.sh from kept/; accuracies on the architecture"
echo "split (2,000 images), batch norm re-estimated, in %."
echo
echo "## Gap per epoch (super-net - derived net, points)"
echo
per_epoch_table '(if .derived_accuracy then (100 * (.super_net_accuracy - .derived_accuracy) | . * 10 | round / 10 | tostring) else "-" end)'
echo
echo "Mean largest op weight of the normal cell per epoch (1/8 = 0.125 is uniform):"
echo
per_epoch_table '(.normal_statistics.mean_max_weight * 1000 | round / 1000 | tostring)'
echo
echo "## End of search"
echo
echo "| run | super-net | derived | gap | derived, search's BN stats | super-net, normal Engine-cell derived | super-net, reduction Engine-cell derived |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for run in "$runs"/*/; do
  [ -f "$run/report.json" ] || continue
  jq -r --arg name "$(basename "$run")" '
    def pct: . * 10000 | round / 100 | tostring;
    def cell(r): ([.engine_cell_ablation[]? | select(.reduction == r) | .accuracy | pct] | join(", ") | if . == "" then "-" else . end);
    "| \($name) | \(.super_net_accuracy | pct) | \(.derived_accuracy | pct) | \((.super_net_accuracy - .derived_accuracy) | pct) | \(.derived_accuracy_search_statistics // null | if . then pct else "-" end) | \(cell(false)) | \(cell(true)) |"' "$run/report.json"
done
echo
# The first session's four searches, whose files were lost with its machine: its tables as printed.
cat "$here/earlier.md"
