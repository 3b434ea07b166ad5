#!/usr/bin/env bash
# Sourced by the experiment scripts that read an `entrannas train` folder's metrics.jsonl (one
# JSON object per epoch, the final test accuracy in the last) or log.txt: one reader of each
# instead of a grep in each script. A key that is missing prints nothing and fails (`|| true` where it
# is optional, e.g. cpu_seconds, which older binaries did not write).
#
# usage (after `. experiments/metrics.sh`):
#   last_metric KEY FILE     the number KEY of FILE's last line (e.g. test_top1)
#   every_metric KEY FILE    the number KEY of every line of FILE, one per line (e.g. seconds)
#   log_machines LOG         the machines a log.txt names ("machine: ..." at every start and
#                            resume), one per line, each once, in order of first use, after
#                            "not recorded" where epochs were logged before the first of them
#                            (an earlier process of a binary that did not name its machine);
#                            nothing for logs from before they were named

last_metric() { tail -n 1 "$2" | every_metric "$1" /dev/stdin; }
every_metric() { grep -oE "\"$1\" *: *[0-9.eE+-]+" "$2" | sed -E 's/.*: *//'; }
log_machines() {
  awk '!match($0, /^[0-9-]+ [0-9:]+  /) { next }
       { line = substr($0, RLENGTH + 1) }
       line ~ /^epoch / && !named { early = 1 }
       sub(/^machine: /, "", line) { if (!named++ && early) print "not recorded"; if (!seen[line]++) print line }' "$1"
}
