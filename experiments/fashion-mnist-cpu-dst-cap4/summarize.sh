#!/usr/bin/env bash
# Per search of this experiment (from the units kept here by experiments/kept.sh): candidates kept
# per node (normal; reduce), the largest share of a node's candidates kept, pruning, the
# consistency gap, and the retrained accuracy of its cell.
# usage: experiments/fashion-mnist-cpu-dst-cap4/summarize.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../dst-nodes.sh" "$here"
