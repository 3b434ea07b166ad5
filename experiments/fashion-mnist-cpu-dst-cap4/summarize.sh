#!/usr/bin/env bash
# Per search of this experiment (from the units kept here by experiments/kept.sh): candidates kept
# per node (normal; reduce), the largest share of a node's candidates kept, pruning, the
# consistency gap, and the retrained accuracy of its cell.
# usage: experiments/fashion-mnist-cpu-dst-cap4/summarize.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
echo "| search | normal: kept per node | reduce: kept per node | largest share kept | pruned % | super-net % | derived % | gap (points) | retrained % |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for unit in "$here"/units/search-*/; do
  [ -f "$unit/result.json" ] || continue
  name=$(basename "$unit"); seed="${name##*-seed}"
  train="$here/units/train-${name#search-}/result.json"
  acc=$([ -f "$train" ] && jq -r '.testAccuracy // "-"' "$train" || echo -)
  # Node j of a 4-step cell has 7 (j + 2) candidates (no `none` under DST).
  jq -r --arg seed "$seed" --arg acc "$acc" --slurpfile r "$unit/result.json" '
    def shares: [to_entries[] | .value / (7 * (.key + 2))] | max;
    ($r[0]) as $res
    | "| seed \($seed) | \(.normal | map(length) | join(", ")) | \(.reduce | map(length) | join(", ")) | "
      + "\([(.normal | map(length) | shares), (.reduce | map(length) | shares)] | max * 100 | round)% | "
      + "\($res.prunedFraction * 1000 | round / 10) | \($res.superNetAccuracy * 10000 | round / 100) | "
      + "\($res.derivedAccuracy * 10000 | round / 100) | \(($res.superNetAccuracy - $res.derivedAccuracy) * 10000 | round / 100) | \($acc) |"
  ' "$unit/genotype.json"
done
