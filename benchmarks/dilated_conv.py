#!/usr/bin/python3
# Why Conv2d reformulates dilated convolutions (docs/performance.md#dilated-convolutions): oneDNN in
# libtorch 1.13 has fast depthwise kernels for undilated convolutions only. This measures, with
# Debian's python3-torch (the same libtorch as the shim), a depthwise convolution's forward and
# backward (input and weight gradients) at the sizes of DARTS' search network, directly and in the
# two forms Conv2d uses, and checks that the forms agree with the direct call.
#
# First, each kernel alone: forward, input gradient and weight gradient of undilated and dilated
# 3x3 and 5x5 depthwise convolutions (aten::convolution_backward with one output each).
#
# glibc's malloc returns large blocks to the system and page-faults them back on every call,
# which inflates exactly these timings (a 3x3 depthwise forward + backward through autograd took
# 6.4 ms instead of 1.4): the script re-runs itself with the allocator settings our shim sets
# through mallopt (mmap threshold 32 MiB, trim threshold 1 GiB), as train-bench does for Python.
#
#   /usr/bin/python3 benchmarks/dilated_conv.py [--threads 1]
import argparse, os, sys, time

TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
if os.environ.get("GLIBC_TUNABLES") != TUNABLES:
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "GLIBC_TUNABLES": TUNABLES})

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--batch", type=int, default=64)
args = p.parse_args()
torch.set_num_threads(args.threads)
cl = torch.channels_last


def subsampled(x, w, d, pad):  # stride == dilation == d, pad divisible by d
    return F.conv2d(x[:, :, ::d, ::d], w, padding=pad // d, groups=w.shape[0])


def polyphase(x, w, d, pad):  # stride 1, pad and size divisible by d, channels-last
    b, c, h, wd = x.shape
    comp = x.reshape(b, c, h // d, d, wd // d, d).permute(3, 5, 0, 2, 4, 1).reshape(d * d * b, h // d, wd // d, c)
    y = F.conv2d(comp.permute(0, 3, 1, 2), w, padding=pad // d, groups=w.shape[0])
    o, ph, pw = y.shape[1:]
    return y.permute(0, 2, 3, 1).reshape(d, d, b, ph, pw, o).permute(2, 3, 0, 4, 1, 5).reshape(b, d * ph, d * pw, o).permute(0, 3, 1, 2)


def timed(f, x, w):
    times = []
    for _ in range(6):
        start = time.time()
        y = f()
        torch.autograd.grad(y, [x, w], torch.ones_like(y))
        times.append(time.time() - start)
    return sorted(times[1:])[2] * 1e3


def median_ms(f, repeats=15):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 2] * 1e3


print(f"each kernel alone, depthwise, batch {args.batch} x 16 x 28x28, channels-last, {args.threads} thread(s), "
      f"median of 15, ms; allocator: {os.environ['GLIBC_TUNABLES']}")
print("| kernel | forward | input gradient | weight gradient |")
print("|---|---:|---:|---:|")
for k, d in [(3, 1), (5, 1), (3, 2), (5, 2)]:
    c, pad = 16, d * (k // 2)
    x = torch.randn(args.batch, c, 28, 28).contiguous(memory_format=cl)
    w = torch.randn(c, 1, k, k)
    dy = torch.randn(args.batch, c, 28, 28).contiguous(memory_format=cl)
    grad = lambda mask: torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [pad, pad], [d, d], False,
                                                            [0, 0], c, mask)
    print(f"| {k}x{k}{', dilation 2' if d == 2 else ''} | {median_ms(lambda: F.conv2d(x, w, padding=pad, dilation=d, groups=c)):.2f} "
          f"| {median_ms(lambda: grad([True, False, False])):.2f} | {median_ms(lambda: grad([False, True, False])):.2f} |")
print()

print(f"depthwise convolution, forward + backward (input and weight gradients), batch {args.batch}, "
      f"channels-last, {args.threads} thread(s), median of 5 after one warm-up, ms")
print("| channels x size | kernel | stride | direct | reformulated | ratio | max difference |")
print("|---|---|---:|---:|---:|---:|---:|")
for c, h in [(16, 28), (32, 14)]:
    for k in (3, 5):
        for s in (1, 2):
            torch.manual_seed(0)
            x = torch.randn(args.batch, c, h, h).contiguous(memory_format=cl).requires_grad_()
            w = torch.randn(c, 1, k, k).contiguous(memory_format=cl).requires_grad_()
            pad = k - 1  # DARTS' dil_conv: dilation 2, padding 2 (3x3) or 4 (5x5)
            direct = lambda: F.conv2d(x, w, padding=pad, dilation=2, stride=s, groups=c)
            other = (lambda: subsampled(x, w, 2, pad)) if s == 2 else (lambda: polyphase(x, w, 2, pad))
            diff = (direct() - other()).abs().max().item()
            a, b = timed(direct, x, w), timed(other, x, w)
            print(f"| {c} x {h}x{h} | {k}x{k}, dilation 2 | {s} | {a:.2f} | {b:.2f} | {b / a:.2f} | {diff:.1e} |")
