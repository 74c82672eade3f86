#!/usr/bin/env python3
"""PyTorch twin of `AmpTrainBench stack`: a 10-layer dilated Conv1d stack (16 channels, kernel 3, dilations
1..512, tanh), batch B x 8192 output samples, one training step, best of N (ms), per batch size.
Usage: /usr/bin/python3 stack_probe.py [threads=1] [repeats=10]"""
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.set_num_threads(threads)
torch.manual_seed(0)
TEN = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
weights = [((torch.rand(16, 16, 3) * 2 - 1) / 48 ** 0.5).requires_grad_() for _ in TEN]
for batch in (1, 4, 16):
    x = torch.randn(batch, 16, 8192 + sum(2 * d for d in TEN))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        h = x
        for w, d in zip(weights, TEN):
            h = torch.tanh(F.conv1d(h, w, dilation=d))
        h.square().mean().backward()
        for w in weights:
            w.grad = None
        best = min(best, time.perf_counter() - start)
    print(f"stack batch {batch}: {best * 1000:.1f} ms")
