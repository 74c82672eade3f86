#!/usr/bin/env python3
"""The PyTorch reference of bench/amp-train: a plain PyTorch training loop over the same data as our
AmpTrainer (the WAVs and ranges written by `AmpTrainBench prepare`), with the same recipe: windows of ny
output samples plus RF-1 samples of input context, batch 16, Adam(lr 0.004) + ExponentialLR(0.993),
loss MSE + 2e-4 * multi-resolution STFT loss on pre-emphasised signals (NAM's), validation ESR on the
held-out range. The models are written the way NAM writes them (nn.Conv1d layers; the A1 layer mixes the
condition in over its full length and then crops, as nam.models.wavenet._Layer does).

Usage: /usr/bin/python3 pytorch_train.py DATA_DIR --model seed|standard|feather|nano --epochs N --threads T [--batch 16] [--ny 8192]
Prints "epoch E train_seconds S val_esr V" per epoch (the same lines as AmpTrainBench).
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_wav_float32(path):
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE", path
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = raw[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif cid == b"data":
            data = body
        pos += 8 + size + (size & 1)
    tag, channels, rate, _, _, bits = fmt
    assert (tag in (3, 0xFFFE)) and bits == 32 and channels == 1, f"{path}: expected mono float32"
    return np.frombuffer(data, dtype="<f4").copy(), rate


# ---------------------------------------------------------------- models
class SeedWaveNet(nn.Module):
    def __init__(self, channels=16, layers=10, kernel=3, base=2):
        super().__init__()
        self.input = nn.Conv1d(1, channels, 1)
        self.blocks = nn.ModuleList([nn.Conv1d(channels, channels, kernel, dilation=base ** i) for i in range(layers)])
        self.output = nn.Conv1d(channels, 1, 1)
        self.receptive_field = 1 + sum((kernel - 1) * base ** i for i in range(layers))

    def forward(self, x):
        h = self.input(x[:, None])
        for block in self.blocks:
            z = block(h)
            h = h[:, :, -z.shape[2]:] + torch.tanh(z)
        return self.output(h)[:, 0]


class _Layer(nn.Module):
    def __init__(self, channels, kernel, dilation):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel, dilation=dilation)
        self.input_mixer = nn.Conv1d(1, channels, 1, bias=False)
        self._1x1 = nn.Conv1d(channels, channels, 1)

    def forward(self, h, x, out_length):
        zconv = self.conv(h)
        z1 = zconv + self.input_mixer(x)[:, :, -zconv.shape[2]:]
        post = torch.tanh(z1)
        return h[:, :, -post.shape[2]:] + self._1x1(post), post[:, :, -out_length:]


class _LayerArray(nn.Module):
    def __init__(self, input_size, channels, head_size, kernel, dilations, head_bias):
        super().__init__()
        self._rechannel = nn.Conv1d(input_size, channels, 1, bias=False)
        self._layers = nn.ModuleList([_Layer(channels, kernel, d) for d in dilations])
        self._head_rechannel = nn.Conv1d(channels, head_size, 1, bias=head_bias)
        self.history = sum((kernel - 1) * d for d in dilations)

    def forward(self, u, x, head_input, out_length):
        h = self._rechannel(u)
        for layer in self._layers:
            h, head_term = layer(h, x, out_length)
            head_input = head_term if head_input is None else head_input[:, :, -head_term.shape[2]:] + head_term
        return self._head_rechannel(head_input), h


SEVEN = [1, 2, 4, 8, 16, 32, 64]
TEN = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
THIRTEEN = [128, 256, 512] + TEN
PRESETS = {
    "standard": (16, 8, TEN, TEN),
    "lite": (12, 6, SEVEN, THIRTEEN),
    "feather": (8, 4, SEVEN, THIRTEEN),
    "nano": (4, 2, SEVEN, THIRTEEN),
}


class A1WaveNet(nn.Module):
    def __init__(self, preset, head_scale=0.02):
        super().__init__()
        c, h, d0, d1 = PRESETS[preset]
        self._layers = nn.ModuleList([_LayerArray(1, c, h, 3, d0, False), _LayerArray(c, h, 1, 3, d1, True)])
        self._head_scale = head_scale
        self.receptive_field = 1 + sum(a.history for a in self._layers)

    def forward(self, x):
        out_length = x.shape[1] - self.receptive_field + 1
        cond = x[:, None]
        u, head = cond, None
        for array in self._layers:
            head, u = array(u, cond, head, out_length)
        return self._head_scale * head[:, 0]


# ---------------------------------------------------------------- NAM's loss
def pre_emphasis(x, coef=0.85):
    return x[..., 1:] - coef * x[..., :-1]


WINDOWS = {}


def mrstft(p, t, resolutions=((1024, 120, 600), (2048, 240, 1200), (512, 50, 240))):
    total = 0.0
    for fft, hop, win in resolutions:
        window = WINDOWS.setdefault(win, torch.hann_window(win))
        mags = []
        for z in (p, t):
            s = torch.stft(z, fft, hop, win, window, return_complex=True)
            mags.append(torch.sqrt(torch.clamp(s.real ** 2 + s.imag ** 2, min=1e-8)))
        x_mag, y_mag = mags
        total = total + torch.norm(y_mag - x_mag, p="fro") / torch.norm(y_mag, p="fro") + F.l1_loss(torch.log(x_mag), torch.log(y_mag))
    return total / len(resolutions)


def nam_loss(p, t):
    return F.mse_loss(p, t) + 2e-4 * mrstft(pre_emphasis(p), pre_emphasis(t))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--model", default="standard")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--ny", type=int, default=8192)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, _ = read_wav_float32(os.path.join(args.data, "input.wav"))
    y, _ = read_wav_float32(os.path.join(args.data, "output.wav"))
    meta = json.load(open(os.path.join(args.data, "data.json")))
    model = SeedWaveNet() if args.model == "seed" else A1WaveNet(args.model)
    context = model.receptive_field - 1
    train_start, train_length = meta["train"]
    first = max(train_start, context)
    count = (min(train_start + train_length, len(x)) - first) // args.ny
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    inputs = torch.stack([x_t[first + i * args.ny - context:first + (i + 1) * args.ny] for i in range(count)])
    targets = torch.stack([y_t[first + i * args.ny:first + (i + 1) * args.ny] for i in range(count)])
    val_start, val_length = meta["validation"]
    val_first = max(val_start, context)
    val_x = x_t[val_first - context:val_start + val_length][None]
    val_y = y_t[val_first:val_start + val_length][None]

    optimizer = torch.optim.Adam(model.parameters(), lr=0.004)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.993)
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(count)
        for b in range(0, count - count % args.batch, args.batch):  # drop_last, as NAM's loader and ours
            index = order[b:b + args.batch]
            optimizer.zero_grad()
            loss = nam_loss(model(inputs[index]), targets[index])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        scheduler.step()
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(val_x[:, s:s + context + 32768]) for s in range(0, val_y.shape[1], 32768)], dim=1)
            esr = (torch.sum((pred - val_y) ** 2) / torch.sum(val_y ** 2)).item()
        print(f"epoch {epoch + 1} train_seconds {seconds:.3f} val_esr {esr:.6f}", flush=True)


if __name__ == "__main__":
    main()
