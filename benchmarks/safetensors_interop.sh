#!/usr/bin/env bash
# Checks that Python's safetensors reads our files and that we read Python's: Python writes a
# fixture, the Swift test SafetensorsTests/testPythonInterop checks it and writes its own, and
# Python checks that one. Prints OK. Needs PyPI (for safetensors, into a throwaway venv with
# Debian's torch); prints SKIP and exits 0 when it cannot get it, so CI may run it or not.
#
# usage: benchmarks/safetensors_interop.sh
#   VENV=dir (default /tmp/stvenv), SCRATCH_PATH=dir (build folder), PACKAGE_PATH=dir (package).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-/tmp/stvenv}"
package="${PACKAGE_PATH:-$PWD}"

if ! "$venv/bin/python" -c 'import safetensors, torch' 2>/dev/null; then
  if ! { /usr/bin/python3 -m venv --system-site-packages "$venv" && "$venv/bin/pip" install -q safetensors; } >&2; then
    echo "SKIP: could not install Python's safetensors into $venv"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python_half() {  # $1 = write | check
  "$venv/bin/python" - "$1" "$work" <<'PY'
import math, sys
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

mode, work = sys.argv[1], sys.argv[2]
# The same fixture as SafetensorsTests.interopFixture().
fixture = {
    "cells.0.ops.1.op.1.weight": (torch.arange(24, dtype=torch.float32) * 0.5 - 3).reshape(2, 3, 4),
    "alphas": torch.tensor([[0.1, -2.5], [1e300, math.pi]], dtype=torch.float64),
    "step": torch.tensor(123456789012, dtype=torch.int64),
    "mask": torch.tensor([0, 1, 255], dtype=torch.uint8),
    "flags": torch.tensor([True, False, True]),
    "labels": torch.tensor([-5, 70000], dtype=torch.int32),
}
if mode == "write":
    save_file(fixture, f"{work}/python.safetensors", metadata={"format": "pt", "writer": "python é"})
else:
    path = f"{work}/swift.safetensors"
    loaded = load_file(path)
    assert sorted(loaded) == sorted(fixture), sorted(loaded)
    for name, expected in fixture.items():
        got = loaded[name]
        assert got.dtype == expected.dtype and got.shape == expected.shape, (name, got.dtype, got.shape)
        assert torch.equal(got, expected), name
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
        assert len(metadata.pop("crc32", "")) == 8, "our files carry a checksum"
        assert metadata == {"format": "pt", "writer": "swift é"}, metadata
PY
}

python_half write
SAFETENSORS_INTEROP_DIR="$work" swift test --package-path "$package" ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} \
  --filter 'TorchTests.SafetensorsTests/testPythonInterop' >"$work/swift-test.log" 2>&1 \
  || { cat "$work/swift-test.log" >&2; echo "FAIL: Swift could not read Python's file"; exit 1; }
grep -q "Executed 1 test, with 0 failures" "$work/swift-test.log" \
  || { cat "$work/swift-test.log" >&2; echo "FAIL: the Swift half did not run"; exit 1; }
python_half check || { echo "FAIL: Python could not read Swift's file"; exit 1; }
echo OK
