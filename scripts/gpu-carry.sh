#!/usr/bin/env bash
# Builds, on this machine, what scripts/gpu-check.sh runs on a GPU machine that has no Swift
# toolchain and cannot download anything, and packs it into .gpu-carry/carry.tar.xz (git-ignored;
# the device tool carries it, 64 MiB at most):
#   bin/entrannas, bin/search-bench    release, against the PyPI torch==2.11.0 wheel with its CUDA
#                                      part linked (ENTRANNAS_TORCH=wheel-cuda)
#   bin/entrannasPackageTests.xctest   the test runner (debug: the tests use @testable imports)
#   lib/                               the libraries they load from the Swift toolchain (Foundation,
#                                      XCTest...) and the system (libjpeg, libpng, ICU...), not glibc
# The GPU machine brings libtorch and CUDA: its python3's torch 2.11.0 and the nvidia wheels.
#   scripts/gpu-carry.sh [--rehearse]   --rehearse then runs scripts/gpu-check.sh here, on the CPU,
#                                       with only the carried files and the cached wheel's libraries
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin" ENTRANNAS_TORCH=wheel-cuda
source scripts/torch-backend.sh
swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product entrannas
swift build "${SWIFT_BUILD_FLAGS[@]}" -c release --product search-bench
swift build "${SWIFT_BUILD_FLAGS[@]}" --build-tests
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" .gpu-carry
cp "$BUILD_DIR/release/entrannas" "$BUILD_DIR/release/search-bench" "$BUILD_DIR/debug/entrannasPackageTests.xctest" "$stage/bin/"
strip "$stage/bin/entrannas" "$stage/bin/search-bench"
# Every library the three load from the Swift toolchain, and from the system except glibc's own
# (a GPU machine without Swift lacks libjpeg, libpng, libxml2, ICU...; its glibc runs everything);
# not libtorch or CUDA, which the GPU machine's torch brings.
for binary in "$stage"/bin/*; do
  ldd "$binary" | awk '$3 ~ /^\/(opt\/swift|lib|usr\/lib)\// { print $3 }' \
    | grep -vE '/(libc|libm|libdl|libpthread|librt|libutil|libresolv|ld-linux[^/]*)\.so[^/]*$'
done | sort -u | while read -r lib; do cp -L "$lib" "$stage/lib/"; done
tar -C "$stage" -cJf .gpu-carry/carry.tar.xz .
size=$(stat -c %s .gpu-carry/carry.tar.xz)
echo "packed .gpu-carry/carry.tar.xz: $((size / 1048576)) MiB ($(ls "$stage/lib" | wc -l) runtime libraries)"
[ "$size" -lt $((60 * 1048576)) ] || { echo "error: the carry is over 60 MiB; the device tool takes 64 MiB with the working tree" >&2; exit 1; }
if [ "${1:-}" = --rehearse ]; then
  GPU_CHECK_TORCH_HOME="$(dirname "$(dirname "$(pkg-config --variable=prefix libtorch)")")" GPU_CHECK_QUICK=1 bash scripts/gpu-check.sh
fi
