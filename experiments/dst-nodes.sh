#!/usr/bin/env bash
# Per EnTranNAS-DST search of an experiment's units (kept by experiments/kept.sh, or a run folder):
# candidates kept per node (normal; reduce), the largest share of a node's candidates kept,
# pruning, the consistency gap, and the retrained accuracy of its cell (one value per training
# seed, from train-entrannas-dst-seedN or train-entrannas-dst-seedN-tM).
# usage: experiments/dst-nodes.sh FOLDER [LABEL]   (FOLDER holds units/; LABEL prefixes each row)
set -euo pipefail
folder="$1"; label="${2:+$2, }"
echo "| search | normal: kept per node | reduce: kept per node | largest share kept | pruned % | super-net % | derived % | gap (points) | retrained % |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for unit in "$folder"/units/search-entrannas-dst-seed*/; do
  [ -f "$unit/result.json" ] || continue
  name=$(basename "$unit"); seed="${name##*-seed}"
  acc=$(for train in "$folder/units/train-${name#search-}/result.json" "$folder/units/train-${name#search-}"-t*/result.json; do
          if [ -f "$train" ]; then jq -r '.testAccuracy' "$train"; fi; done | paste -sd, | sed 's/,/, /g')
  # Node j of a 4-step cell has 7 (j + 2) candidates (no `none` under DST).
  jq -r --arg prefix "$label" --arg seed "$seed" --arg acc "${acc:--}" --slurpfile r "$unit/result.json" '
    def shares: [to_entries[] | .value / (7 * (.key + 2))] | max;
    ($r[0]) as $res
    | "| \($prefix)seed \($seed) | \(.normal | map(length) | join(", ")) | \(.reduce | map(length) | join(", ")) | "
      + "\([(.normal | map(length) | shares), (.reduce | map(length) | shares)] | max * 100 | round)% | "
      + "\($res.prunedFraction * 1000 | round / 10) | \($res.superNetAccuracy * 10000 | round / 100) | "
      + "\($res.derivedAccuracy * 10000 | round / 100) | \(($res.superNetAccuracy - $res.derivedAccuracy) * 10000 | round / 100) | \($acc) |"
  ' "$unit/genotype.json"
done
