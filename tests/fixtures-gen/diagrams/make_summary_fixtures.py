"""Reference rows and totals for the Diagram stage's summaries, from PyTorch models equivalent to ours.

torchinfo is not installed here (and cannot be), so this script rebuilds what torchinfo 1.8's summary() records,
on the PyTorch side: forward pre/post hooks on every module of a PyTorch model in eval mode under no_grad, one row
per call (a repeated module is marked recursive), container rows for ModuleList/ModuleDict parents inserted where
the hierarchy changes (torchinfo's add_missing_container_layers), depth indices numbered per depth in table order,
and the totals of torchinfo's ModelStatistics (leftover params, x2 output bytes of leaves with parameters, leaf
parameter bytes, mult-adds from calculate_macs).

The models are NSMT's SimpleCNN (cnn_micro) and VisionTransformer (vit_micro) and SimpleDenseNet, with the
simple_saw heads (note_velocity 3 classes, log10_decay_time 24), written here independently of the C# code with
the same attribute names, so rows can be matched by qualified name.

Run with Debian's python3-torch:  /usr/bin/python3 make_summary_fixtures.py
Writes ../../Nsmt.Diagrams.Tests/Fixtures/torchinfo_reference.json
"""
import json
import math
import os

import torch
from torch import nn
import torch.nn.functional as F

HEADS = [("note_velocity", 3), ("log10_decay_time", 24)]


class SimpleCnn(nn.Module):
    def __init__(self, c_in, c1, c2, fc, dropout, input_size):
        super().__init__()
        pool = 7 if input_size // 4 == 7 else 4
        self.features = nn.Sequential(
            nn.Conv2d(c_in, c1, 3, padding=1), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(pool))
        self.shared = nn.Sequential(nn.Flatten(), nn.Linear(c2 * pool * pool, fc), nn.ReLU(), nn.Dropout(dropout))
        self.heads = nn.ModuleDict({name: nn.Linear(fc, n) for name, n in HEADS})

    def forward(self, x):
        f = self.shared(self.features(x))
        return {name: head(f) for name, head in self.heads.items()}


class SelfAttention(nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(e, e)
        self.key = nn.Linear(e, e)
        self.value = nn.Linear(e, e)
        self.out = nn.Linear(e, e)

    def forward(self, x):
        b, n, e = x.shape
        d = e // self.heads
        split = lambda t: t.reshape(b, n, self.heads, d).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        a = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(d), -1)
        return self.out((a @ v).transpose(1, 2).reshape(b, n, e))


class EncoderBlock(nn.Module):
    def __init__(self, e, heads, mul, p):
        super().__init__()
        self.norm1 = nn.LayerNorm(e)
        self.attention = SelfAttention(e, heads)
        self.norm2 = nn.LayerNorm(e)
        self.fc1 = nn.Linear(e, e * mul)
        self.fc2 = nn.Linear(e * mul, e)
        self.dropout = nn.Dropout(p)

    def forward(self, x):
        h = x + self.dropout(self.attention(self.norm1(x)))
        return h + self.dropout(self.fc2(F.gelu(self.fc1(self.norm2(h)))))


class VisionTransformer(nn.Module):
    def __init__(self, c_in, size, patch, e, layers, heads, mul, p):
        super().__init__()
        n = (size // patch) ** 2
        self.patch_embedding = nn.Conv2d(c_in, e, patch, stride=patch)
        self.position_embedding = nn.Parameter(torch.zeros(1, n, e))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, e))
        self.dropout = nn.Dropout(p)
        self.encoder = nn.ModuleList([EncoderBlock(e, heads, mul, p) for _ in range(layers)])
        self.norm = nn.LayerNorm(e)
        self.heads = nn.ModuleDict({name: nn.Sequential(nn.Linear(e, e), nn.Tanh(), nn.Linear(e, c)) for name, c in HEADS})

    def forward(self, x):
        tokens = self.patch_embedding(x).flatten(2).transpose(1, 2) + self.position_embedding
        x = self.dropout(torch.cat([self.cls_token.expand(x.shape[0], -1, -1), tokens], 1))
        for block in self.encoder:
            x = block(x)
        pooled = self.norm(x)[:, 0]
        return {name: head(pooled) for name, head in self.heads.items()}


class SimpleDenseNet(nn.Module):
    def __init__(self, inputs, h1, h2, h3):
        super().__init__()
        layers = [nn.Flatten()]
        for a, b in [(inputs, h1), (h1, h2), (h2, h3)]:
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
        self.model = nn.Sequential(*layers)
        self.heads = nn.ModuleDict({name: nn.Linear(h3, n) for name, n in HEADS})

    def forward(self, x):
        f = self.model(x)
        return {name: head(f) for name, head in self.heads.items()}


class Row:
    def __init__(self, module, path, depth, container=False):
        self.module = module
        self.path = path
        self.depth = depth
        self.container = container
        self.is_leaf = not any(module.children())
        self.num_params = sum(p.numel() for p in module.parameters())
        self.trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
        self.param_bytes = sum(p.numel() * p.element_size() for p in module.parameters())
        self.is_recursive = False
        self.output = None  # list of (label, shape)
        self.output_bytes = 0
        self.macs = 0
        self.children = []  # every row below, as torchinfo's get_children_layers
        self.depth_index = None

    def leftover(self, attr="num_params"):
        return getattr(self, attr) - sum(
            getattr(c, attr) if c.is_leaf else c.leftover(attr) for c in self.children if not c.is_recursive)


