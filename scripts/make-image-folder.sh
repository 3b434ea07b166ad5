#!/usr/bin/env bash
# Writes a small synthetic ImageFolder dataset of JPEG and PNG files, OUT/train/<class>/* and
# OUT/val/<class>/*, for trying image-folder datasets without real photos:
#   scripts/make-image-folder.sh OUT [--classes N] [--per-class M] [--size S|WxH] [--seed K]
# Class k of N is stripes at k * 180 / N degrees (learnable), random colours; every 4th image
# grey; sides between 0.75 S and 1.25 S (default 64), or exactly WxH. val gets M / 4 per class.
# Builds the make-image-folder tool (release) first; set CONFIGURATION=debug to skip that.
set -euo pipefail
[ $# -ge 1 ] && [[ "$1" != -* ]] || { echo "usage: scripts/make-image-folder.sh OUT [--classes N] [--per-class M] [--size S|WxH] [--seed K]" >&2; exit 2; }
out="$1"
shift
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
configuration="${CONFIGURATION:-release}"
swift build -c "$configuration" --product make-image-folder >/dev/null
case "$out" in /*) ;; *) out="$OLDPWD/$out" ;; esac
".build/$configuration/make-image-folder" "$out" "$@"
