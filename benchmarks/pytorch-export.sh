#!/usr/bin/env bash
# The found network in PyTorch, end to end (docs/pytorch.md): trains a network (or takes a given
# training folder), exports it, checks PyTorch's logits against ours on the whole test set, writes
# TorchScript and ONNX and checks both against the module (ONNX with onnxruntime from PyPI, in a
# throwaway venv; skipped when it cannot be installed), then imports the exported weights back
# and evaluates them. Prints each step's result.
#
# usage: benchmarks/pytorch-export.sh [TRAINING_FOLDER]
#   without a folder: trains DARTS_V2 with the quick preset into runs/pytorch-export/train
#   BIN=path (default .build/release/entrannas), VENV=dir (default /tmp/onnxvenv)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BIN:-.build/release/entrannas}"
python=/usr/bin/python3
[ -x "$bin" ] || { echo "error: $bin is missing; run 'swift build -c release' first" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null || { echo "error: $python cannot import torch; apt-get install python3-torch" >&2; exit 1; }
work=runs/pytorch-export
trained="${1:-$work/train}"
if [ $# -eq 0 ] && [ ! -f "$trained/model.safetensors" ]; then
  "$bin" train --genotype DARTS_V2 --preset quick --output "$trained" $([ -f "$trained/checkpoint.safetensors" ] && echo --resume)
fi
out="$work/export"
"$bin" export --checkpoint "$trained" --output "$out" --check yes --python "$python"
"$python" "$out/model.py" torchscript "$out" "$work/model.pt" 2>/dev/null
"$python" "$out/model.py" onnx "$out" "$work/model.onnx" 2>/dev/null

venv="${VENV:-/tmp/onnxvenv}"
if "$venv/bin/python" -c 'import onnxruntime' 2>/dev/null \
   || { "$python" -m venv --system-site-packages "$venv" && "$venv/bin/pip" install -q onnxruntime; } >/dev/null 2>&1; then
  "$venv/bin/python" - "$out" "$work/model.onnx" <<'PY'
import json, sys
import numpy as np, onnxruntime, torch
sys.path.insert(0, sys.argv[1])
import model
net = model._Logits(model.load(sys.argv[1])).eval()
x = model.example_input(sys.argv[1])
x = torch.cat([x, x, x])  # another batch size than the one exported: the batch axis is dynamic
session = onnxruntime.InferenceSession(sys.argv[2], providers=["CPUExecutionProvider"])
got = session.run(None, {"images": x.numpy()})[0]
with torch.no_grad():
    want = net(x).numpy()
print(json.dumps({"onnxruntime": onnxruntime.__version__, "batch": int(x.shape[0]),
                  "max_abs_diff": float(np.abs(got - want).max())}))
PY
else
  echo "onnxruntime: SKIP (could not install it into $venv)"
fi

"$bin" import --weights "$out/state_dict.safetensors" --genotype "$out/genotype.json" --output "$work/imported"
echo "original:  $("$bin" eval --checkpoint "$trained" | grep '^test accuracy')"
echo "imported:  $("$bin" eval --checkpoint "$work/imported" | grep '^test accuracy')"
