#!/usr/bin/python3
"""The torch-bench cases from Python, on Debian's python3-torch (the same libtorch 1.13).

Run with Debian's interpreter: /usr/bin/python3 benchmarks/conv_bench.py [--threads N]
[--repeats R] [--iterations I]. Prints one `name ms/iter` line per case, after `#` comment lines,
in the format of torch-bench; benchmarks/conv-bench.sh runs both and prints the comparison.
"""
import argparse
import os
import sys
import time

# Same allocator settings as our shim's mallopt at load (docs/libtorch-binding.md#allocator).
# glibc reads tunables only at start-up, so re-execute once with them set.
TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
if os.environ.get("GLIBC_TUNABLES") != TUNABLES:
    env = dict(os.environ, GLIBC_TUNABLES=TUNABLES)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import torch  # noqa: E402  (after the re-exec on purpose)
import torch.nn.functional as F  # noqa: E402

# name, weight shape, padding, dilation, groups: N=64, 16->16 channels, 32x32, 3x3 kernels.
CASES = [
    ("conv3x3", (16, 16, 3, 3), 1, 1, 1),
    ("depthwise3x3", (16, 1, 3, 3), 1, 1, 16),
    ("dilated3x3", (16, 16, 3, 3), 2, 2, 1),
]


def measure(case, repeats, iterations):
    """Median over repeats of the mean time per iteration, in milliseconds."""
    _, weight_shape, padding, dilation, groups = case
    torch.manual_seed(0)
    x = torch.randn(64, 16, 32, 32, requires_grad=True)
    w = torch.randn(*weight_shape, requires_grad=True)

    def step():
        x.grad = None
        w.grad = None
        F.conv2d(x, w, padding=padding, dilation=dilation, groups=groups).sum().backward()

    for _ in range(max(3, iterations // 5)):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        times.append((time.perf_counter() - start) / iterations * 1000)
    assert x.grad.shape == x.shape and w.grad.shape == w.shape
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# python: torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"GLIBC_TUNABLES={os.environ['GLIBC_TUNABLES']}", flush=True)
    print(f"# median of {args.repeats} x {args.iterations} iterations", flush=True)
    for case in CASES:
        print(f"{case[0]} {measure(case, args.repeats, args.iterations):.3f}", flush=True)


if __name__ == "__main__":
    main()
