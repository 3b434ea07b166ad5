#!/usr/bin/env bash
# The GPU check (run on the GPU machine through the device tool, carrying .gpu-carry made by
# scripts/gpu-carry.sh): unpacks the carry, points it at this machine's libtorch and CUDA (python3's
# torch, which must be 2.11.0, and the nvidia wheels beside it), then
#   1. entrannas info                     (the GPU is seen, CUDA is linked)
#   2. the Torch and NAS tests            (the CUDA tests run instead of skipping)
#   3. search-bench on the GPU, every method, CIFAR-10 shape (3x32x32, batch 64, 8 cells, 16 channels)
#   4. one epoch of an EnTranNAS search on CIFAR-10-shaped random data at the paper's settings
#      (batch 256, 8 cells, 16 channels, 25,000 + 25,000 images; architecture steps from the start)
#   5. --profile 3 of a DARTS and an EnTranNAS search at search-bench's size: the top operators
#      (CPU-side time), to see whether a step waits on the GPU or on launching its kernels
#   6. --profile 5 of a DARTS_V2 training (CIFAR-10 shape, 8 cells, 16 channels, batch 96): the
#      time of a training step
# and prints the times and peak GPU memory; with OUT set, also writes $OUT/gpu-check.md and the logs.
#   GPU_CHECK_TORCH_HOME=DIR  a folder holding torch/lib and nvidia/ (default: python3's site-packages)
#   GPU_CHECK_QUICK=1         small sizes and the CPU, to rehearse the carry on a machine without a GPU
#   GPU_CHECK_SKIP="tests bench epoch profile train"   parts to leave out (2 to 6)
#   GPU_CHECK_EXTRA="foreach"  also: search-bench with SGD's multi-tensor calls against a call per
#                             parameter (--foreach on|off), alternated in one process order, 2 rounds
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$(mktemp -d)}"
work=$(mktemp -d)
tar -xJf .gpu-carry/carry.tar.xz -C "$work" || { echo "error: no .gpu-carry/carry.tar.xz: run scripts/gpu-carry.sh and carry .gpu-carry" >&2; exit 1; }
if [ -n "${GPU_CHECK_TORCH_HOME:-}" ]; then
  home="$GPU_CHECK_TORCH_HOME"
else
  home=$(python3 -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))')
  version=$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')
  [ "$version" = 2.11.0 ] || echo "warning: this machine's torch is $version; the carry was built against 2.11.0" >&2
fi
libs="$work/lib:$home/torch/lib:$(find "$home/nvidia" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)"
export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
bin="$work/bin"
device=cuda; quick="${GPU_CHECK_QUICK:-}"
# Rehearsing on a CPU machine: one libtorch thread, so other work there does not make OpenMP spin.
[ -n "$quick" ] && { device=cpu; export ENTRANNAS_THREADS=1; }
report="$out/gpu-check.md"
say() { echo "$*" | tee -a "$report"; }
: > "$report"

say "## entrannas GPU check, $(date -u +%Y-%m-%dT%H:%MZ)"
say '```'
"$bin/entrannas" info 2>&1 | tee -a "$report"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$report"
say '```'

wanted() { [[ " ${GPU_CHECK_SKIP:-} " != *" $1 "* ]]; }

if wanted tests; then
say "### Tests (Torch and NAS; CUDA tests run where a GPU is)"
start=$(date +%s)
# Every Torch and NAS test class (the Datasets tests need no GPU; the command tests need Debian's
# Fashion-MNIST); rehearsing, only the device tests.
classes=$("$bin/entrannasPackageTests.xctest" --list-tests 2>/dev/null | grep -E '^(TorchTests|NASTests)\.' | cut -d/ -f1 | sort -u | paste -sd,)
[ -n "$quick" ] && classes="TorchTests.DeviceTests,NASTests.CUDARunTests"
ENTRANNAS_THREADS=4 timeout 300 "$bin/entrannasPackageTests.xctest" "$classes" > "$out/tests.log" 2>&1
status=$?
say '```'
grep -E "Executed [0-9]+ tests|error:|skipped" "$out/tests.log" | tail -8 | tee -a "$report"
say "exit status $status, $(( $(date +%s) - start )) s"
say '```'
fi

if wanted bench; then
say "### Search step on the GPU (search-bench, 3x32x32, batch 64, 8 cells, 16 channels; median of 5 after a warm-up)"
say ""
say "| method | ms/step | arch ms | weight ms | peak GPU MiB |"
say "|---|---:|---:|---:|---:|"
for m in darts darts-2nd pc-darts entrannas entrannas-dst; do
  if [ -n "$quick" ]; then sizes=(--batch 8 --layers 3 --channels 4 --steps 1); else sizes=(--batch 64 --layers 8 --channels 16 --steps 5); fi
  line=$(timeout 120 "$bin/search-bench" "$m" --size 32 --input-channels 3 "${sizes[@]}" ${quick:+--threads 1} --device "$device" 2>&1 | tail -1)
  echo "$line" >> "$out/search-bench.log"
  get() { sed -nE "s/.*$1=([0-9.]+).*/\1/p" <<<"$line"; }
  say "| $m | $(get step_ms) | $(get arch_ms) | $(get weight_ms) | $(get peak_gpu_mb) |"
