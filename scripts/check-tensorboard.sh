#!/usr/bin/env bash
# Checks a folder of TensorBoard event files with TensorBoard itself (its EventAccumulator), so a
# format mistake in the Swift writer shows up here rather than as an empty plot.
#   scripts/check-tensorboard.sh RUN_FOLDER [--expect TAG]...
# Installs the PyPI `tensorboard` package, once, into a virtual environment under
# ${XDG_CACHE_HOME:-$HOME/.cache}/entrannas/tb-venv; ENTRANNAS_TENSORBOARD_VERSION pins a version.
set -euo pipefail

venv="${XDG_CACHE_HOME:-$HOME/.cache}/entrannas/tb-venv"
here="$(cd "$(dirname "$0")" && pwd)"

if ! "$venv/bin/python" -c "import tensorboard" 2>/dev/null; then
  command -v python3 >/dev/null || { echo "error: python3 is missing; install it (Debian: apt-get install python3-venv)" >&2; exit 1; }
  # Debian's python3 ships venv without ensurepip until python3-venv is installed.
  if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
    "$here/install-deps.sh" python3-venv
  fi
  echo "installing tensorboard into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "tensorboard${ENTRANNAS_TENSORBOARD_VERSION:+==$ENTRANNAS_TENSORBOARD_VERSION}"
fi

exec "$venv/bin/python" "$here/check_tensorboard.py" "$@"
