#!/usr/bin/env bash
# Issue 21, step 1: how noisy is one training? Retrains one fixed cell (DARTS_V2) and one random
# cell (random-darts-1 of experiments/fashion-mnist-cpu) with several training seeds under
# several protocols, then writes summary.md: mean, sample standard deviation and CPU minutes of
# one training per protocol and cell. Every training is its own `entrannas train` folder under
# RUNS; a finished one is skipped, an interrupted one continues with --resume. Run folders do not
# outlive a session's machine: summarize.sh records every finished training in trainings.tsv (kept
# in the repository), and a training recorded there is not run again.
#
# usage: experiments/training-noise/run.sh [PROTOCOL ...]   (default: p0 p1 p2, in that order)
#   Several instances may run at once (e.g. one per core, `run.sh p2 &` beside `run.sh`): each
#   training is locked while one instance has it, and the others skip it.
#   RUNS=dir (default runs/training-noise), SEEDS="1 2 3 4 5", BIN=path (default .build/release/entrannas)
#   ENTRANNAS_THREADS (default 1), RECORD=file (default trainings.tsv here; summary.md is written
#   beside it as RECORD's name with .md): a trial run (a stand-in BIN, a scratch RUNS) must point
#   RECORD elsewhere, or its trainings are recorded as measured ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
bin="${BIN:-.build/release/entrannas}"
runs="${RUNS:-runs/training-noise}"
seeds="${SEEDS:-1 2 3 4 5}"
record="${RECORD:-$here/trainings.tsv}"
summary="$here/summary.md"; [ "$record" = "$here/trainings.tsv" ] || summary="${record%.*}.md"
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
. experiments/train-folder.sh
# --cost: each attempt appends "wall user system" seconds to FOLDER.cost (summarize.sh sums them).
require_bin "$bin" --cost

# Protocols: name -> train flags (all: Fashion-MNIST, quick preset's other settings, full test set).
protocol_flags() {
  case "$1" in
    p0) echo "--epochs 3 --limit 10000 --layers 5 --init-channels 16" ;;   # experiment v1's protocol
    p1) echo "--epochs 10 --limit 10000 --layers 5 --init-channels 16" ;;  # longer
    p2) echo "--epochs 3 --limit 0 --layers 5 --init-channels 16" ;;       # all 60,000 images
    p3) echo "--epochs 10 --limit 0 --layers 8 --init-channels 16" ;;      # longer, all images, deeper
    *) echo "error: unknown protocol $1 (p0, p1, p2, p3)" >&2; return 1 ;;
  esac
}
cells=("DARTS_V2:DARTS_V2" "random-darts-1:$here/random-darts-1.txt")
protocols=("$@"); [ ${#protocols[@]} -gt 0 ] || protocols=(p0 p1 p2)

for p in "${protocols[@]}"; do
  flags=$(protocol_flags "$p")
  for seed in $seeds; do
    for cell in "${cells[@]}"; do
      name="${cell%%:*}"; genotype="${cell#*:}"
      out="$runs/$p/$name-seed$seed"
      # Recorded by summarize.sh in an earlier session (whose run folders are gone): done.
      awk -F'\t' -v p="$p" -v c="$name" -v s="$seed" '$1 == p && $2 == c && $3 == s { f = 1 } END { exit !f }' \
        "$record" 2>/dev/null && continue
      # shellcheck disable=SC2086
      train_folder --cost "$bin" "$p $name seed $seed" "$out" \
        --genotype "$genotype" --preset quick $flags --seed "$seed"
    done
  done
done
RECORD="$record" "$here/summarize.sh" "$runs" > "$summary.tmp" && mv "$summary.tmp" "$summary"
cat "$summary"
