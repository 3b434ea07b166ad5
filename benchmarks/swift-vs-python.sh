# Sourced by the benchmarks that time a Swift executable against a Python script on the same
# libtorch: flag parsing, the python3-torch check, the release build, the alternating rounds and
# the settings header. Run from the repository root.

# compare_parse NAME PASS_FLAG... -- "$@": sets threads (default: cores), rounds (3), and pass
# (the PASS_FLAGs with their values, handed to both sides).
compare_parse() {
  local name="$1"; shift
  local passing=()
  while [ "$1" != "--" ]; do passing+=("$1"); shift; done
  shift
  threads=$(nproc)
  rounds=3
  pass=()
  local usage="usage: $name [--threads N] [--rounds K]$(printf ' [%s N]' "${passing[@]}")"
  while [ $# -gt 0 ]; do
    if [ "$1" = --threads ]; then threads="$2"
    elif [ "$1" = --rounds ]; then rounds="$2"
    elif [[ " ${passing[*]} " == *" $1 "* ]]; then pass+=("$1" "$2")
    else echo "$usage" >&2; exit 2
    fi
    shift 2
  done
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "$name: Debian's python3-torch is missing (apt-get install python3-torch)" >&2
    exit 1
  fi
}

# compare_build PRODUCT: release build (SCRATCH_PATH=dir builds there); sets bin.
compare_build() {
  local scratch=()
  [ -n "${SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SCRATCH_PATH")
  swift build -c release "${scratch[@]}" --product "$1" >&2
  bin="$(swift build -c release "${scratch[@]}" --show-bin-path)/$1"
}

# compare_rounds PYTHON_SCRIPT: alternates the two sides for $rounds rounds, so load on a shared
# machine does not favour whichever ran first; sets swift_out and python_out. Python gets our
# shim's allocator settings through GLIBC_TUNABLES.
compare_rounds() {
  local tunables="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
  swift_out="" python_out=""
  for _ in $(seq "$rounds"); do
    swift_out+=$("$bin" --threads "$threads" "${pass[@]}")$'\n'
    python_out+=$(GLIBC_TUNABLES="$tunables" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$1" --threads "$threads" "${pass[@]}")$'\n'
  done
}

# compare_header: both sides' settings lines and the machine.
compare_header() {
  grep '^#' <<<"$swift_out" | sort -u
  grep '^#' <<<"$python_out" | sort -u
  echo "# best of $rounds alternating rounds; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
    "load average after the run $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
}
