#!/usr/bin/env bash
# Fuzzes every reader of outside bytes (docs/building.md#fuzzing): genotype text and JSON, IDX,
# CIFAR binary, safetensors, JPEG/PNG, checkpoints, run and experiment folders (report's inputs),
# TensorBoard event files. Builds Fuzz/ with libFuzzer and AddressSanitizer
# (-sanitize=fuzzer,address; entrannas' own code instrumented too), replays the kept crash inputs
# of Fuzz/Regressions, then runs each target for --seconds from its committed seed corpus (new
# inputs go to a scratch folder, never into the corpus). A crash is saved under Fuzz/crashes/ and
# fails the script. Ends with a table: target, seconds, executions, crashes.
#
# usage: scripts/fuzz.sh [--seconds N] [TARGET ...]    (default 60 s each, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(FuzzGenotypeText FuzzGenotypeJSON FuzzIDX FuzzCIFAR FuzzSafetensors FuzzImage FuzzCheckpoint FuzzRunFolder
     FuzzExperimentFolder FuzzTensorBoardEvents)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
source scripts/torch-backend.sh
scratch="Fuzz/${BUILD_DIR:?torch-backend.sh set no BUILD_DIR}"
build() {
  swift build --package-path Fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xswiftc -use-ld=lld "${LINK_FLAGS[@]}" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
}
# An incremental build of a long-lived tree can miss files added to the main package since; as
# scripts/test.sh does for Examples/TinySearch, retry once from scratch.
build || { echo "rebuilding Fuzz from scratch"; rm -rf "$scratch"; build; }
bin="$scratch/debug"
# Leak reports would be the Swift runtime's and libtorch's caches, not the readers'.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
mkdir -p Fuzz/crashes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
rows=()
for t in "${targets[@]}"; do
  [ -x "$bin/$t" ] || { echo "error: $bin/$t was not built; targets: ${all[*]}" >&2; exit 1; }
  if compgen -G "Fuzz/Regressions/$t/*" >/dev/null; then
    "$bin/$t" Fuzz/Regressions/$t/* >"$work/$t.regressions.log" 2>&1 \
      || { cat "$work/$t.regressions.log" >&2; echo "FAIL: $t crashes on a kept regression input" >&2; failed=1; }
  fi
  mkdir -p "$work/$t"
  status=0
  "$bin/$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$t-" \
    "$work/$t" "Fuzz/Corpus/$t" >"$work/$t.log" 2>&1 || status=$?
  runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$work/$t.log" | grep -oE '[0-9]+$' || echo "?")
  crashes=0
  if [ $status -ne 0 ]; then
    crashes=1; failed=1
    grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$work/$t.log" | head -5 >&2
  fi
  rows+=("| $t | $seconds | $runs | $crashes |")
done
echo "| target | seconds | executions | crashes |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
exit $failed
