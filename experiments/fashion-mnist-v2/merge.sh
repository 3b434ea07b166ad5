#!/usr/bin/env bash
# Experiment v2 as a whole: v2 runs in two parts whose kept units are one experiment's (the late
# part's units are the main part's), so the main part's kept/ and the late part's kept-late/
# units together, reported by this checkout's `entrannas report` (its statistics, not the pinned
# binary's: kept/results.md and kept-late/results.md are the pinned binary's, per part).
# Writes OUT: experiment.json, units/, and the report's results.md, results.json, report.html and
# best-genotype.txt (the best searched cell over both parts, where one has all its trainings).
#
# usage: experiments/fashion-mnist-v2/merge.sh OUT       (OUT is replaced)
#   BIN=path (default .build/release/entrannas)
#   e.g. merge.sh runs/v2-merged && cp runs/v2-merged/results.md experiments/fashion-mnist-v2/results.md
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: experiments/fashion-mnist-v2/merge.sh OUT" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
out=$1 bin="${BIN:-$here/../../.build/release/entrannas}"
[ -x "$bin" ] || { echo "error: $bin is missing; run 'swift build -c release' first" >&2; exit 1; }
[ -f "$here/kept/experiment.json" ] || { echo "error: $here/kept/experiment.json is missing: nothing kept to merge" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
cp -r "$here/kept/." "$out/"
[ ! -d "$here/kept-late/units" ] || cp -r "$here/kept-late/units/." "$out/units/"
# Only this report's files count, not the main part's copies.
rm -f "$out/best-genotype.txt" "$out/results.json" "$out/results.md" "$out/report.html"
"$bin" report "$out" >/dev/null
