#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (docs/building.md#sanitizers): Swift code with
# -sanitize=address, the C++ shim and the C image codecs with -fsanitize=address,undefined
# (Swift has no UndefinedBehaviorSanitizer on Linux; its own arithmetic traps on overflow
# anyway). Builds into .build-sanitize, so the ordinary build is left alone; any report fails a
# test or the run. Leak reports are off: they would be the Swift runtime's and libtorch's caches.
#
# usage: scripts/sanitize.sh [--filter PATTERN]   (arguments go to swift test)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scripts/install-deps.sh python3-torch
source scripts/torch-backend.sh
scratch="$BUILD_DIR-sanitize"
flags=(--scratch-path "$scratch" "${LINK_FLAGS[@]}" -Xswiftc -sanitize=address -Xswiftc -use-ld=lld
       -Xcc -fsanitize=address,undefined -Xcxx -fsanitize=address,undefined -Xcxx -fno-sanitize-recover=undefined
       -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined)
swift build --build-tests "${flags[@]}" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
export ENTRANNAS_SANITIZER=address   # tests that cannot run under ASan (an address-space limit) skip
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift test "${flags[@]}" --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log" || status=$?
if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log"; then
  echo "sanitizer reports:"; grep -E 'ERROR: AddressSanitizer|runtime error:|SUMMARY' "$log" | sort | uniq -c
  status=1
fi
summary=$(grep -E "Executed [0-9]+ tests?, with" "$log" | tail -1 || true)
echo "sanitize: ${summary:-no summary}"
exit "$status"
