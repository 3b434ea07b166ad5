#!/usr/bin/env bash
# Image-folder loader throughput: decoded-and-augmented images/s at 224 px (ImageNet training
# augmentation, and evaluation resize + centre crop) with 1 and 2 loader workers, release
# build, on a synthetic folder of 400x300 JPEG/PNG images (scripts/make-image-folder.sh).
# Prints a markdown table.
#   benchmarks/image-folder.sh [--size 224] [--batch 32] [--seconds 5]   (flags go to image-folder-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product image-folder-bench >/dev/null
swift build -c release --product make-image-folder >/dev/null
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# 4 classes x 100 training images (+ 25 val each), 400 wide x 300 high.
.build/release/make-image-folder "$data/folder" --classes 4 --per-class 100 --size 400x300 >/dev/null
echo "image-folder loader, $(nproc) cores; images 400x300 (2/3 JPEG q90, 1/3 PNG, 1/4 grey), $(du -sh "$data/folder" | cut -f1) on disk"
echo
echo "| loader | images | size | batch | workers | images/s |"
echo "|---|---:|---:|---:|---:|---:|"
for workers in 1 2; do
  .build/release/image-folder-bench "$data/folder" --workers "$workers" "$@"
done
