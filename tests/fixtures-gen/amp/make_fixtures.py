#!/usr/bin/env python3
"""Golden values for tests/Nsmt.Amp.Training.Tests, computed with PyTorch 1.13 independently of our code:

- losses: NAM's ESR (per item), the predecessor project's pooled ESR, MSE, pre-emphasis, auraloss's multi-resolution STFT loss
  (the formulas of auraloss.freq.STFTLoss / MultiResolutionSTFTLoss with NAM's resolutions), DC loss; each with
  its gradient with respect to the prediction;
- models: the A1 WaveNet computation of nam-format.md (a gated two-array model with random weights), the predecessor
  project's plain WaveNet and NAM's LSTM after torch.manual_seed (our default initialisation must draw the same numbers), and an
  A1 "nano" WaveNet built in NAM's module order after torch.manual_seed.

Run from the repository root:  /usr/bin/python3 tests/fixtures-gen/amp/make_fixtures.py
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Nsmt.Amp.Training.Tests", "Fixtures", "amp_golden.safetensors")
out = {}

# ---------------------------------------------------------------- losses
g = torch.Generator().manual_seed(2024)
n = 2200
time = torch.arange(n, dtype=torch.float32) / 48000.0
target = torch.stack([
    0.5 * torch.sin(2 * torch.pi * 110 * time) + 0.05 * torch.randn(n, generator=g),
    0.3 * torch.tanh(3 * torch.sin(2 * torch.pi * 330 * time)) + 0.02,
]).float()
prediction = (0.9 * target + 0.03 * torch.randn(2, n, generator=g) + 0.01).float()
out["loss.prediction"] = prediction
out["loss.target"] = target


def pre_emphasis(x, coef=0.85):
    return x[..., 1:] - coef * x[..., :-1]


def esr(p, t):  # nam.models.losses.esr
    return torch.mean(torch.mean(torch.square(p - t), dim=1) / torch.mean(torch.square(t), dim=1))


def esr_pooled(p, t):  # the predecessor project's ESR
    return torch.mean((p - t) ** 2) / (torch.mean(t ** 2) + 1e-8)


def stft_mag(x, fft, hop, win):  # auraloss STFTLoss.stft
    s = torch.stft(x, fft, hop, win, torch.hann_window(win, dtype=x.dtype), return_complex=True)
    return torch.sqrt(torch.clamp(s.real ** 2 + s.imag ** 2, min=1e-8))


def mrstft(p, t, resolutions=((1024, 120, 600), (2048, 240, 1200), (512, 50, 240))):
    total = 0.0
    for fft, hop, win in resolutions:
        x_mag, y_mag = stft_mag(p, fft, hop, win), stft_mag(t, fft, hop, win)
        sc = torch.norm(y_mag - x_mag, p="fro") / torch.norm(y_mag, p="fro")
        log_mag = F.l1_loss(torch.log(x_mag), torch.log(y_mag))
        total = total + sc + log_mag
    return total / len(resolutions)


def dc(p, t):  # per-item offsets, batch-pooled energy (a silent window cannot divide by zero)
    return torch.mean((t.mean([1]) - p.mean([1])) ** 2) / (torch.mean(t ** 2) + 1e-8)


cases = {
    "esr": esr,
    "esr_pooled": esr_pooled,
    "mse": F.mse_loss,
    "pre_emph_mse": lambda p, t: F.mse_loss(pre_emphasis(p), pre_emphasis(t)),
    "pre_emph_esr": lambda p, t: esr(pre_emphasis(p), pre_emphasis(t)),
    "mrstft": mrstft,
    "pre_emph_mrstft": lambda p, t: mrstft(pre_emphasis(p), pre_emphasis(t)),
    "dc": dc,
    "nam_default": lambda p, t: F.mse_loss(p, t) + 2e-4 * mrstft(pre_emphasis(p), pre_emphasis(t)),
}
for name, fn in cases.items():
    leaf = prediction.clone().requires_grad_(True)
    value = fn(leaf, target)
    value.backward()
    out[f"loss.{name}.value"] = value.detach().reshape(1)
    out[f"loss.{name}.grad"] = leaf.grad
    if "mrstft" in name or name == "nam_default":
        # float32 round-off near the magnitude floor moves single elements of these gradients by up to 50%
        # between float32 and float64 in PyTorch itself; the float64 gradient is what tests can match tightly.
        leaf64 = prediction.double().requires_grad_(True)
        fn(leaf64, target.double()).backward()
        out[f"loss.{name}.grad64"] = leaf64.grad
out["loss.pre_emphasis"] = pre_emphasis(prediction, 0.95)


# ---------------------------------------------------------------- A1 WaveNet computation (nam-format.md)
def a1_forward(x, arrays, weights, head_scale):
    """x: (B, L). arrays: list of dicts. weights: flat tensor in .nam order (head_scale last)."""
    pos = 0

    def take(*shape):
        nonlocal pos
        count = 1
        for s in shape:
            count *= s
        w = weights[pos:pos + count].reshape(*shape)
        pos += count
        return w

    cond = x[:, None, :]
    u = cond
    s_in = None
    out_len = x.shape[1] - (1 + sum((a["k"] - 1) * d for a in arrays for d in a["dil"])) + 1
    for a in arrays:
        C, K, H, gated = a["c"], a["k"], a["h"], a["gated"]
        M = 2 * C if gated else C
        h = F.conv1d(u, take(C, a["in"], 1))
        s = s_in
        for d in a["dil"]:
            cw, cb, mw, ow, ob = take(M, C, K), take(M), take(M, 1, 1), take(C, C, 1), take(C)
            z = F.conv1d(h, cw, cb, dilation=d)
            z = z + F.conv1d(cond, mw)[:, :, -z.shape[2]:]
            act = torch.tanh(z[:, :C]) * torch.sigmoid(z[:, C:]) if gated else torch.tanh(z)
            h = h[:, :, -z.shape[2]:] + F.conv1d(act, ow, ob)
            s = act[:, :, -out_len:] if s is None else s[:, :, -out_len:] + act[:, :, -out_len:]
        hw = take(H, C, 1)
        hb = take(H) if a["head_bias"] else None
        s_in = F.conv1d(s, hw, hb)
        u = h
    assert pos == weights.numel() - 1
    return head_scale * s_in[:, 0, :]


arrays = [
    dict(**{"in": 1}, c=4, h=3, k=3, dil=[1, 2, 4], gated=True, head_bias=False),
    dict(**{"in": 4}, c=3, h=1, k=2, dil=[1, 3], gated=True, head_bias=True),
]
def weight_count(arrays):
    """Weights of an A1 model in .nam order, head_scale excluded."""
    count = 0
    for a in arrays:
        C, K, H = a["c"], a["k"], a["h"]
        M = 2 * C if a["gated"] else C
        count += C * a["in"] + len(a["dil"]) * (M * C * K + M + M + C * C + C) + H * C + (H if a["head_bias"] else 0)
    return count


weights = (torch.rand(weight_count(arrays) + 1, generator=g) * 1.2 - 0.6).float()
weights[-1] = 0.3
x = (0.5 * torch.randn(2, 300, generator=g)).float()
out["a1_gated.weights"] = weights
out["a1_gated.input"] = x
out["a1_gated.output"] = a1_forward(x, arrays, weights, 0.3)


# ---------------------------------------------------------------- the predecessor project's plain WaveNet after manual_seed (its keys keep the prefix "seed.", the name it had)
class PlainWaveNet(nn.Module):
    def __init__(self, channels, layers, kernel, base):
        super().__init__()
        self.input = nn.Conv1d(1, channels, 1)
        self.blocks = nn.ModuleList([nn.Conv1d(channels, channels, kernel, dilation=base ** i) for i in range(layers)])
        self.output = nn.Conv1d(channels, 1, 1)

    def forward(self, x):
        h = self.input(x[:, None])
        for block in self.blocks:
            z = block(h)
            h = h[:, :, -z.shape[2]:] + torch.tanh(z)
        return self.output(h)[:, 0]


torch.manual_seed(5)
seed_net = PlainWaveNet(4, 4, 3, 2)
x = torch.randn(2, 100, generator=g)
with torch.no_grad():
    out["seed.input"] = x
    out["seed.output"] = seed_net(x)
    for name, p in seed_net.named_parameters():
        out[f"seed.param.{name}"] = p.detach().clone()


# ---------------------------------------------------------------- A1 nano initialisation in NAM's module order
class Layer(nn.Module):
    def __init__(self, c, k, d):
        super().__init__()
        self.conv = nn.Conv1d(c, c, k, dilation=d)
        self.input_mixer = nn.Conv1d(1, c, 1, bias=False)
        self.one = nn.Conv1d(c, c, 1)


class LayerArray(nn.Module):
    def __init__(self, cin, c, h, k, dilations, head_bias):
        super().__init__()
        self.rechannel = nn.Conv1d(cin, c, 1, bias=False)
        self.layers = nn.ModuleList([Layer(c, k, d) for d in dilations])
        self.head_rechannel = nn.Conv1d(c, h, 1, bias=head_bias)


torch.manual_seed(11)
seven = [1, 2, 4, 8, 16, 32, 64]
thirteen = [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
nano = nn.ModuleList([LayerArray(1, 4, 2, 3, seven, False), LayerArray(4, 2, 1, 3, thirteen, True)])
flat = torch.cat([p.detach().flatten() for p in nano.parameters()] + [torch.tensor([0.02])])
assert flat.numel() == 842, flat.numel()
out["nano_init.weights"] = flat


# ---------------------------------------------------------------- LSTM (NAM's module order: core, then head)
torch.manual_seed(13)
core = nn.LSTM(1, 5, num_layers=2, batch_first=True)
head = nn.Linear(5, 1)
x = torch.randn(2, 300, generator=g)
with torch.no_grad():
    out["lstm.input"] = x
    out["lstm.output"] = head(core(x[:, :, None])[0])[:, :, 0]


# ---------------------------------------------------------------- gradients at the widths oneDNN got wrong (issue 29)
# libtorch 2.10's oneDNN computed wrong float32 convolutions for most channel counts above 16 on AVX-512 CPUs (AMD
# Zen 5), forward and backward, and wrong LSTM outputs; the fixtures above are too narrow to notice. These are A1
# standard's widths (16 and 8 channels; our fused input mixer makes 17) and NAM's 1x24 LSTM, with the gradients of
# sum(output * output_grad). Computed in float64 from float32 values, so the golden numbers do not depend on the CPU
# that made them.
wide = [
    dict(**{"in": 1}, c=16, h=8, k=3, dil=[1, 2, 64], gated=False, head_bias=False),
    dict(**{"in": 16}, c=8, h=1, k=3, dil=[1, 8], gated=False, head_bias=True),
]
wide_weights = (torch.rand(weight_count(wide) + 1, generator=g) * 0.6 - 0.3).float()
wide_weights[-1] = 0.02
x = (0.5 * torch.randn(2, 400, generator=g)).float()
weights64 = wide_weights.double().requires_grad_()
x64 = x.double().requires_grad_()
y = a1_forward(x64, wide, weights64, 0.02)
output_grad = torch.randn(y.shape, generator=g).float()
(y * output_grad.double()).sum().backward()
out["a1_wide.weights"] = wide_weights
out["a1_wide.input"] = x
out["a1_wide.output"] = y.detach().float()
out["a1_wide.output_grad"] = output_grad
out["a1_wide.weights_grad"] = weights64.grad[:-1].float()  # the head scale is a constant, not trained
out["a1_wide.input_grad"] = x64.grad.float()

torch.manual_seed(19)
core24 = nn.LSTM(1, 24, batch_first=True)
head24 = nn.Linear(24, 1)
x = torch.randn(2, 200, generator=g)
output_grad = torch.randn(2, 200, generator=g)
core24.double()
head24.double()
x64 = x.double().requires_grad_()
y = head24(core24(x64[:, :, None])[0])[:, :, 0]
(y * output_grad.double()).sum().backward()
out["lstm24.input"] = x
out["lstm24.output"] = y.detach().float()
out["lstm24.output_grad"] = output_grad
out["lstm24.input_grad"] = x64.grad.float()
out["lstm24.params_grad"] = torch.cat([p.grad.flatten() for p in list(core24.parameters()) + list(head24.parameters())]).float()

save(OUT, {k: v.contiguous() for k, v in out.items()})
print(f"wrote {len(out)} tensors to {os.path.normpath(OUT)}")
