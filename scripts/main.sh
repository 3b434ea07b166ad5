#!/usr/bin/env bash
# The main job: installs missing Debian packages, builds (release), then searches on
# Fashion-MNIST with EnTranNAS (the cpu preset, shortened to 6 epochs with 1 warm-up), trains
# the derived architecture on all 60,000 images for one epoch and writes a report. Extra
# arguments go to `entrannas run` and win over these (e.g. --method darts, --output DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scripts/install-deps.sh
source scripts/torch-backend.sh   # ENTRANNAS_TORCH=debian (default) or wheel
swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product entrannas
"$BUILD_DIR/release/entrannas" info
check_backend "$BUILD_DIR/release/entrannas"
exec "$BUILD_DIR/release/entrannas" run --preset cpu --epochs 6 --warmup-epochs 1 "$@"
