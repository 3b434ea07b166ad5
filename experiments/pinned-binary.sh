#!/usr/bin/env bash
# One binary for a whole experiment, also across sessions: builds entrannas from the commit named
# in PINFILE (a git worktree at SRC, release build, a few minutes the first time on a fresh
# machine), whatever the checkout's own code has become since, and prints the binary's path.
# usage: experiments/pinned-binary.sh PINFILE SRC   (build output goes to stderr)
set -euo pipefail
pin=$(cat "$1") src=$2
[ -d "$src" ] || git worktree add --detach "$src" "$pin" >&2
[ "$(git -C "$src" rev-parse HEAD)" = "$(git rev-parse "$pin^{commit}")" ] \
  || { echo "error: $src is not at $pin; remove it (git worktree remove --force $src) and run again" >&2; exit 1; }
(cd "$src" && PATH="$PATH:/opt/swift/usr/bin" swift build -c release --product entrannas >&2)
echo "$src/.build/release/entrannas"
