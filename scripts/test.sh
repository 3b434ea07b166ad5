#!/usr/bin/env bash
# The test command: installs missing Debian packages, builds (debug) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scripts/install-deps.sh
# Test tensors are tiny: one libtorch thread is fastest, and it keeps OpenMP from spinning
# against a busy machine (2 threads on a loaded 2-core box ran 100x slower).
export ENTRANNAS_THREADS="${ENTRANNAS_THREADS:-1}"
swift build --build-tests
swift test --skip-build
