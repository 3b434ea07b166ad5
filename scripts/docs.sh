#!/usr/bin/env bash
# Builds the API documentation (DocC) of the Reporting, Torch and NAS libraries, one archive each, under
# OUT (default .build/docs): OUT/Reporting, OUT/Torch and OUT/NAS. Works offline once swift-docc-plugin is
# checked out (any `swift build` resolves it). Every DocC warning fails the build, so a symbol
# link in a catalog or doc comment that no longer resolves is caught (docs/building.md#api-documentation).
# Serve an archive with any static file server, e.g. `python3 -m http.server -d OUT/NAS`, and
# open /documentation/nas.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

out="${1:-.build/docs}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for target in Reporting Torch NAS; do
  rm -rf "${out:?}/$target"
  echo "docs: $target -> $out/$target"
  swift package --disable-sandbox --allow-writing-to-directory "$out" \
    generate-documentation --target "$target" --output-path "$out/$target" \
    --disable-indexing --warnings-as-errors
done
echo "docs: built $out/Reporting, $out/Torch and $out/NAS"
