#!/usr/bin/env python3
"""Golden values for the knob-conditioned WaveNet (tests/Nsmt.Amp.Training.Tests/KnobWaveNetTests.cs), computed in
float64 with PyTorch independently of our code, from a flat weight vector in the file order of knob_wavenet.json:

  per layer array: rechannel (C x in, no bias); per layer: conv (C x C x K, dilation d) + bias, input mixin
  (C x (1+N), no bias), layer1x1 (C x C) + bias, activation_pre_film (2C x (1+N)) + bias; head rechannel
  (H x C) (+ bias); finally head_scale.
  c = [x; knob_1..knob_N] (each knob constant over the window); per layer:
  z = conv(h) + mixin(c); f = film(c); z = f[:C] * z + f[C:]; a = tanh(z); h <- h + layer1x1(a);
  the head accumulator (the previous array's head output, then + each a) goes through the head rechannel;
  y = head_scale * last head.  (NAM A1 semantics with NAM 0.6's FiLM, valid right-aligned convolutions.)

Two layer arrays (C 3 then 2, kernels 3 and 2, dilations [1, 2] and [4, 1], head 2 then 1) and two knobs; random
weights (FiLM not at its identity start), input (2 items) and knob values; the output and the gradient of
sum(y * cotangent) with respect to every weight but head_scale, to the input and to the knob values.

Run from the repository root:  /usr/bin/python3 tests/fixtures-gen/amp/make_knob_wavenet_fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Nsmt.Amp.Training.Tests", "Fixtures", "knob_wavenet_golden.safetensors")

KNOBS = 2
COND = 1 + KNOBS
# (input_size, channels, kernel, dilations, head_size, head_bias)
ARRAYS = [(1, 3, 3, [1, 2], 2, False), (3, 2, 2, [4, 1], 1, True)]
HEAD_SCALE = 0.02

rf = 1 + sum((k - 1) * d for (_, _, k, ds, _, _) in ARRAYS for d in ds)
count = 1 + sum(c * i + len(ds) * (c * c * k + c + c * COND + c * c + c + 2 * c * COND + 2 * c) + h * c + (h if hb else 0)
                for (i, c, k, ds, h, hb) in ARRAYS)

g = torch.Generator().manual_seed(26)
weights32 = (0.5 * torch.randn(count, generator=g)).float()
weights32[-1] = HEAD_SCALE
length = rf + 200
x32 = (0.5 * torch.randn(2, length, generator=g)).float()
knobs32 = torch.rand(2, KNOBS, generator=g).float()


def forward(w, x, knobs):
    pos = [0]

    def take(*shape):
        n = 1
        for s in shape:
            n *= s
        t = w[pos[0]:pos[0] + n].reshape(*shape)
        pos[0] += n
        return t

    out_len = x.shape[1] - rf + 1
    cond = torch.cat([x[:, None, :], knobs[:, :, None].expand(-1, -1, x.shape[1])], 1)
    inp = x[:, None, :]
    head = None
    for (i, c, k, ds, h_size, hb) in ARRAYS:
        h = F.conv1d(inp, take(c, i, 1))
        s = head
        for d in ds:
            conv_w, conv_b = take(c, c, k), take(c)
            mix_w = take(c, COND, 1)
            l1_w, l1_b = take(c, c, 1), take(c)
            film_w, film_b = take(2 * c, COND, 1), take(2 * c)
            z = F.conv1d(h, conv_w, conv_b, dilation=d)
            n = z.shape[2]
            cn = cond[:, :, -n:]
            z = z + F.conv1d(cn, mix_w)
            f = F.conv1d(cn, film_w, film_b)
            z = f[:, :c] * z + f[:, c:]
            a = torch.tanh(z)
            h = h[:, :, -n:] + F.conv1d(a, l1_w, l1_b)
            tail = a[:, :, -out_len:]
            s = tail if s is None else s + tail
        head_w = take(h_size, c, 1)
        head_b = take(h_size) if hb else None
        head = F.conv1d(s, head_w, head_b)
        inp = h
    scale = take(1)
    assert pos[0] == w.numel()
    return (scale * head)[:, 0, :]


w64 = weights32.double().requires_grad_(True)
x64 = x32.double().requires_grad_(True)
k64 = knobs32.double().requires_grad_(True)
y = forward(w64, x64, k64)
cotangent = torch.randn(y.shape, generator=g, dtype=torch.float64)
(y * cotangent).sum().backward()

save(OUT, {
    "knob_wavenet.weights": weights32,
    "knob_wavenet.input": x32,
    "knob_wavenet.knobs": knobs32,
    "knob_wavenet.output": y.detach(),
    "knob_wavenet.cotangent": cotangent,  # float64: the gradients below were taken with it
    "knob_wavenet.grad_weights": w64.grad[:-1].detach(),  # head_scale is a constant, not trained
    "knob_wavenet.grad_input": x64.grad.detach(),
    "knob_wavenet.grad_knobs": k64.grad.detach(),
}, {"receptive_field": str(rf), "weights": str(count)})
print(f"receptive field {rf}, {count} weights, output {tuple(y.shape)} -> {OUT}")
