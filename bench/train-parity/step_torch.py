#!/usr/bin/python3
"""PyTorch's side of the step breakdown (bench/train-parity/step.sh runs it beside StepBench).

train_torch.py's training step phase by phase, with the same phases and output as StepBench: batch gather, each
layer's forward, the summed head losses, zero_grad, backward, Adam's step, loss.item() and the per-head accuracy counts;
epoch 1 is a warm-up, the later phased epochs are averaged, the last epoch runs the step whole. Then every layer alone,
forward and forward + backward, on its input shape from the step. Prints tab-separated
"section name thread_cpu_ms wall_ms" lines (per step, or per layer call).
"""
import argparse, statistics, sys, time
import torch
import torch.nn.functional as F
from train_torch import MODELS, load_split, prepare, train_step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--wd", type=float, required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args()
    if a.epochs < 3:
        ap.error("--epochs: at least 3 (a warm-up, a timed phased epoch, a whole-step epoch)")
    info, heads, model = prepare(a)
    xtr, ytr = load_split(f"{a.data}/train", info)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.wd)
    layers = [(f"{part}.{i} {type(m).__name__}", m) for part in ("features", "shared")
              for i, m in enumerate(getattr(model, part))]
    head_modules = list(model.heads.items())
    n, b = xtr.shape[0], a.batch
    steps = (n + b - 1) // b
    totals, order, shapes = {}, [], {}
    phased = 0

    def timed(name, record, body):
        c, w = time.thread_time_ns(), time.perf_counter_ns()
        result = body()
        if record:
            if name not in totals:
                order.append(name)
                totals[name] = [0.0, 0.0]
            totals[name][0] += (time.thread_time_ns() - c) / 1e6
            totals[name][1] += (time.perf_counter_ns() - w) / 1e6
        return result

    def accuracy(out, y):
        with torch.no_grad():
            return sum(out[name].argmax(1).eq(y[:, h]).sum().item() for h, (name, _) in enumerate(heads))

    def line(section, name, cpu, wall):
        print(f"{section}\t{name}\t{cpu:.3f}\t{wall:.3f}", flush=True)

    print(f"# {a.model}: {steps} steps of {b}, threads {torch.get_num_threads()}, PyTorch {torch.__version__}")
    model.train()
    for epoch in range(a.epochs):
        perm = torch.randperm(n)
        whole = epoch == a.epochs - 1
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        for s in range(0, n, b):
            record = epoch > 0 and not whole
            idx = perm[s:s + b]
            if whole:
                train_step(model, opt, heads, xtr[idx], ytr[idx])
                continue
            x, y = timed("batch (index_select)", record, lambda: (xtr[idx], ytr[idx]))
            for name, m in layers:
                shapes[name] = x.shape
                x = timed("fwd " + name, record, lambda: m(x))
            out = {}
            for name, head in head_modules:
                shapes["head " + name] = x.shape
                out[name] = timed(f"fwd head {name}", record, lambda: head(x))
            loss = timed("loss (heads summed)", record,
                         lambda: sum(F.cross_entropy(out[name], y[:, h]) for h, (name, _) in enumerate(heads)))
            timed("zero_grad", record, opt.zero_grad)
            timed("backward", record, loss.backward)
            timed("optimizer step", record, opt.step)
            timed("loss.item", record, loss.item)
            timed("accuracy counts (.item per head)", record, lambda: accuracy(out, y))
            # Python frees the step's tensors when the names are rebound; timed here as StepBench times its scope.
            timed("dispose scope", record, lambda: [None for _ in ()])
            phased += record
        line("epoch", f"{epoch + 1} {'whole step' if whole else 'phased'}",
             (time.thread_time_ns() - c0) / 1e6 / steps, (time.perf_counter_ns() - w0) / 1e6 / steps)
    for name in order:
        line("step", name, totals[name][0] / phased, totals[name][1] / phased)
    line("step", "sum", sum(t[0] for t in totals.values()) / phased, sum(t[1] for t in totals.values()) / phased)

    def median(body):
        for _ in range(5):
            body()
        cpu, wall = [], []
        for _ in range(a.repeats):
            c, w = time.thread_time_ns(), time.perf_counter_ns()
            for _ in range(10):
                body()
            cpu.append((time.thread_time_ns() - c) / 1e7)
            wall.append((time.perf_counter_ns() - w) / 1e7)
        return statistics.median(cpu), statistics.median(wall)

    for i, (name, m) in enumerate(layers + [("head " + k, h) for k, h in head_modules]):
        inp = torch.randn(shapes[name]).requires_grad_(i > 0)

        def both():
            o = m(inp)
            o.backward(torch.ones_like(o))
            if inp.grad is not None:
                inp.grad.zero_()

        line("layer fwd", name, *median(lambda: m(inp)))
        line("layer fwd+bwd", name, *median(both))


if __name__ == "__main__":
    sys.exit(main())
