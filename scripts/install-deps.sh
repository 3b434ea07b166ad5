#!/usr/bin/env bash
# Installs what entrannas needs from Debian, only when something is missing:
#   libtorch-dev (tensors, autograd), zlib1g-dev (gzipped IDX files), libjpeg62-turbo-dev and
#   libpng-dev (JPEG and PNG decoding for image folders; pkg-config finds them: pkgconf),
#   dataset-fashion-mnist (the default dataset), graphviz (cell diagrams), libopenblas0-openmp
#   (libtorch's matrix products; without it they run on the reference BLAS, 28x slower for sgemm
#   and 30% slower for a DARTS search step: docs/performance.md#blas), plus any extra packages named
#   as arguments. libgloo-dev: the headers of the Gloo library inside Debian's libtorch, for
#   c10d process groups (ProcessGroup).
# Runs apt-get as root directly, or through sudo when available.
set -euo pipefail

packages=(libtorch-dev zlib1g-dev libjpeg62-turbo-dev libpng-dev pkgconf dataset-fashion-mnist graphviz libopenblas0-openmp libgloo-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "note: add /opt/swift/usr/bin to PATH" >&2
  else
    echo "error: the Swift 6 toolchain (swift) is not on PATH; install it from swift.org, then rerun" >&2
    exit 1
  fi
fi

# pkg-config file through which Package.swift finds libtorch (no unsafeFlags, so other packages
# can depend on ours). Debian's libtorch needs no extra folders; the file says so explicitly, and
# SwiftPM stops warning that it cannot find libtorch. docs/building.md explains the file.
pc_dir=/usr/local/lib/pkgconfig
pc_file="$pc_dir/libtorch.pc"
if [ ! -f "$pc_file" ]; then
  torch_version=$(dpkg-query -W -f='${Version}' libtorch-dev | sed -E 's/^[0-9]+://; s/[-+].*//')
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO mkdir -p "$pc_dir"
  printf '%s\n' \
    "# Written by entrannas' scripts/install-deps.sh: Debian's libtorch-dev." \
    "Name: libtorch" \
    "Description: PyTorch's C++ library (Debian libtorch-dev, CPU)" \
    "Version: $torch_version" \
    "Cflags:" \
    "Libs: -ltorch_cpu -lc10" | $SUDO tee "$pc_file.tmp" >/dev/null
  $SUDO mv "$pc_file.tmp" "$pc_file"
  echo "wrote $pc_file"
fi
