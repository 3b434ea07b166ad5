#!/usr/bin/env bash
# Per EnTranNAS-DST search of an experiment's units (kept by experiments/kept.sh, or a run folder):
# candidates kept per node (normal; reduce), the largest share of a node's candidates kept,
# pruning, the consistency gap, and the retrained accuracy of its cell (one value per training
# seed, from train-entrannas-dst-seedN or train-entrannas-dst-seedN-tM).
# FOLDER may also hold plain search folders seedN/ (genotype.json, report.json) with their cells'
# trainings in train-seedN/ (metrics.jsonl), as settle-e20.sh keeps them.
# usage: experiments/dst-nodes.sh FOLDER [LABEL]   (FOLDER holds units/ or seedN/; LABEL prefixes each row)
set -euo pipefail
. "$(dirname "$0")/dst-search.sh"   # unit_search, plain_search, plain_training, $dst_share
folder="$1"; label="${2:+$2, }"
echo "| search | normal: kept per node | reduce: kept per node | largest share kept | pruned % | super-net % | derived % | gap (points) | retrained % |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
row() {  # SEED ACC GENOTYPE_JSON; {superNet, derived, pruned} (dst-search.sh) on stdin
  jq -r --arg prefix "$label" --arg seed "$1" --arg acc "$2" --slurpfile r /dev/stdin "$dst_share"'
    ($r[0]) as $res
    | "| \($prefix)seed \($seed) | \(.normal | map(length) | join(", ")) | \(.reduce | map(length) | join(", ")) | "
      + "\(largest_share * 100 | round)% | "
      + "\($res.pruned * 1000 | round / 10) | \($res.superNet * 10000 | round / 100) | "
      + "\($res.derived * 10000 | round / 100) | \(($res.superNet - $res.derived) * 10000 | round / 100) | \($acc) |"
  ' "$3"
}
shopt -s nullglob
for search in "$folder"/seed*/; do
  [ -f "$search/report.json" ] && [ -f "$search/genotype.json" ] || continue
  seed=$(basename "$search"); seed="${seed#seed}"
  acc=$(plain_training "$folder" "$seed")
  plain_search "$search" | row "$seed" "${acc:--}" "$search/genotype.json"
done
for unit in "$folder"/units/search-entrannas-dst-seed*/; do
  [ -f "$unit/result.json" ] || continue
  name=$(basename "$unit"); seed="${name##*-seed}"
  acc=$(for train in "$folder/units/train-${name#search-}/result.json" "$folder/units/train-${name#search-}"-t*/result.json; do
          if [ -f "$train" ]; then jq -r '.testAccuracy' "$train"; fi; done | paste -sd, | sed 's/,/, /g')
  unit_search "$unit" | row "$seed" "${acc:--}" "$unit/genotype.json"
done
