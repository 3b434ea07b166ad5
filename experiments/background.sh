#!/usr/bin/env bash
# Issue 21's long runs, restarted with one command at the start of a session: two lanes of one
# core each, at nice 19 (the processes and their scheduling group) so that interactive work comes
# first, each running its jobs one after another. Every job resumes where it stopped (checkpoints,
# kept results) and a finished one returns at once, so starting the lanes again after a stop only
# continues them.
#
#   lane v2:   experiment v2's late part (PC-DARTS, DARTS), then its main part (DST and the rest),
#              two units at once where their order allows: once lane long is done, v2 gets both
#              cores (while it runs, three runs share the two); then the random cells of the
#              DST mean-pull experiment (experiments/fashion-mnist-cpu-dst-pull-mean), both
#              complete since 2026-12-07 (they return at once, before their pinned builds); then
#              training seed 2 of both long trainings, two at once (the long protocol's own noise;
#              about 6 and 10 CPU hours on the 2026-12-07 machine)
#   lane long: DARTS_V2's long training (finished and kept), then the consistency-gap retraining,
#              then the searched cell's long training (10-23 CPU hours in one run, by machine),
#              then the mean pull's 20-epoch searches and their cells' trainings
#              (experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh, one at a time)
#
# Only what a job keeps in the repository outlives the machine; a run folder with its checkpoint
# outlives a session only where the next session gets the same machine (it often does, not
# always), and a job whose folder is gone starts over: see experiments/fashion-mnist-long.
#
# usage: experiments/background.sh           start the lanes not running (logs: runs/lane-NAME.log)
#        experiments/background.sh status    each lane's state and its log's last progress line
#        experiments/background.sh stop      stop both lanes; returns once their jobs have saved
#                                            their checkpoints and kept results, and exited
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p runs
lanes=(v2 long)

# A stop (SIGTERM to the lane's process group) reaches the running job, which saves and exits;
# the lane waits for it (a trapped signal waits for the foreground command), then starts no
# further job, even one whose predecessor finished normally in spite of the stop.
lane_jobs() {
  stopping=
  trap 'stopping=1' TERM INT
  job() { [ -z "$stopping" ] || exit 0; "$@"; }
  case "$1" in
    v2) job env PART=late JOBS=2 experiments/fashion-mnist-v2/run.sh
        job env PART=main JOBS=2 experiments/fashion-mnist-v2/run.sh
        job env JOBS=2 experiments/fashion-mnist-cpu-dst-pull-mean/run.sh
        job env CELLS="DARTS_V2 searched" SEEDS=2 JOBS=2 experiments/fashion-mnist-long/run.sh ;;
    long) job env CELLS=DARTS_V2 experiments/fashion-mnist-long/run.sh
          job experiments/consistency-gap/retrain.sh
          job env CELLS=searched experiments/fashion-mnist-long/run.sh
          job env JOBS=1 experiments/fashion-mnist-cpu-dst-pull-mean/settle-e20.sh ;;
  esac
}

# A lane holds runs/lane-NAME.lock (on a descriptor no job reuses) until its last job has exited,
# and its process group id is in runs/lane-NAME.pgid.
running() { ! flock -n "runs/lane-$1.lock" true 2>/dev/null; }

case "${1:-start}" in
  start)
    for lane in "${lanes[@]}"; do
      if running "$lane"; then echo "lane $lane: already running"; continue; fi
      # setsid: the lane and its jobs get a process group of their own, which `stop` signals.
      # The lane closes every file it inherited beyond stdin, stdout and stderr, so a caller
      # reading this script's output through a pipe gets its end at once.
      # setsid also starts a new session, and where the kernel groups sessions for scheduling
      # (autogroup, /proc/sys/kernel/sched_autogroup_enabled) it shares the CPU between those
      # groups first: a process' nice value then counts only inside its own group, and each lane
      # at nice 19 took as much CPU as a whole interactive session. The group's own nice value
      # (/proc/self/autogroup, raised by the lane itself) is what makes the lanes yield, where
      # autogroup applies (a process in a CPU cgroup of its own is shared by that cgroup instead).
      setsid nice -n 19 bash -c '
        for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
        if [ -e /proc/self/autogroup ]; then
          for _ in 1 2 3 4 5; do echo 19 2>/dev/null > /proc/self/autogroup && break; sleep 0.2; done
          grep -q " nice 19$" /proc/self/autogroup \
            || echo "note: the lane could not raise its scheduling group to nice 19; it takes as much CPU as an interactive session"
        fi
        # -w 2: a status or a start checking the lock at this moment holds it for an instant.
        exec 200>"runs/lane-$1.lock"; flock -w 2 200 || exit 0
        echo $$ > "runs/lane-$1.pgid"
        trap : TERM INT
        echo "== lane $1 started $(date -u +%FT%TZ)"
        bash "$0" lane-jobs "$1" 200>&-
        echo "== lane $1 done $(date -u +%FT%TZ)"' "$0" "$lane" >> "runs/lane-$lane.log" 2>&1 < /dev/null &
      # Report only once the lane holds its lock (its pid in the pgid file; setsid and nice exec,
      # so it is $!) or has left because another start took it first: a second start right after
      # this one then reads "already running", even on a loaded machine.
      lane_pid=$!
      holds_lock() { [ "$(cat "runs/lane-$lane.pgid" 2>/dev/null)" = "$lane_pid" ]; }
      alive() { kill -0 "$lane_pid" 2>/dev/null; }
      for _ in $(seq 100); do if holds_lock || ! alive; then break; fi; sleep 0.1; done
      if holds_lock || alive; then
        echo "lane $lane: started (log runs/lane-$lane.log)"
      elif running "$lane"; then
        echo "lane $lane: already running"
      else
        echo "lane $lane: did not start; see runs/lane-$lane.log" >&2
        failed=1
      fi
    done
    exit "${failed:-0}" ;;
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
    stopping=()
    for lane in "${lanes[@]}"; do
      running "$lane" || continue
      # SIGTERM stops an entrannas run like Ctrl-C: a checkpoint, then exit.
      kill -TERM -- "-$(cat "runs/lane-$lane.pgid")" && echo "lane $lane: stopping" && stopping+=("$lane")
    done
    # Returns when the jobs have exited (a search step, a checkpoint, the kept results): a
    # machine taken away right after still has them. ${STOP_SECONDS:-600} at most.
    for lane in "${stopping[@]}"; do
      for _ in $(seq $((${STOP_SECONDS:-600} * 5))); do running "$lane" || break; sleep 0.2; done
      if running "$lane"; then echo "lane $lane: still stopping after ${STOP_SECONDS:-600} s"; else echo "lane $lane: stopped"; fi
    done ;;
  *) sed -n '/^# usage:/,/^set -e/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
