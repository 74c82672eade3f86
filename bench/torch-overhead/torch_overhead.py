#!/usr/bin/env python3
"""PyTorch eager side of the per-op overhead benchmark (same cases and protocol as bench/Nsmt.Bench)."""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)


def median_us(iterations, body):
    for _ in range(iterations // 5):
        body()
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        samples.append((time.perf_counter() - start) * 1e6 / iterations)
    samples.sort()
    return samples[len(samples) // 2]


def report(name, us):
    print(f"{name} {us:.3f}")


a, b = torch.ones(1), torch.ones(1)
report("add_1elem", median_us(20000, lambda: a + b))

x = torch.randn(8, 16, 256)
conv = nn.Conv1d(16, 16, 3, padding=1)


def conv_step():
    conv.zero_grad()
    conv(x).sum().backward()


report("conv1d16_fwd_bwd", median_us(200, conv_step))

logits = torch.randn(64, 10, requires_grad=True)
target = torch.randint(10, (64,))


def ce_step():
    logits.grad = None
    F.cross_entropy(logits, target).backward()


report("cross_entropy_fwd_bwd", median_us(2000, ce_step))

mlp = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(mlp.parameters(), lr=1e-3)
inputs = torch.randn(64, 32)


def mlp_step():
    optimizer.zero_grad()
    F.cross_entropy(mlp(inputs), target).backward()
    optimizer.step()


report("mlp_train_step", median_us(1000, mlp_step))
