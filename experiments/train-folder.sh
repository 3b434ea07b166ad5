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
#
# usage (after `. experiments/train-folder.sh`):
#   require_bin BIN [--cost]                     exit with a one-line error if BIN (or time) is missing
#   train_folder [--cost] BIN LABEL OUT FLAGS... train OUT with FLAGS (plus --output OUT) or resume it

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

train_folder() {
  local cost=0
  [ "$1" = --cost ] && { cost=1; shift; }
  local bin="$1" label="$2" out="$3"; shift 3
  [ -z "$stopping" ] || return 130
  [ -f "$out/model.safetensors" ] && return 0
  mkdir -p "$(dirname "$out")"
  # fd 9 holds the lock for as long as this training runs; another instance skips the folder.
  exec 9>"$out.lock"
  flock -n 9 || { echo "== $label: another instance has it"; return 0; }
  echo "== $label ($(date +%H:%M))"
  local run=("$bin" train --output "$out")
  if [ -f "$out/checkpoint.safetensors" ]; then
    run+=(--resume)
  else
    rm -rf "$out"; [ $cost = 0 ] || rm -f "$out.cost"
    run+=("$@")
  fi
  local timer=() rc=0
  [ $cost = 0 ] || timer=(/usr/bin/time -a -o "$out.cost" -f "%e %U %S")
  "${timer[@]}" "${run[@]}" </dev/null || rc=$?
  # /usr/bin/time dies of the stop's SIGTERM at once, while the training it ran, stopped by the
  # same signal, still writes its checkpoint: wait until the training's own folder lock (which
  # the kernel drops when it exits) is free.
  [ ! -d "$out" ] || flock -w 600 "$out/.entrannas.lock" true 2>/dev/null || true
  flock -u 9
  return $rc
}
