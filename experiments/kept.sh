#!/usr/bin/env bash
# An experiment's run folder (checkpoints included) does not outlive the machine that runs it;
# what must outlive it is kept in the repository instead: experiment.json, results.md,
# results.json and best-genotype.txt (removed where the run has none), and of every finished unit
# its result.json, attempts.json and the genotype and report a later unit reads. `restore` puts
# those back into a run folder, so that `entrannas experiment ... --output RUN --resume` on
# another machine skips the finished units and runs only the others (an unfinished unit starts
# over: its checkpoint was not kept).
# `complete` says whether the kept results.json counts every unit of the plan finished, and that
# plan is the one the caller asks for (its random cells, the one thing a resume may grow; the kept
# experiment.json agrees, so a plan grown but not yet run is not complete), so that a run script
# can return at once, before it builds a pinned binary (minutes on a fresh machine) only to find
# nothing to run.
# usage: experiments/kept.sh save RUN KEPT      after (or while) the experiment runs
#        experiments/kept.sh restore KEPT RUN   before --resume on a fresh machine
#        experiments/kept.sh complete KEPT RANDOM_CELLS   exit 0 (and a line) when all are finished
set -euo pipefail
if [ $# -eq 3 ] && [ "$1" = complete ]; then
  # FILE KEY INDENT: the number at exactly that indent (entrannas' pretty-printed JSON: 2 spaces
  # for the top level, 4 inside "plan"), empty when there is none.
  value() { sed -nE "s/^ {$3}\"$2\" : ([0-9]+),?$/\1/p" "$1" 2>/dev/null | head -1 || true; }
  finished=$(value "$2/results.json" finished_units 2) total=$(value "$2/results.json" total_units 2)
  planned=$(value "$2/results.json" random_cells 4) stored=$(value "$2/experiment.json" randomCells 4)
  [ -n "$total" ] && [ "$total" -gt 0 ] && [ "$finished" = "$total" ] \
    && [ "$planned" = "$3" ] && [ "$stored" = "$3" ] || exit 1
  echo "complete: all $total units finished in $2"; exit 0
fi
# Each file goes to a temporary name, then is renamed: a commit, a pick or a reader never sees
# half of one. A failed copy fails the script.
copy() { cp "$1" "$2.part$$" && mv -f "$2.part$$" "$2" || { rm -f "$2.part$$"; echo "error: cannot copy $1 to $2" >&2; exit 1; }; }
[ $# -eq 3 ] && { [ "$1" = save ] || [ "$1" = restore ]; } || {
  echo "usage: experiments/kept.sh save RUN KEPT | restore KEPT RUN | complete KEPT RANDOM_CELLS" >&2; exit 2; }
mode=$1 from=$2 to=$3
[ -f "$from/experiment.json" ] || { echo "error: $from/experiment.json is missing: not an experiment folder" >&2; exit 1; }
mkdir -p "$to"
for f in experiment.json results.md results.json best-genotype.txt; do
  if [ -f "$from/$f" ]; then copy "$from/$f" "$to/$f"; fi
done
# A kept pick the run no longer makes (or never made) must not outlive it.
[ -f "$from/best-genotype.txt" ] || rm -f "$to/best-genotype.txt"
for unit in "$from"/units/*/; do
  [ -f "$unit/result.json" ] || continue    # unfinished: nothing of it is worth keeping
  name=$(basename "$unit")
  mkdir -p "$to/units/$name"
  # result.json last: a unit counts as finished only once the files it needs are there.
  for f in attempts.json genotype.json genotype.txt report.json random-genotype.json result.json; do
    if [ -f "$unit/$f" ]; then copy "$unit/$f" "$to/units/$name/$f"; fi
  done
done
echo "$mode: $(ls "$to"/units 2>/dev/null | wc -l) finished units in $to"
