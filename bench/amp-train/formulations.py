#!/usr/bin/env python3
"""How to compute the A1 WaveNet's dilated convolutions fastest with this machine's libtorch (the ops our
C# binding calls are the same): one training step (forward + backward, batch 16, ny 8192, NAM's loss
without the STFT term) of the A1 standard WaveNet in several formulations, best of N, interleaved.

  nam      NAM's code: conv1d, mixin over the whole condition then cropped, tanh, 1x1 conv, add
  crop     the mixin computed only over the aligned tail; in-place add/tanh (our unfused path)
  fused    the mixin as an extra input channel of the dilated conv (our default path)
  im2col   channels-last: the K dilated taps concatenated, one matmul per layer (BLAS)
  taps     channels-last: one matmul per tap, summed (BLAS, no im2col copy)
  poly     dilation folded into the batch (time reshaped to [B*d, C, L/d]) so every conv is dense

Usage: /usr/bin/python3 formulations.py [threads=2] [repeats=5]
"""
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
torch.manual_seed(0)
B, NY = 16, 8192
TEN = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
ARRAYS = [(1, 16, 8, TEN), (16, 8, 1, TEN)]  # (input, channels, head, dilations) of A1 standard
RF = 1 + sum(2 * d for a in ARRAYS for d in a[3])


def conv_params(cout, cin, k, bias=True):
    w = (torch.rand(cout, cin, k) * 2 - 1) / (cin * k) ** 0.5
    return w.requires_grad_(), (torch.zeros(cout).requires_grad_() if bias else None)


params = []
for cin, c, h, dil in ARRAYS:
    layers = [(d, conv_params(c, c, 3), conv_params(c, 1, 1, False)[0], conv_params(c, c, 1)) for d in dil]
    params.append((conv_params(c, cin, 1, False)[0], layers, conv_params(h, c, 1, cin != 1)))
leaves = [t for p in params for t in [p[0], *p[2]] if t is not None]
leaves += [t for p in params for layer in p[1] for t in (layer[1][0], layer[1][1], layer[2], layer[3][0], layer[3][1])]
x = torch.randn(B, NY + RF - 1) * 0.3
y = torch.randn(B, NY) * 0.1


def dilated(mode, h, cond, d, w, b, mixin):
    """z = conv_d(h) + mixin(cond), right-aligned; h [B, C, L] (channels-last [B, L, C] for im2col/taps)."""
    if mode == "nam":
        z = F.conv1d(h, w, b, dilation=d)
        return z + F.conv1d(cond, mixin)[:, :, -z.shape[2]:]
    if mode == "crop":
        z = F.conv1d(h, w, b, dilation=d)
        return z.add_(F.conv1d(cond[:, :, -z.shape[2]:], mixin))
    if mode == "fused":
        weight = torch.cat([w, F.pad(mixin, (2, 0))], 1)
        return F.conv1d(torch.cat([h, cond[:, :, -h.shape[2]:]], 1), weight, b, dilation=d)
    if mode == "poly":
        L = h.shape[2]
        pad = (-L) % d
        hp = F.pad(h, (pad, 0))
        Bn, C, Lp = hp.shape
        folded = hp.reshape(Bn, C, Lp // d, d).permute(0, 3, 1, 2).reshape(Bn * d, C, Lp // d)
        z = F.conv1d(folded, w, b)
        z = z.reshape(Bn, d, -1, z.shape[2]).permute(0, 2, 3, 1).reshape(Bn, -1, z.shape[2] * d)[:, :, -(L - 2 * d):]
        return z + F.conv1d(cond[:, :, -z.shape[2]:], mixin)
    # channels-last: h [B, L, C], cond [B, L, 1]
    lo = h.shape[1] - 2 * d
    if mode == "im2col":
        col = torch.cat([h[:, k * d:k * d + lo] for k in range(3)], 2)
        z = torch.matmul(col, w.permute(2, 1, 0).reshape(-1, w.shape[0])) + b
    else:
        z = b + sum(torch.matmul(h[:, k * d:k * d + lo], w[:, :, k].t()) for k in range(3))
    return z + cond[:, -lo:] * mixin[:, 0, 0]


def forward(mode):
    last = mode in ("im2col", "taps")
    cond = x[:, :, None] if last else x[:, None]
    u, head = cond, None
    for rechannel, layers, (hw, hb) in params:
        h = torch.matmul(u, rechannel[:, :, 0].t()) if last else F.conv1d(u, rechannel)
        s = head
        for d, (w, b), mixin, (ow, ob) in layers:
            z = dilated(mode, h, cond, d, w, b, mixin)
            a = torch.tanh(z)
            n = a.shape[1] if last else a.shape[2]
            if last:
                h = h[:, -n:] + torch.matmul(a, ow[:, :, 0].t()) + ob
                tail = a[:, -NY:]
            else:
                h = h[:, :, -n:] + F.conv1d(a, ow, ob)
                tail = a[:, :, -NY:]
            s = tail if s is None else s + tail
        head = torch.matmul(s, hw[:, :, 0].t()) + (hb if hb is not None else 0) if last else F.conv1d(s, hw, hb)
        u = h
    return 0.02 * (head[:, :, 0] if last else head[:, 0])


modes = ["nam", "crop", "fused", "im2col", "taps", "poly"]
reference = forward("nam").detach()
for mode in modes:
    assert torch.allclose(forward(mode).detach(), reference, atol=1e-5), mode
best = {m: float("inf") for m in modes}
for _ in range(repeats):
    for mode in modes:
        start = time.perf_counter()
        F.mse_loss(forward(mode), y).backward()
        for t in leaves:
            t.grad = None
        best[mode] = min(best[mode], time.perf_counter() - start)
print(f"A1 standard, one training step (batch {B}, ny {NY}), {threads} threads, best of {repeats}:")
for mode in modes:
    print(f"  {mode:7s} {best[mode] * 1000:7.0f} ms  ({best[mode] / best['nam']:.2f}x nam)")
