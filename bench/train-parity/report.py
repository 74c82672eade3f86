#!/usr/bin/python3
"""Builds RESULTS.md from our metrics.csv/summary.json and the PyTorch loop's JSON lines."""
import csv, json, os, statistics, sys, datetime
sys.path.insert(0, os.path.dirname(__file__))
from train_torch import load_split  # noqa: E402

out, threads, models = sys.argv[1], sys.argv[2], sys.argv[3:]
print("# Trainer parity and speed vs plain PyTorch\n")
print(f"simple_saw-16384 (13,107 train / 3,277 validation), seed 12345, {threads} thread(s), one run "
      f"({datetime.date.today()}), `bench/train-parity/run.sh`. Accuracy: best epoch and mean of the last 3 epochs "
      "(accuracy swings between epochs at a fixed rate, see spectral-models.md). Throughput: training samples/s "
      "(validation excluded), both loops doing the same per-step work: median of 3 one-epoch runs each, alternating "
      "ours and PyTorch so both see the same machine load.\n")
info = json.load(open("data/simple_saw_16384/vimh_dataset_info.json"))
_, yva = load_split("data/simple_saw_16384/test", info)
majority = {name: float(yva[:, i].bincount().max()) / yva.shape[0] for i, name in enumerate(info["parameter_names"])}
print("| model | head | ours best | PyTorch best | ours last-3 | PyTorch last-3 | majority baseline |")
print("|---|---|---|---|---|---|---|")
speed = []
for m in models:
    ours = list(csv.DictReader(open(f"{out}/{m}.ours.csv")))
    rows = [json.loads(l) for l in open(f"{out}/{m}.torch.jsonl")]
    torch_rows = [r for r in rows if "epoch" in r]
    summary = [r for r in rows if r.get("summary")][0]
    heads = [k[len("val/"):-len("_acc")] for k in torch_rows[0] if k.startswith("val/") and k.endswith("_acc")]
    for h in heads:
        key = f"val/{h}_acc"
        o = [float(r[key]) for r in ours]
        t = [r[key] for r in torch_rows]
        base = f"{majority[h]:.3f}" + (" (126/127 give identical images)" if h == "note_velocity" else "")
        print(f"| {m} | {h} | {max(o):.3f} | {max(t):.3f} | {sum(o[-3:])/3:.3f} | {sum(t[-3:])/3:.3f} | {base} |")
    runs = [l.split() for l in open(f"{out}/{m}.speed.tsv")]
    speed.append((m, statistics.median(float(v) for k, v in runs if k == "ours"), statistics.median(float(v) for k, v in runs if k == "torch")))
print("\n| model | ours samples/s | PyTorch samples/s | ours / PyTorch |")
print("|---|---|---|---|")
for m, o, t in speed:
    print(f"| {m} | {o:,.0f} | {t:,.0f} | {o/t:.2f}x |")
