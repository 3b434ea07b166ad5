#!/usr/bin/env bash
# The main job: installs missing Debian packages, builds (release), then searches on
# Fashion-MNIST with EnTranNAS (quick preset), trains the derived architecture briefly and
# writes a report. Extra arguments go to `entrannas run` (e.g. --method darts, --output DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scripts/install-deps.sh
swift build -c release --product entrannas
.build/release/entrannas info
exec .build/release/entrannas run --preset quick "$@"
