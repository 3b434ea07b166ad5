#!/usr/bin/env bash
# Sourced by dst-nodes.sh and fashion-mnist-cpu-dst-pull-mean/compare.sh: one reader of a plain
# search folder as settle-e20.sh keeps it (seedN/genotype.json and report.json, the cell's
# training in train-seedN/), instead of one in each.
#
# usage (after `. experiments/dst-search.sh`):
#   plain_search SEARCH          {superNet, derived, pruned} of SEARCH (fractions, JSON); a
#                                4-step DST cell pair has 2 · 7 · (2 + 3 + 4 + 5) = 196 candidates
#   plain_training FOLDER SEED   the finished training's test accuracy of seed SEED's cell; nothing
#                                while it has not finished
plain_search() {
  jq --slurpfile g "$1/genotype.json" '{superNet: .super_net_accuracy, derived: .derived_accuracy,
      pruned: (1 - ([$g[0].normal[], $g[0].reduce[] | length] | add) / 196)}' "$1/report.json"
}
plain_training() {
  [ ! -f "$1/train-seed$2/finished" ] || tail -n 1 "$1/train-seed$2/metrics.jsonl" | jq -r '.test_top1'
}
