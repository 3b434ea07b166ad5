#!/usr/bin/env bash
# The test command: installs missing Debian packages, builds (debug) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
# python3-torch: Debian's PyTorch (the same libtorch 1.13), so the export tests run the exported
# model.py in PyTorch (docs/pytorch.md#the-check) instead of skipping. python3-scipy: the
# checking-side statistics of experiments/fashion-mnist-cpu-dst-pull-mean/compare.sh (CompareScriptTests).
scripts/install-deps.sh python3-torch python3-scipy time   # time: the experiment scripts (and their tests) count CPU with /usr/bin/time
scripts/check-doc-links.sh   # every doc link and docs/ citation resolves (docs/building.md#doc-links)
source scripts/torch-backend.sh   # ENTRANNAS_TORCH=debian (default) or wheel
# Test tensors are tiny: one libtorch thread is fastest, and it keeps OpenMP from spinning
# against a busy machine (2 threads on a loaded 2-core box ran 100x slower).
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
swift build "${SWIFT_BUILD_FLAGS[@]}" --build-tests
check_backend "$BUILD_DIR/debug/entrannas"
# The library as another package uses it (Examples/TinySearch depends on this one by path):
# it must build without unsafeFlags and train and search through the public API.
# An incremental build of it can miss a source file this package gained since (seen: "cannot find
# 'peakGPUMemoryLine' in scope" after a backend switch); a clean build of the example then passes.
swift build --package-path Examples/TinySearch --scratch-path "Examples/TinySearch/$BUILD_DIR" "${LINK_FLAGS[@]}" \
  || { echo "rebuilding Examples/TinySearch from scratch"; rm -rf "Examples/TinySearch/$BUILD_DIR"
       swift build --package-path Examples/TinySearch --scratch-path "Examples/TinySearch/$BUILD_DIR" "${LINK_FLAGS[@]}"; }
"Examples/TinySearch/$BUILD_DIR/debug/TinySearch" | grep -v "^search: Genotype"
# Every reader of outside bytes, fuzzed for a few seconds each (scripts/fuzz.sh runs longer).
scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-5}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Every test is an XCTest; the Swift Testing runner would only add a "0 tests" summary.
status=0
swift test "${SWIFT_BUILD_FLAGS[@]}" --skip-build --disable-swift-testing 2>&1 | tee "$log" || status=$?
# One plain closing line: "tests: N passed, N failed, N skipped".
summary=$(grep -E "Executed [0-9]+ tests?, with" "$log" | tail -1 || true)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
  skipped=$(grep -oE '[0-9]+ tests? skipped' <<<"$summary" | grep -oE '^[0-9]+' || echo 0)
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit "$status"
