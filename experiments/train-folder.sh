#!/usr/bin/env bash
# Sourced by the experiment scripts that train cells one `entrannas train` folder at a time
# (training-noise, fashion-mnist-long, consistency-gap/retrain). Such a folder must survive a
# stopped session and share the cores with other instances of the same script, so every script
# needs the same four steps; they live here once:
#   - a folder with model.safetensors is finished: skip it;
#   - another instance holds the folder's lock (OUT.lock): skip it, that instance trains it;
#   - a folder with a checkpoint resumes (`train --resume`; the checkpoint keeps the flags);
#   - anything else starts afresh from the given flags, after removing what is left.
# With --cost, every attempt appends "wall user system" seconds to OUT.cost (a resumed training
# has several lines), through /usr/bin/time.
# With --keep DIR, a finished training outlives the machine (run folders do not): its
# metrics.jsonl and cost are copied to DIR/NAME (NAME: OUT's last component, `finished` last), for
# the repository, with `machines`: the machines its log names (one per line, in order of first
# use), and a training kept there is finished: skipped on any machine.
#
# usage (after `. experiments/train-folder.sh`):
#   require_bin BIN [--cost]                     exit with a one-line error if BIN (or time) is missing
#   train_folder [--cost] [--keep DIR] BIN LABEL OUT FLAGS...   (the options in any order)
#                                                train OUT with FLAGS (plus --output OUT) or resume it
#   wait_through_stop PID                        wait for a background job; returns its status

. "$(dirname "${BASH_SOURCE[0]}")/metrics.sh"   # log_machines

# A stop (SIGTERM from background.sh, Ctrl-C) reaches the training itself, which saves its
# checkpoint and exits; the sourcing script waits for it instead of dying first, and
# train_folder starts no further training afterwards.
stopping=
trap 'stopping=1' TERM INT

require_bin() {
  [ -x "$1" ] || { echo "error: $1 is missing; run 'swift build -c release' first" >&2; exit 1; }
  [ "${2:-}" != --cost ] || [ -x /usr/bin/time ] || {
    echo "error: /usr/bin/time is missing (CPU cost per training); apt-get install time" >&2; exit 1; }
}

# Copies a finished OUT's record to KEEP/NAME through temporary names, `finished` last (a record
# without it is not one). A stop during the copy waits for the copy: it takes milliseconds.
keep_training() {
  local out="$1" to; to="$2/$(basename "$1")"
  [ -f "$out/metrics.jsonl" ] || { echo "error: $out has no metrics.jsonl to keep" >&2; return 1; }
  ( trap '' TERM INT
    mkdir -p "$to"
    put() { cp "$1" "$to/$2.part$$" && mv -f "$to/$2.part$$" "$to/$2" || { rm -f "$to/$2.part$$"; echo "error: cannot keep $1 in $to" >&2; exit 1; }; }
    put "$out/metrics.jsonl" metrics.jsonl
    [ ! -f "$out.cost" ] || put "$out.cost" cost
    if [ -f "$out/log.txt" ]; then
      { log_machines "$out/log.txt" > "$to/machines.part$$" && mv -f "$to/machines.part$$" "$to/machines"; } \
        || { rm -f "$to/machines.part$$"; echo "error: cannot keep the machines of $out in $to" >&2; exit 1; }
    fi
    date -u +%FT%TZ > "$to/finished.part$$" && mv -f "$to/finished.part$$" "$to/finished" )
}

# A stop's trap ends `wait` early (the trap runs, then wait returns), while the job is still
# saving its checkpoint: wait again until it has exited, and return its status.
wait_through_stop() {
  local status
  while :; do
    wait "$1" && status=0 || status=$?
    kill -0 "$1" 2>/dev/null || return "$status"
  done
}

train_folder() {
  local cost=0 keep=
  while true; do
    case "$1" in --cost) cost=1; shift ;; --keep) keep="$2"; shift 2 ;; *) break ;; esac
  done
  local bin="$1" label="$2" out="$3"; shift 3
  [ -z "$stopping" ] || return 130
  [ -z "$keep" ] || [ ! -f "$keep/$(basename "$out")/finished" ] || return 0
  # Called as `train_folder ... || rc=$?`, errexit does not reach in here: each step checks itself.
  mkdir -p "$(dirname "$out")" || return 1
  # fd 9 holds the lock for as long as this training runs (and is kept); another instance skips
  # the folder.
  exec 9>"$out.lock" || return 1
  flock -n 9 || { echo "== $label: another instance has it"; return 0; }
  local rc=0
  if [ ! -f "$out/model.safetensors" ]; then
    echo "== $label ($(date +%H:%M))"
    local run=("$bin" train --output "$out")
    if [ -f "$out/checkpoint.safetensors" ]; then
      run+=(--resume)
    else
      rm -rf "$out" || return 1
      [ $cost = 0 ] || rm -f "$out.cost" || return 1
      run+=("$@")
    fi
    local timer=()
    [ $cost = 0 ] || timer=(/usr/bin/time -a -o "$out.cost" -f "%e %U %S")
    "${timer[@]}" "${run[@]}" </dev/null || rc=$?
    # /usr/bin/time dies of the stop's SIGTERM at once, while the training it ran, stopped by the
    # same signal, still writes its checkpoint: wait until the training's own folder lock (which
    # the kernel drops when it exits) is free.
    [ ! -d "$out" ] || flock -w 600 "$out/.entrannas.lock" true 2>/dev/null || true
  fi
  # Finished, now or in an earlier run on this machine: kept.
  if [ $rc = 0 ] && [ -n "$keep" ] && [ -f "$out/model.safetensors" ]; then keep_training "$out" "$keep" || rc=$?; fi
  flock -u 9
  return $rc
}