def shapes(value):
    if isinstance(value, torch.Tensor):
        return [("", list(value.shape))], value.numel() * value.element_size()
    if isinstance(value, dict):
        last = list(value.values())[-1]
        return [(k, list(v.shape)) for k, v in value.items()], last.numel() * last.element_size()
    raise TypeError(type(value))


def summarize(model, x):
    paths = {id(m): (name, m) for name, m in model.named_modules()}
    parent = {}
    for name, m in model.named_modules():
        for child in m.children():
            parent.setdefault(id(child), m)
    rows, seen, hooks = [], set(), []

    def pre(module, inputs):
        name = paths[id(module)][0]
        row = Row(module, name, 0 if name == "" else name.count(".") + 1)
        row.is_recursive = id(module) in seen
        seen.add(id(module))
        rows.append(row)
        stack.append(row)

    def post(module, inputs, output):
        row = stack.pop()
        assert row.module is module
        row.output, row.output_bytes = shapes(output)
        if row.is_leaf:
            dims = row.output[0][1]
            for pname, p in module.named_parameters():
                if pname in ("weight", "bias"):
                    row.macs += p.numel() * (math.prod(dims[:1] + dims[2:]) if "Conv" in type(module).__name__ else dims[0])
                elif "weight" in pname or "bias" in pname:
                    row.macs += p.numel() * math.prod(dims[:2])

    stack = []
    for _, m in model.named_modules():
        hooks.append(m.register_forward_pre_hook(pre))
        hooks.append(m.register_forward_hook(post))
    model.eval()
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()

    # Containers that never ran (ModuleList, ModuleDict) are listed where the hierarchy changes.
    listed, current = [], {}
    for row in rows:
        chain, m = [], parent.get(id(row.module))
        while m is not None and m is not model:
            chain.append(m)
            m = parent.get(id(m))
        for m in reversed(chain):
            d = paths[id(m)][0].count(".") + 1
            if d not in current or current[d].module is not m:
                c = Row(m, paths[id(m)][0], d, container=True)
                c.is_recursive = id(m) in seen
                seen.add(id(m))
                listed.append(c)
                current[d] = c
                for deeper in [k for k in current if k > d]:
                    del current[deeper]
        listed.append(row)
        current[row.depth] = row
        for deeper in [k for k in current if k > row.depth]:
            del current[deeper]

    counters = {}
    for i, row in enumerate(listed):
        counters[row.depth] = counters.get(row.depth, 0) + 1
        row.depth_index = counters[row.depth]
        j = i + 1
        while j < len(listed) and listed[j].depth > row.depth:
            row.children.append(listed[j])
            j += 1

    total = trainable = macs = out_bytes = param_bytes = 0
    for row in listed:
        if row.is_leaf:
            macs += row.macs
            if row.is_recursive:
                continue
            total += row.num_params
            trainable += row.trainable
            param_bytes += row.param_bytes
            if row.num_params > 0:
                out_bytes += row.output_bytes * 2
        elif not row.is_recursive:
            total += max(row.leftover(), 0)
            trainable += max(row.leftover("trainable"), 0)

    return {
        "rows": [{
            "path": r.path, "type": type(r.module).__name__, "depth": r.depth, "depth_index": r.depth_index,
            "container": r.container, "recursive": r.is_recursive, "leaf": r.is_leaf,
            "num_params": r.num_params, "trainable_params": r.trainable, "leftover_params": r.leftover(),
            "output": [{"label": label, "shape": shape} for label, shape in (r.output or [])],
        } for r in listed],
        "totals": {
            "total_params": total, "trainable_params": trainable, "mult_adds": macs,
            "input_bytes": x.numel() * x.element_size(), "forward_backward_bytes": out_bytes, "param_bytes": param_bytes,
        },
    }


def main():
    torch.manual_seed(0)
    x = torch.rand(1, 1, 32, 32)
    cases = {
        "SimpleCnn": SimpleCnn(1, 8, 16, 32, 0.2, 32),
        "VisionTransformer": VisionTransformer(1, 32, 8, 32, 2, 4, 2, 0.2),
        "SimpleDenseNet": SimpleDenseNet(1024, 64, 128, 64),
    }
    result = {name: summarize(model, x) for name, model in cases.items()}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Nsmt.Diagrams.Tests", "Fixtures", "torchinfo_reference.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    # One row per line keeps the fixture small and its diffs readable.
    lines = ["{", f' "generator": "tests/fixtures-gen/diagrams/make_summary_fixtures.py", "torch": "{torch.__version__}", "input": [1, 1, 32, 32],',
             ' "models": {']
    for i, (name, r) in enumerate(result.items()):
        lines.append(f'  "{name}": {{')
        lines.append('   "rows": [')
        lines += ["    " + json.dumps(row) + ("," if j < len(r["rows"]) - 1 else "") for j, row in enumerate(r["rows"])]
        lines.append('   ],')
        lines.append('   "totals": ' + json.dumps(r["totals"]))
        lines.append('  }' + ("," if i < len(result) - 1 else ""))
    lines += [' }', '}']
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    for name, r in result.items():
        print(name, r["totals"])


main()
