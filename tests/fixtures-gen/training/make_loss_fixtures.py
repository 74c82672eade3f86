#!/usr/bin/env python3
"""Golden values for the head losses of tests/Nsmt.Spectral.Training.Tests, written in PyTorch the way NSMT's
Python code computes them (restated in shared/specs/spectral-models.md, with our fixes noted there).

Run from the repository root:  /usr/bin/python3 tests/fixtures-gen/training/make_loss_fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Nsmt.Spectral.Training.Tests", "Fixtures", "losses.safetensors")
g = torch.Generator().manual_seed(77)
C = 7
logits = torch.randn(5, C, generator=g, dtype=torch.float64)
scalar_out = torch.rand(5, 1, generator=g, dtype=torch.float64) * 1.2 - 0.1  # a little outside [0, 1] to exercise the clamps
quant_out = torch.rand(5, 1, generator=g, dtype=torch.float64) * 8 - 0.5
classes = torch.tensor([0, 3, 6, 2, 5])
out = {"logits": logits, "scalar_out": scalar_out, "quant_out": quant_out, "classes": classes}


def case(name, fn, x):
    leaf = x.clone().requires_grad_(True)
    loss = fn(leaf)
    loss.backward()
    out[f"{name}.loss"] = loss.detach().reshape(1)
    out[f"{name}.grad"] = leaf.grad


def dist(kind, a, b):
    return {"l1": F.l1_loss, "l2": F.mse_loss}[kind](a, b) if kind != "huber" else F.huber_loss(a, b, delta=0.1)


# ordinal: range R = 3.0
def ordinal(z, kind="l1", R=3.0, alpha=0.1):
    p = F.softmax(z, 1)
    yhat = (p * torch.arange(C, dtype=z.dtype)).sum(1)
    return dist(kind, yhat, classes.to(z.dtype)) * R / (C - 1) + alpha * F.cross_entropy(z, classes)


case("ordinal_l1", ordinal, logits)
case("ordinal_huber", lambda z: ordinal(z, "huber"), logits)


def quantized(o, R=3.0):
    return dist("l1", o.reshape(-1).clamp(0, C - 1), classes.to(o.dtype)) * R / (C - 1)


case("quantized", quantized, quant_out)
mn, mx = -2.0, 0.4


def normalized(p, kind="l2"):
    step = (mx - mn) / (C - 1)
    y = mn + classes.to(p.dtype) * step  # physical values (our rule)
    t = ((y - mn) / (mx - mn)).clamp(0, 1)
    return dist(kind, p.reshape(-1).clamp(0, 1), t) * (mx - mn)


case("normalized_l2", normalized, scalar_out)
case("normalized_huber", lambda p: normalized(p, "huber"), scalar_out)


def weighted_ce(z, power=2.0, base=1.0):
    d = (torch.arange(C, dtype=z.dtype)[None, :] - classes[:, None].to(z.dtype)).abs()
    penalty = torch.where(d == 0, torch.zeros_like(d), base + d ** power)
    return F.cross_entropy(z, classes) + (F.softmax(z, 1) * penalty).sum(1).mean()


case("weighted_ce", weighted_ce, logits)


def soft(z, shape, width=2, sigma=1.0):
    d = (torch.arange(C, dtype=z.dtype)[None, :] - classes[:, None].to(z.dtype)).abs()
    w = {"triangular": width + 1 - d, "gaussian": torch.exp(-0.5 * (d / sigma) ** 2), "log_triangular": torch.exp(-d)}[shape]
    w = torch.where(d > width, torch.zeros_like(w), w)
    target = w / w.sum(1, keepdim=True)
    out[f"soft_{shape}.target"] = target
    return F.kl_div(F.log_softmax(z, 1), target, reduction="batchmean")


for shape in ("triangular", "gaussian", "log_triangular"):
    case(f"soft_{shape}", lambda z: soft(z, shape), logits)

save(os.path.normpath(OUT), out)
print(f"wrote {len(out)} tensors to {os.path.normpath(OUT)}")
