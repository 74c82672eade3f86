#!/usr/bin/env python3
"""Golden values for the A2 WaveNet module (tests/Nsmt.Amp.Training.Tests/A2Tests.cs), computed in float64 with
PyTorch independently of our code: NAM's A2 layer semantics (NeuralAmpModelerCore's wavenet Layer/LayerArray
without gating, FiLM or head1x1; the trainer's valid, right-aligned convolutions) read from a flat weight vector
in the .nam order:

  rechannel (C x 1, no bias); per layer: conv (B x C x K_l, dilation d_l) + bias, input mixin (B x 1, no bias),
  layer1x1 (C x B) + bias; head conv (1 x B x K_head) + bias; head_scale.
  z = conv(h) + mixin(x); a = act(z); h <- h + layer1x1(a); s = sum of a; y = head_scale * head(s).

A small A2 (C 3, bottleneck 2, kernels 6/15/3, dilations 1/13/2, LeakyReLU 0.01, LeakyReLU 0.2, Tanh; head kernel
16, head_scale 0.01) so bottleneck != channels, mixed kernels and both activations are pinned; random weights and
input (2 items), the output and the gradient of sum(y * cotangent) with respect to every weight but head_scale
and to the input.

Run from the repository root:  /usr/bin/python3 tests/fixtures-gen/amp/make_a2_fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Nsmt.Amp.Training.Tests", "Fixtures", "a2_golden.safetensors")

C, B = 3, 2
KERNELS = [6, 15, 3]
DILATIONS = [1, 13, 2]
SLOPES = [0.01, 0.2, None]  # None = Tanh
HEAD_K = 16
HEAD_SCALE = 0.01

rf = 1 + sum((k - 1) * d for k, d in zip(KERNELS, DILATIONS)) + HEAD_K - 1
count = C + sum(B * C * k + B + B + C * B + C for k in KERNELS) + B * HEAD_K + 1 + 1

g = torch.Generator().manual_seed(25)
weights32 = (0.4 * torch.randn(count, generator=g)).float()
weights32[-1] = HEAD_SCALE
length = rf + 300
x32 = (0.5 * torch.randn(2, length, generator=g)).float()


def forward(w, x):
    pos = [0]

    def take(*shape):
        n = 1
        for s in shape:
            n *= s
        t = w[pos[0]:pos[0] + n].reshape(*shape)
        pos[0] += n
        return t

    out_len = x.shape[1] - rf + 1
    head_len = out_len + HEAD_K - 1
    cond = x[:, None, :]
    h = F.conv1d(cond, take(C, 1, 1))
    s = None
    for k, d, slope in zip(KERNELS, DILATIONS, SLOPES):
        conv_w, conv_b = take(B, C, k), take(B)
        mix_w = take(B, 1, 1)
        l1_w, l1_b = take(C, B, 1), take(C)
        z = F.conv1d(h, conv_w, conv_b, dilation=d)
        n = z.shape[2]
        z = z + F.conv1d(cond[:, :, -n:], mix_w)
        a = torch.tanh(z) if slope is None else F.leaky_relu(z, slope)
        h = h[:, :, -n:] + F.conv1d(a, l1_w, l1_b)
        tail = a[:, :, -head_len:]
        s = tail if s is None else s + tail
    head_w, head_b = take(1, B, HEAD_K), take(1)
    scale = take(1)
    assert pos[0] == w.numel()
    return (scale * F.conv1d(s, head_w, head_b))[:, 0, :]


w64 = weights32.double().requires_grad_(True)
x64 = x32.double().requires_grad_(True)
y = forward(w64, x64)
cotangent = torch.randn(y.shape, generator=g, dtype=torch.float64)
(y * cotangent).sum().backward()

save(OUT, {
    "a2.weights": weights32,
    "a2.input": x32,
    "a2.output": y.detach(),
    "a2.cotangent": cotangent.float(),
    "a2.grad_weights": w64.grad[:-1].detach(),  # head_scale is a constant, not trained
    "a2.grad_input": x64.grad.detach(),
}, {"receptive_field": str(rf), "weights": str(count)})
print(f"receptive field {rf}, {count} weights, output {tuple(y.shape)} -> {OUT}")
