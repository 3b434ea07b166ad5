#!/usr/bin/env bash
# Renders a run's report.html with headless Chromium to a PNG, to look at it as a person would:
#   scripts/screenshot-report.sh RUN_FOLDER [OUT.png] [WIDTHxHEIGHT]
# Installs Debian's chromium when missing. The page needs no network (everything is inline).
set -euo pipefail
folder="${1:?usage: scripts/screenshot-report.sh RUN_FOLDER [OUT.png] [WIDTHxHEIGHT]}"
page="$(cd "$folder" && pwd)/report.html"
out="${2:-$folder/report.png}"
size="${3:-1280x4000}"
[ -f "$page" ] || { echo "error: $page does not exist; build it with: entrannas report $folder" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  "$(dirname "$0")/install-deps.sh" chromium fonts-dejavu-core
  browser=$(command -v chromium)
fi

# --no-sandbox: CI and containers run as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" \
  --screenshot="$(realpath -m "$out")" "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "error: Chromium wrote no screenshot to $out" >&2; exit 1; }
echo "wrote $out"
