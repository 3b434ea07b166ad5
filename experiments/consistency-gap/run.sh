#!/usr/bin/env bash
# Where EnTranNAS' consistency gap comes from, and whether annealing the Engine-cells' softmax
# temperature closes it (issue 21, points 3 and 7). One cpu-preset EnTranNAS search per setting
# and seed, the gap measured after every epoch (--gap-every 1); the end-of-search report adds the
# derived net with the search's BN statistics and the per-Engine-cell ablation.
# usage: experiments/consistency-gap/run.sh [SEEDS...]   (default: 1)   resumable: run it again.
# Settings: tau1 (the default, tau = 1) and anneal0.1 (tau from 1 to 0.1 over the 10 epochs);
# SETTINGS="name:flags ..." replaces them, a setting's flags separated by commas (a comma
# before "--"; a flag's own value may hold commas: --engine-cells=0,1,2,3,4), e.g.
# SETTINGS="anneal0.03:--temperature-end=0.03 edges-anneal0.03:--engine-edges=derived,--temperature-end=0.03".
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/entrannas
[ -x "$bin" ] || { echo "build the release binary first: swift build -c release" >&2; exit 1; }
seeds=("${@:-1}")
mkdir -p runs/consistency-gap
for seed in "${seeds[@]}"; do
  # shellcheck disable=SC2206
  settings=(${SETTINGS:-tau1: anneal0.1:--temperature-end=0.1})
  for setting in "${settings[@]}"; do
    name="${setting%%:*}"; flags="${setting#*:}"; flags="${flags//,--/ --}"
    out="runs/consistency-gap/entrannas-$name-seed$seed"
    [ -f "$out/report.json" ] && continue
    resume=(); [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
    echo "== $name seed $seed ($(date +%H:%M))"
    # shellcheck disable=SC2086
    ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}" "$bin" search --method entrannas --preset cpu --seed "$seed" \
      --gap-every 1 $flags --output "$out" "${resume[@]}"
  done
done