done
fi

if [[ " ${GPU_CHECK_EXTRA:-} " == *" foreach "* ]]; then
say ""
say "### SGD's multi-tensor calls against a call per parameter (search-bench --foreach on|off, alternated)"
say ""
say "| method | round | multi-tensor ms/step | weight ms | per-parameter ms/step | weight ms |"
say "|---|---:|---:|---:|---:|---:|"
for round in 1 2; do
  for m in darts pc-darts entrannas; do
    if [ -n "$quick" ]; then sizes=(--batch 8 --layers 3 --channels 4 --steps 1); else sizes=(--batch 64 --layers 8 --channels 16 --steps 5); fi
    order=(on off); [ "$round" = 2 ] && order=(off on)
    declare -A ab
    for f in "${order[@]}"; do
      ab[$f]=$(timeout 120 "$bin/search-bench" "$m" --size 32 --input-channels 3 "${sizes[@]}" ${quick:+--threads 1} --device "$device" --foreach "$f" 2>&1 | tail -1)
      echo "round=$round ${ab[$f]}" >> "$out/foreach-bench.log"
    done
    get() { sed -nE "s/.*$1=([0-9.]+).*/\1/p" <<<"$2"; }
    say "| $m | $round | $(get step_ms "${ab[on]}") | $(get weight_ms "${ab[on]}") | $(get step_ms "${ab[off]}") | $(get weight_ms "${ab[off]}") |"
  done
done
fi

data="$work/cifar"
mkdir -p "$data"
# Full-size files (10,000 records each, as the CIFAR reader checks); rehearsals use --limit.
python3 - "$data" 10000 <<'PY'
import os, random, sys
folder, count = sys.argv[1], int(sys.argv[2])
random.seed(0)
for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
    with open(os.path.join(folder, name), "wb") as f:
        for _ in range(count):
            f.write(bytes([random.randrange(10)]) + os.urandom(3072))
PY
if wanted epoch; then
say ""
say "### One epoch of an EnTranNAS search on CIFAR-10-shaped random data (paper settings)"
if [ -n "$quick" ]; then sizes=(--batch-size 16 --layers 3 --init-channels 4 --steps 2 --limit 320); else sizes=(); fi
start=$(date +%s)
timeout 420 "$bin/entrannas" search --method entrannas --preset paper --dataset cifar10 --data "$data" --epochs 1 \
  --warmup-epochs 0 --eval-limit 5000 "${sizes[@]}" --device "$device" --output "$work/search" > "$out/search.log" 2>&1
status=$?
say '```'
grep -E "^search:|^network:|^schedule:|^epoch 1/1|peak GPU memory|^Error" "$out/search.log" | tee -a "$report"
say "exit status $status, $(( $(date +%s) - start )) s in all"
say '```'
fi

# Runs one entrannas command with --profile (its output folder $work/NAME), keeps its log and
# profile.md in $out, and adds LABEL, its exit status and the first ROWS lines of the table.
profiled() {
  local name="$1" rows="$2" label="$3"; shift 3
  timeout 240 "$bin/entrannas" "$@" --device "$device" --output "$work/$name" > "$out/$name.log" 2>&1
  local status=$?
  cp "$work/$name/profile.md" "$out/$name.md" 2>/dev/null
  say ""
  say "$label (exit status $status):"
  say ""
  sed -n '/^[0-9.]* ms per step/p; /^| /p' "$out/$name.md" 2>/dev/null | head -"$rows" | tee -a "$report"
}

if wanted profile; then
say ""
say "### Profile of 3 search steps on the GPU (--profile 3, batch 64, 8 cells, 16 channels; CPU-side times)"
for m in darts entrannas; do
  if [ -n "$quick" ]; then sizes=(--batch-size 16 --layers 3 --init-channels 4 --steps 2 --limit 320); else sizes=(--batch-size 64 --layers 8 --init-channels 16 --limit 5000); fi
  profiled "profile-$m" 16 "$m" search --method "$m" --preset quick --dataset cifar10 --data "$data" --epochs 1 \
    --warmup-epochs 0 "${sizes[@]}" --profile 3
done
fi

if wanted train; then
say ""
say "### Training step of DARTS_V2 on the GPU (--profile 5: CIFAR-10 shape, 8 cells, 16 channels, batch 96)"
if [ -n "$quick" ]; then sizes=(--batch-size 16 --layers 3 --init-channels 4 --limit 320); else sizes=(--batch-size 96 --layers 8 --init-channels 16 --limit 5000); fi
profiled profile-train 8 DARTS_V2 train --genotype DARTS_V2 --preset quick --dataset cifar10 --data "$data" --epochs 1 \
  "${sizes[@]}" --profile 5
fi
echo "report: $report"
