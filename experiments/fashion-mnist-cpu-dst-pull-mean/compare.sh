#!/usr/bin/env bash
# The mean pull's searches (kept here) against experiment v2's default DST searches (same preset,
# seeds and training protocol; v2's training seed 1 only, as here), and its retrained cells against
# v2's six random DARTS-rule cells (training seed 1): per search the largest share
# of a node's candidates kept, pruning, the consistency gap and the retrained accuracy; for each,
# the means, Welch's 95% interval of the difference and a one-sided exact permutation test in the
# direction the remedy aims at (accuracy: two-sided). Where FOLDER has random cells matched to its
# in-degrees (units/random-dst-*), its cells against them (one-sided, as results.md tests them)
# and those random cells against the DARTS-rule ones. Statistics by Python's scipy (checking side:
# apt-get install python3-scipy; Debian 12's 1.10 is enough: the Welch interval is computed here
# from its t quantile, as ttest_ind's confidence_interval() came only with scipy 1.11).
# FOLDER may hold plain search folders (settle-e20/: seedN/ and train-seedN/); their searches are
# also compared with this folder's (the same setting searched 10 epochs).
# usage: experiments/fashion-mnist-cpu-dst-pull-mean/compare.sh [FOLDER]   (default: this folder; lambda-0.01 names its subfolder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mean="${1:-$here}"
[ -d "$mean" ] || mean="$here/$1"  # a kept folder named from this one: lambda-0.01
default="$here/../fashion-mnist-v2/kept"
. "$here/../dst-search.sh"   # unit_search, plain_search, plain_training, $dst_share
row() {  # SETTING SEED ACC GENOTYPE_JSON, {superNet, derived, pruned} on stdin -> "setting seed share pruned gap accuracy"
  jq -r --arg s "$1" --arg seed "$2" --arg acc "$3" --slurpfile r /dev/stdin "$dst_share"'
    "\($s) \($seed) \(largest_share) \($r[0].pruned) \(($r[0].superNet - $r[0].derived) * 100) \($acc)"' "$4"
}
rows() {  # SETTING FOLDER: a row per finished search of FOLDER's units; accuracy of training seed 1
  for unit in "$2"/units/search-entrannas-dst-seed*/; do
    [ -f "$unit/result.json" ] || continue
    seed="${unit%/}"; seed="${seed##*-seed}"
    train="$2/units/train-entrannas-dst-seed$seed-t1/result.json"
    acc=$([ -f "$train" ] && jq -r '.testAccuracy' "$train" || echo nan)
    unit_search "$unit" | row "$1" "$seed" "$acc" "$unit/genotype.json"
  done
}
plain_rows() {  # the same for settle-e20.sh's layout: seedN/{genotype.json,report.json}, train-seedN/
  for search in "$2"/seed*/; do
    [ -f "$search/report.json" ] && [ -f "$search/genotype.json" ] || continue
    seed=$(basename "$search"); seed="${seed#seed}"
    acc=$(plain_training "$2" "$seed")
    plain_search "$search" | row "$1" "$seed" "${acc:-nan}" "$search/genotype.json"
  done
}
accuracy_rows() {  # LABEL RESULT_JSON...: "LABEL - nan nan nan accuracy" per training that exists
  local label=$1 train; shift
  for train in "$@"; do
    [ -f "$train" ] || continue; echo "$label - nan nan nan $(jq -r '.testAccuracy' "$train")"
  done
}
random_rows() {  # v2's random DARTS-rule cells and FOLDER's DST-matched ones (its in-degrees), training seed 1
  accuracy_rows random "$default"/units/random-darts-*-t1/result.json
  accuracy_rows matched "$mean"/units/random-dst-*-t1/result.json
}
plain=
compgen -G "$mean/seed*/report.json" >/dev/null && plain=1
{ if [ -n "$plain" ]; then plain_rows mean "$mean"; rows ten "$here"; else rows mean "$mean"; fi
  rows default "$default"; random_rows; } | python3 -c '
import sys, math
from itertools import combinations
from scipy import stats
rows = [l.split() for l in sys.stdin if l.strip()]
def values(setting, column):
    return [float(r[column]) for r in rows if r[0] == setting and not math.isnan(float(r[column]))]
def welch(a, b):  # 95% interval of mean(a) - mean(b), Welch-Satterthwaite degrees of freedom
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1) / len(a)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1) / len(b)
    if va + vb == 0: return ma - mb, ma - mb
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    return ma - mb - half, ma - mb + half
def permutation(a, b, sign):  # P(mean(a) - mean(b) >= observed, in the direction sign) over all splits
    pooled, n = a + b, len(a)
    observed = sign * (sum(a) / n - sum(b) / len(b))
    splits = list(combinations(range(len(pooled)), n))
    hits = sum(1 for s in splits if sign * (sum(pooled[i] for i in s) / n
               - sum(pooled[i] for i in range(len(pooled)) if i not in s) / len(b)) >= observed - 1e-12)
    return hits / len(splits)
print("| measure | mean pull | against | difference | 95% interval (Welch) | p (one-sided, exact) |")
print("|---|---|---|---:|---|---:|")
# (measure, column, scale, direction (0: two-sided), cells, against); the last two only where
# random cells matched to the in-degrees of the mean pull were trained: the search against them, as
# results.md tests it (one-sided), and what the in-degree alone costs against the DARTS rule.
for name, column, scale, sign, first, other in [("largest share kept %", 2, 100, -1, "mean", "default"),
                                         ("pruned %", 3, 100, 1, "mean", "default"),
                                         ("gap (points)", 4, 1, -1, "mean", "default"),
                                         ("retrained % (training seed 1)", 5, 1, 0, "mean", "default"),
                                         ("retrained % (training seed 1)", 5, 1, 0, "mean", "random")] + (
                                        [("gap (points)", 4, 1, -1, "mean", "ten"), ("retrained % (training seed 1)", 5, 1, 0, "mean", "ten")]
                                        if any(r[0] == "ten" for r in rows) else []) + (
                                        [("retrained % (training seed 1)", 5, 1, 1, "mean", "matched"),
                                         ("retrained %: random cells of the mean pull\x27s in-degrees", 5, 1, 0, "matched", "random")]
                                        if any(r[0] == "matched" for r in rows) else []):
    a = [v * scale for v in values(first, column)]; b = [v * scale for v in values(other, column)]
    if len(a) < 2 or len(b) < 2:
        print(f"| {name} | {len(a)} cells | {other}: {len(b)} cells | - | - | - |"); continue
    low, high = welch(a, b)
    p = min(1.0, 2 * min(permutation(a, b, 1), permutation(a, b, -1))) if sign == 0 else permutation(a, b, sign)
    fmt = lambda v: ", ".join(f"{x:.2f}" for x in v)
    side = " (two-sided)" if sign == 0 else ""
    against = {"default": "default DST", "random": "random cells, DARTS rule", "ten": "the same, 10 epochs",
               "matched": "random cells, its in-degrees"}[other]
    print(f"| {name} | {sum(a)/len(a):.2f} ({fmt(a)}) | {against}: {sum(b)/len(b):.2f} ({fmt(b)}) | {sum(a)/len(a)-sum(b)/len(b):+.2f} "
          f"| [{low:+.2f}, {high:+.2f}] | {p:.3f}{side} |")
'
