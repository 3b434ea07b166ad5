#!/usr/bin/env bash
# Sourced by dst-nodes.sh and fashion-mnist-cpu-dst-pull-mean/compare.sh: one reader of a DST
# search in either layout, instead of one in each script: an experiment unit
# (units/search-entrannas-dst-seedN/result.json, as experiments/kept.sh keeps it) or a plain
# search folder as settle-e20.sh keeps it (seedN/genotype.json and report.json, the cell's
# training in train-seedN/).
#
# usage (after `. experiments/dst-search.sh`):
#   unit_search UNIT             {superNet, derived, pruned} of an experiment unit (fractions, JSON)
#   plain_search SEARCH          the same of a plain search folder; a 4-step DST cell pair has
#                                2 · 7 · (2 + 3 + 4 + 5) = 196 candidates
#   plain_training FOLDER SEED   the finished training's test accuracy of seed SEED's cell; nothing
#                                while it has not finished
#   $dst_share                   a jq definition, `largest_share`: on a genotype.json, the largest
#                                share of one node's candidates kept, over both cells (node j of a
#                                4-step cell has 7 (j + 2): no `none` under DST)
unit_search() {
  jq '{superNet: .superNetAccuracy, derived: .derivedAccuracy, pruned: .prunedFraction}' "$1/result.json"
}
plain_search() {
  jq --slurpfile g "$1/genotype.json" '{superNet: .super_net_accuracy, derived: .derived_accuracy,
      pruned: (1 - ([$g[0].normal[], $g[0].reduce[] | length] | add) / 196)}' "$1/report.json"
}
plain_training() {
  [ ! -f "$1/train-seed$2/finished" ] || tail -n 1 "$1/train-seed$2/metrics.jsonl" | jq -r '.test_top1'
}
# shellcheck disable=SC2034  # used by the sourcing scripts
dst_share='def largest_share: [(.normal, .reduce) | map(length) | to_entries[] | .value / (7 * (.key + 2))] | max;'
