#!/usr/bin/env python3
"""Golden values for tests/Engine.Tests (the TorchSharp engine), computed by PyTorch (Debian's python3-torch 1.13).

Run from the repository root:  /usr/bin/python3 tests/fixtures-gen/torch/make_fixtures.py
It writes tests/Engine.Tests/Fixtures/golden.safetensors. Inputs are stored next to the
expected outputs, so the C# tests recompute each case from the same inputs; the tests need no Python.
safetensors_io.py beside this folder writes the file by the format's specification.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Engine.Tests", "Fixtures", "golden.safetensors")
tensors = {}
numbers = {}


def put(name, t):
    tensors[name] = t.detach().contiguous().clone()


def num(name, value):
    numbers[name] = repr(float(value))


torch.set_num_threads(1)
g = torch.Generator().manual_seed(1234)


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=g, dtype=dtype)


# ---- element-wise, comparisons, reductions ----
x = randn(4, 5)
y = randn(4, 5).abs() + 0.5
put("ew.x", x)
put("ew.y", y)
for name, value in {
    "add": x + y, "sub": x - y, "mul": x * y, "div": x / y, "pow": y.pow(x), "pow_scalar": x.pow(2),
    "rsub": 1.5 - x, "rdiv": 2.0 / y, "exp": x.exp(), "log": y.log(), "sqrt": y.sqrt(), "tanh": x.tanh(),
    "sigmoid": x.sigmoid(), "relu": x.relu(), "gelu": F.gelu(x), "gelu_tanh": F.gelu(x, approximate="tanh"),
    "silu": F.silu(x), "leaky_relu": F.leaky_relu(x, 0.2), "softmax": F.softmax(x, 1), "log_softmax": F.log_softmax(x, 1),
    "clamp": x.clamp(-0.5, 0.7), "where": torch.where(x > 0, x, y), "masked_fill": x.masked_fill(x < 0, -9.0),
    "gt": (x > y).float(), "maximum": torch.maximum(x, y), "abs": x.abs(), "erfinv": (x.clamp(-0.9, 0.9)).erfinv(),
    "sum1": x.sum(1), "mean0": x.mean([0]), "std1": x.std(1), "var0_biased": x.var(0, unbiased=False), "amax1": x.amax(1),
    "logsumexp1": x.logsumexp(1), "norm": x.norm().reshape(1), "sum_all": x.sum().reshape(1), "prod1": x.prod(1),
    "argmax1": x.argmax(1), "max1_values": x.max(1).values, "max1_indices": x.max(1).indices,
    "cumsum1": x.cumsum(1),
}.items():
    put(f"ew.{name}", value)

# ---- shape ----
a = randn(2, 3, 4)
put("shape.a", a)
put("shape.permute", a.permute(2, 0, 1))
put("shape.cat1", torch.cat([a, a * 2], 1))
put("shape.stack2", torch.stack([a, a + 1], 2))
put("shape.narrow", a.narrow(2, 1, 2))
put("shape.slice", a[:, :, 1:4:2])
put("shape.index_select", a.index_select(1, torch.tensor([2, 0])))
put("shape.pad_constant", F.pad(a, (1, 2, 0, 1), value=0.5))
put("shape.pad_reflect", F.pad(a, (2, 1), mode="reflect"))
put("shape.transpose", a.transpose(0, 2))
put("shape.flip", a.flip(1))
put("shape.expand", a[:, :1, :].expand(2, 3, 4))

# ---- linear algebra ----
m1, m2, bias = randn(3, 4), randn(4, 5), randn(5)
put("la.m1", m1); put("la.m2", m2); put("la.bias", bias)
put("la.matmul", m1 @ m2)
put("la.linear", F.linear(m1, m2.t(), bias))
b1, b2 = randn(2, 3, 4), randn(2, 4, 2)
put("la.b1", b1); put("la.b2", b2); put("la.bmm", torch.bmm(b1, b2))


# ---- convolution, pooling, normalisation: forward and gradients ----
def grads(name, fn, *inputs):
    """Forward fn(*inputs) and gradients of sum(out * w) for a fixed random w."""
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    out = fn(*leaves)
    w = randn(*out.shape)
    (out * w).sum().backward()
    put(f"{name}.out", out)
    put(f"{name}.w", w)
    for i, (t, leaf) in enumerate(zip(inputs, leaves)):
        put(f"{name}.in{i}", t)
        put(f"{name}.grad{i}", leaf.grad)


grads("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2), randn(2, 4, 11), randn(6, 2, 3), randn(6))
grads("conv1d_same", lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=3), randn(1, 3, 16), randn(5, 3, 3), randn(5))
grads("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), groups=1), randn(2, 3, 7, 6), randn(4, 3, 3, 3), randn(4))
grads("conv2d_dw", lambda x, w: F.conv2d(x, w, None, padding=3, groups=4), randn(1, 4, 8, 8), randn(4, 1, 7, 7))
grads("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1), randn(2, 3, 5), randn(3, 2, 4), randn(2))
grads("max_pool2d", lambda x: F.max_pool2d(x, 2), randn(2, 3, 6, 5))
grads("avg_pool2d", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), randn(1, 2, 7, 7))
grads("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), randn(2, 2, 7, 5))
grads("max_pool1d", lambda x: F.max_pool1d(x, 3, stride=2), randn(2, 3, 10))
grads("layer_norm", lambda x, w, b: F.layer_norm(x, (6,), w, b, 1e-5), randn(3, 4, 6), randn(6), randn(6))
grads("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b, 1e-5), randn(2, 4, 5), randn(4), randn(4))


def batch_norm_train(x, w, b):
    return F.batch_norm(x, torch.zeros(3), torch.ones(3), w, b, training=True, momentum=0.1, eps=1e-5)


grads("batch_norm", batch_norm_train, randn(4, 3, 5, 2), randn(3), randn(3))
bn = nn.BatchNorm2d(3)
bn_in = randn(4, 3, 5, 2) * 2 + 1
bn(bn_in)
put("bn_module.in", bn_in); put("bn_module.running_mean", bn.running_mean); put("bn_module.running_var", bn.running_var)
bn.eval()
put("bn_module.eval_out", bn(bn_in))

# ---- losses (forward and gradient w.r.t. the input) ----
logits, target = randn(6, 5), torch.tensor([0, 3, 4, 1, 1, 2])
class_weights = torch.tensor([1.0, 2.0, 0.5, 1.5, 1.0])
put("loss.logits", logits); put("loss.target", target); put("loss.class_weights", class_weights)
pred, goal = randn(6, 5), randn(6, 5)
put("loss.pred", pred); put("loss.goal", goal)
probs = torch.rand(6, 5, generator=g) * 0.98 + 0.01
labels = (torch.rand(6, 5, generator=g) > 0.5).float()
put("loss.probs", probs); put("loss.labels", labels)
soft = F.softmax(randn(6, 5), 1)
put("loss.soft", soft)


def loss_case(name, fn, inp):
    leaf = inp.clone().requires_grad_(True)
    out = fn(leaf)
    out.backward()
    put(f"loss.{name}", out.reshape(1))
    put(f"loss.{name}.grad", leaf.grad)


loss_case("ce", lambda z: F.cross_entropy(z, target), logits)
loss_case("ce_weighted_smoothed", lambda z: F.cross_entropy(z, target, weight=class_weights, label_smoothing=0.1), logits)
loss_case("ce_soft_targets", lambda z: F.cross_entropy(z, soft), logits)
loss_case("nll", lambda z: F.nll_loss(F.log_softmax(z, 1), target), logits)
loss_case("mse", lambda p: F.mse_loss(p, goal), pred)
loss_case("l1", lambda p: F.l1_loss(p, goal), pred)
loss_case("smooth_l1", lambda p: F.smooth_l1_loss(p, goal, beta=0.5), pred)
loss_case("huber", lambda p: F.huber_loss(p, goal, delta=0.1), pred)
loss_case("kl_div", lambda z: F.kl_div(F.log_softmax(z, 1), soft, reduction="batchmean"), logits)
loss_case("bce", lambda p: F.binary_cross_entropy(p, labels), probs)
loss_case("bce_logits", lambda p: F.binary_cross_entropy_with_logits(p, labels), pred)

# ---- spectral ----
signal = randn(1000, dtype=torch.float64)
put("stft.signal", signal)
for name, kwargs in {
    "center_hann": dict(n_fft=64, hop_length=16, window=torch.hann_window(64, dtype=torch.float64), center=True),
    "nocenter_norm_rect": dict(n_fft=80, hop_length=80, window=torch.ones(80, dtype=torch.float64), center=False, normalized=True),
    "win_shorter": dict(n_fft=128, hop_length=32, win_length=64, window=torch.hamming_window(64, periodic=False, dtype=torch.float64), center=True),
}.items():
    spec = torch.stft(signal, return_complex=True, **kwargs)
    put(f"stft.{name}.real", spec.real)
    put(f"stft.{name}.imag", spec.imag)
window = torch.hann_window(64, dtype=torch.float64)
spec = torch.stft(signal, 64, 16, window=window, center=True, return_complex=True)
put("istft.out", torch.istft(spec, 64, 16, window=window, center=True, length=1000))
put("window.hann_periodic", torch.hann_window(10, dtype=torch.float64))
put("window.hann_symmetric", torch.hann_window(10, periodic=False, dtype=torch.float64))
put("window.hamming", torch.hamming_window(10, dtype=torch.float64))
put("window.blackman", torch.blackman_window(10, dtype=torch.float64))

# ---- default initialisation (same seed => same draws) and modules ----
torch.manual_seed(42)
lin = nn.Linear(7, 5)
c1 = nn.Conv1d(3, 4, 5)
c2 = nn.Conv2d(2, 6, 3, groups=2)
ct = nn.ConvTranspose1d(3, 2, 4)
emb = nn.Embedding(10, 4, padding_idx=2)
lstm = nn.LSTM(3, 5, num_layers=2)
gru = nn.GRU(3, 4)
for prefix, module in {"lin": lin, "c1": c1, "c2": c2, "ct": ct, "emb": emb, "lstm": lstm, "gru": gru}.items():
    for pname, p in module.named_parameters():
        put(f"init.{prefix}.{pname}", p)
seq_in = randn(7, 2, 3)
put("lstm.in", seq_in)
leaf = seq_in.clone().requires_grad_(True)
out, (hn, cn) = lstm(leaf)
w = randn(*out.shape)
((out * w).sum() + hn.sum() + cn.sum()).backward()
put("lstm.out", out); put("lstm.hn", hn); put("lstm.cn", cn); put("lstm.w", w); put("lstm.grad_in", leaf.grad)
put("lstm.grad_weight_hh_l1", lstm.weight_hh_l1.grad)
gout, ghn = gru(seq_in)
put("gru.out", gout); put("gru.hn", ghn)

torch.manual_seed(3)
t = torch.empty(64, 32)
nn.init.trunc_normal_(t, std=0.02)
put("init.trunc_normal", t)
torch.manual_seed(5)
put("rng.dropout", F.dropout(torch.ones(1000), 0.3, training=True))
torch.manual_seed(6)
put("rng.randperm", torch.randperm(50))
put("rng.rand", torch.rand(20))
put("rng.randn", torch.randn(20))
put("rng.randint", torch.randint(3, 17, (20,)))

# ---- optimisers: trajectories on a fixed least-squares problem ----
W0, X, Y = randn(5, 3), randn(8, 3), randn(8, 5)
put("opt.W0", W0); put("opt.X", X); put("opt.Y", Y)


def trajectory(name, make, steps=12, schedule=None):
    W = nn.Parameter(W0.clone())
    opt = make([W])
    sched = schedule(opt) if schedule else None
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(X @ W.t(), Y).backward()
        opt.step()
        if sched:
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
    put(f"opt.{name}", W)
    if sched:
        put(f"opt.{name}.lrs", torch.tensor(lrs, dtype=torch.float64))


trajectory("adam", lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1))
trajectory("adam_amsgrad", lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True))
trajectory("adamw", lambda p: torch.optim.AdamW(p, lr=0.05))
trajectory("sgd", lambda p: torch.optim.SGD(p, lr=0.1))
trajectory("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01))
trajectory("sgd_momentum_dampening", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3))
trajectory("adam_steplr", lambda p: torch.optim.Adam(p, lr=0.05), schedule=lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5))
trajectory("adam_explr", lambda p: torch.optim.Adam(p, lr=0.05), schedule=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9))
trajectory("sgd_cosine", lambda p: torch.optim.SGD(p, lr=0.1), steps=14, schedule=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, 0.01))
trajectory("adam_onecycle", lambda p: torch.optim.Adam(p, lr=0.05), steps=20,
           schedule=lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=20))

W = nn.Parameter(W0.clone())
opt = torch.optim.SGD([W], lr=1.0)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1)
metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.7]
lrs = []
for m in metrics:
    plateau.step(m)
    lrs.append(opt.param_groups[0]["lr"])
put("opt.plateau.metrics", torch.tensor(metrics, dtype=torch.float64))
put("opt.plateau.lrs", torch.tensor(lrs, dtype=torch.float64))

# ---- gradient clipping ----
p1, p2 = nn.Parameter(randn(3, 4)), nn.Parameter(randn(5))
((p1 * 3).sum() + (p2 ** 2).sum() * 4).backward()
put("clip.g1", p1.grad); put("clip.g2", p2.grad)
total = torch.nn.utils.clip_grad_norm_([p1, p2], 1.5)
num("clip.total_norm", total)
put("clip.g1_clipped", p1.grad); put("clip.g2_clipped", p2.grad)

save(os.path.normpath(OUT), tensors, numbers)
print(f"wrote {len(tensors)} tensors to {os.path.normpath(OUT)}")
