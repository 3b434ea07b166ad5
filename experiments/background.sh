#!/usr/bin/env bash
# Issue 21's long runs, restarted with one command at the start of a session: two lanes of one
# core each, at nice 19 so that interactive work comes first, each running its jobs one after
# another. Every job resumes where it stopped (checkpoints, kept results) and a finished one
# returns at once, so starting the lanes again after a stop only continues them.
#
#   lane v2:   experiment v2's late part (PC-DARTS, DARTS), then its main part (DST and the rest)
#   lane long: DARTS_V2's long training, then the consistency-gap retraining, then the long
#              training of the searched cell (experiment v2's best, picked and pinned then)
#
# usage: experiments/background.sh           start the lanes not running (logs: runs/lane-NAME.log)
#        experiments/background.sh status    each lane's state and its log's last progress line
#        experiments/background.sh stop      stop both lanes; their jobs keep their checkpoints
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p runs
lanes=(v2 long)

lane_jobs() {
  case "$1" in
    v2) PART=late JOBS=1 experiments/fashion-mnist-v2/run.sh
        PART=main JOBS=1 experiments/fashion-mnist-v2/run.sh ;;
    long) CELLS=DARTS_V2 experiments/fashion-mnist-long/run.sh
          experiments/consistency-gap/retrain.sh
          experiments/fashion-mnist-long/run.sh ;;
  esac
}

# A lane holds runs/lane-NAME.lock while it runs, and its process group id is in runs/lane-NAME.pgid.
running() { ! flock -n "runs/lane-$1.lock" true 2>/dev/null; }

case "${1:-start}" in
  start)
    for lane in "${lanes[@]}"; do
      if running "$lane"; then echo "lane $lane: already running"; continue; fi
      # setsid: the lane and its jobs get a process group of their own, which `stop` signals.
      # The lane closes every file it inherited beyond stdin, stdout and stderr, so a caller
      # reading this script's output through a pipe gets its end at once.
      setsid nice -n 19 bash -c '
        for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
        exec 9>"runs/lane-$1.lock"; flock -n 9 || exit 0
        echo $$ > "runs/lane-$1.pgid"
        echo "== lane $1 started $(date -u +%FT%TZ)"
        bash "$0" lane-jobs "$1"
        echo "== lane $1 done $(date -u +%FT%TZ)"' "$0" "$lane" >> "runs/lane-$lane.log" 2>&1 < /dev/null &
      echo "lane $lane: started (log runs/lane-$lane.log)"
    done ;;
  lane-jobs) lane_jobs "$2" ;;  # inside a lane (started above)
  status)
    for lane in "${lanes[@]}"; do
      state=stopped; running "$lane" && state=running
      # The job (an experiment's unit, a training's folder), then its latest progress line.
      job=$(grep -aE '^(experiment \[|== |output: )' "runs/lane-$lane.log" 2>/dev/null | tail -1 || true)
      last=$(tail -c 8192 "runs/lane-$lane.log" 2>/dev/null | tr '\r' '\n' | grep -a 'ETA' | tail -1 || true)
      echo "lane $lane: $state${job:+ | $job}${last:+ | $last}"
    done ;;
  stop)
    for lane in "${lanes[@]}"; do
      running "$lane" || continue
      # SIGTERM stops an entrannas run like Ctrl-C: a checkpoint, then exit.
      kill -TERM -- "-$(cat "runs/lane-$lane.pgid")" && echo "lane $lane: stopping"
    done ;;
  *) sed -n '11,13p' "$0" >&2; exit 2 ;;
esac
