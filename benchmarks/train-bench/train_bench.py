"""One training step of DARTS_V2's evaluation network in PyTorch: the reference side of
benchmarks/train-bench/run.sh. Same network (darts_eval_net.py), same step and settings as the
Swift train-bench target; prints `#` lines, then `train_step ms/step` (median of R repeats)."""

import argparse
import os
import time

import torch
import torch.nn.functional as F

from darts_eval_net import DARTS_V2, EvalNetwork

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--steps", type=int, default=10)
parser.add_argument("--batch", type=int, default=64)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
model = EvalNetwork(DARTS_V2, 16, 8, 10, input_channels=1, auxiliary=True)
model.train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
images = torch.randn(args.batch, 1, 28, 28)
labels = torch.arange(args.batch) % 10


def step():
    optimizer.zero_grad(set_to_none=True)
    logits, auxiliary = model(images)
    loss = F.cross_entropy(logits, labels) + 0.4 * F.cross_entropy(auxiliary, labels)
    value = loss.item()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5)
    optimizer.step()
    return value


params = sum(p.numel() for n, p in model.named_parameters() if "auxiliary" not in n)
aux = sum(p.numel() for n, p in model.named_parameters() if "auxiliary" in n)
print("# python: torch %s, %d threads, GLIBC_TUNABLES=%s" % (torch.__version__, torch.get_num_threads(),
                                                             os.environ.get("GLIBC_TUNABLES", "(unset)")), flush=True)
print("# python: DARTS_V2 8 cells 16 channels 1x28x28 batch %d, auxiliary on, %d parameters + %d auxiliary"
      % (args.batch, params, aux), flush=True)
for _ in range(3):
    step()
times = []
for _ in range(args.repeats):
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    times.append((time.perf_counter() - start) * 1000 / args.steps)
times.sort()
print("train_step %.2f" % times[len(times) // 2], flush=True)
