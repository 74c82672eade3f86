#!/usr/bin/python3
"""Plain PyTorch reference loop for the trainer parity/speed benchmark (Debian python3-torch).

Trains the template's SimpleCNN or VisionTransformer on a VIMH dataset with the same hyperparameters as our
Train stage (Adam with L2 weight decay, ReduceLROnPlateau on val/loss, batch size, epochs, inputs / 255,
one cross-entropy per head summed) and prints one JSON line per epoch plus a summary line.
Work per step matches ours: forward, loss, backward, step, loss.item() and per-head train accuracy.
"""
import argparse, json, math, struct, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_split(path, info):
    h, w, c = info["height"], info["width"], info["channels"]
    names = info["parameter_names"]
    n_params = len(names)
    record = 15 + 2 * n_params + h * w * c
    raw = np.fromfile(path, dtype=np.uint8)
    assert raw.size % record == 0, f"{path}: size {raw.size} not a multiple of {record}"
    rec = raw.reshape(-1, record)
    images = rec[:, 15 + 2 * n_params:].reshape(-1, c, h, w)
    labels = np.zeros((rec.shape[0], n_params), dtype=np.int64)
    for p in range(n_params):
        ids = rec[:, 15 + 2 * p]
        q = rec[:, 16 + 2 * p].astype(np.float64)
        m = info["parameter_mappings"][names[p]]
        lo, hi, step = m["min"], m["max"], m["step"]
        value = lo + q / 255.0 * (hi - lo)
        classes = int(round((hi - lo) / step)) + 1
        cls = np.clip(np.round((value - lo) / step), 0, classes - 1).astype(np.int64)
        labels[np.arange(rec.shape[0]), ids] = cls
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels)


class SimpleCNN(nn.Module):
    def __init__(self, c_in, c1, c2, fc, dropout, input_size, heads):
        super().__init__()
        pool = 7 if input_size // 4 == 7 else 4
        self.features = nn.Sequential(
            nn.Conv2d(c_in, c1, 3, padding=1), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(pool))
        self.shared = nn.Sequential(nn.Flatten(), nn.Linear(c2 * pool * pool, fc), nn.ReLU(), nn.Dropout(dropout))
        self.heads = nn.ModuleDict({name: nn.Linear(fc, n) for name, n in heads})

    def forward(self, x):
        z = self.shared(self.features(x))
        return {k: head(z) for k, head in self.heads.items()}


class Attention(nn.Module):
    def __init__(self, e, heads):
        super().__init__()
        self.h, self.d = heads, e // heads
        self.q, self.k, self.v, self.o = (nn.Linear(e, e) for _ in range(4))

    def forward(self, x):
        b, n, e = x.shape
        q = self.q(x).view(b, n, self.h, self.d).transpose(1, 2)
        k = self.k(x).view(b, n, self.h, self.d).transpose(1, 2)
        v = self.v(x).view(b, n, self.h, self.d).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.d), dim=-1)
        return self.o((a @ v).transpose(1, 2).reshape(b, n, e))


class Block(nn.Module):
    def __init__(self, e, heads, mul, dropout):
        super().__init__()
        self.n1, self.attn, self.n2 = nn.LayerNorm(e), Attention(e, heads), nn.LayerNorm(e)
        self.fc1, self.fc2 = nn.Linear(e, e * mul), nn.Linear(e * mul, e)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.n1(x)))
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.n2(x)))))


class ViT(nn.Module):
    def __init__(self, c_in, h, w, patch, e, layers, heads_a, mul, dropout, heads):
        super().__init__()
        n = (h // patch) * (w // patch)
        self.patch = nn.Conv2d(c_in, e, patch, stride=patch)
        self.pos = nn.Parameter(torch.zeros(1, n, e))
        self.cls = nn.Parameter(torch.zeros(1, 1, e))
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(e, heads_a, mul, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(e)
        self.heads = nn.ModuleDict({name: nn.Sequential(nn.Linear(e, e), nn.Tanh(), nn.Linear(e, k)) for name, k in heads})
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2) + self.pos
        t = self.drop(torch.cat([self.cls.expand(t.shape[0], -1, -1), t], dim=1))
        for blk in self.blocks:
            t = blk(t)
        z = self.norm(t)[:, 0]
        return {k: head(z) for k, head in self.heads.items()}


MODELS = {
    "cnn_micro": lambda c, h, w, heads: SimpleCNN(c, 8, 16, 32, 0.2, h, heads),
    "cnn_tiny": lambda c, h, w, heads: SimpleCNN(c, 16, 32, 64, 0.3, h, heads),
    "cnn_64k": lambda c, h, w, heads: SimpleCNN(c, 64, 128, 512, 0.5, h, heads),
    "vit_micro": lambda c, h, w, heads: ViT(c, h, w, 8, 32, 2, 4, 2, 0.2, heads),
    "vit_tiny": lambda c, h, w, heads: ViT(c, h, w, 4, 64, 3, 4, 2, 0.3, heads),
}


def prepare(a):
    """Threads, seed, the dataset's info, its heads (name, classes) and the model: what every loop here starts from.
    Loading the splits after it draws nothing from the seeded generator."""
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    info = json.load(open(f"{a.data}/vimh_dataset_info.json"))
    heads = []
    for name in info["parameter_names"]:
        m = info["parameter_mappings"][name]
        heads.append((name, int(round((m["max"] - m["min"]) / m["step"])) + 1))
    return info, heads, MODELS[a.model](info["channels"], info["height"], info["width"], heads)


def train_step(model, opt, heads, x, y):
    """One step: forward, the heads' cross-entropies summed, backward, Adam, loss.item() and the per-head correct
    counts (as our trainer logs train accuracy); returns the loss."""
    out = model(x)
    loss = sum(F.cross_entropy(out[name], y[:, h]) for h, (name, _) in enumerate(heads))
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        for h, (name, _) in enumerate(heads):
            out[name].argmax(1).eq(y[:, h]).sum().item()
    return loss.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--wd", type=float, required=True)
    ap.add_argument("--patience", type=int, required=True)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    info, heads, model = prepare(a)
    xtr, ytr = load_split(f"{a.data}/train", info)
    xva, yva = load_split(f"{a.data}/test", info)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.wd)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1, patience=a.patience)
    n = xtr.shape[0]
    total_time, total_samples = 0.0, 0
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        loss_sum = 0.0
        for s in range(0, n, a.batch):
            idx = perm[s:s + a.batch]
            x, y = xtr[idx], ytr[idx]
            loss_sum += train_step(model, opt, heads, x, y) * x.shape[0]
        dt = time.perf_counter() - t0
        total_time += dt
        total_samples += n
        model.eval()
        correct = [0] * len(heads)
        val_loss = 0.0
        with torch.no_grad():
            for s in range(0, xva.shape[0], a.batch):
                x, y = xva[s:s + a.batch], yva[s:s + a.batch]
                out = model(x)
                val_loss += sum(F.cross_entropy(out[name], y[:, h]) for h, (name, _) in enumerate(heads)).item() * x.shape[0]
                for h, (name, _) in enumerate(heads):
                    correct[h] += out[name].argmax(1).eq(y[:, h]).sum().item()
        val_loss /= xva.shape[0]
        sched.step(val_loss)
        row = {"epoch": epoch, "train_loss": loss_sum / n, "val_loss": val_loss, "samples_per_s": n / dt}
        for h, (name, _) in enumerate(heads):
            row[f"val/{name}_acc"] = correct[h] / xva.shape[0]
        print(json.dumps(row), flush=True)
    print(json.dumps({"summary": True, "samples_per_s": total_samples / total_time}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
