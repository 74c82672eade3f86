#!/usr/bin/python3
"""Straightforward numpy/PyTorch generation of the simple_saw dataset (NSMT's approach: one
torch.stft per sample), used as the baseline for bench/generate/run.sh.
Usage: /usr/bin/python3 bench/generate/python_baseline.py N OUTDIR  -> prints "samples_per_second X"."""
import os
import struct
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)  # tiny STFTs: intra-op threading only adds overhead (this favours the baseline)
n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
sr, dur, h, w = 8000, 1.0, 32, 32
rng = np.random.default_rng(42)
window = torch.ones(80)
start = time.perf_counter()
records = []
t = np.arange(int(dur * sr), dtype=np.float64) / sr
f = 440.0 * 2.0 ** ((43.35 - 69.0) / 12.0)
for i in range(n):
    vel = rng.uniform(126, 127)
    dec = rng.uniform(-2.0, 0.3)
    phase = f * t - 0.5
    phase -= np.floor(phase)
    audio = ((vel / 127.0) * (2.0 * phase - 1.0) * np.exp(-t / 10.0 ** dec)).astype(np.float32)
    with torch.no_grad():
        s = torch.stft(torch.from_numpy(audio), n_fft=80, hop_length=80, win_length=80, window=window,
                       center=False, normalized=True, return_complex=True).abs()
        db = (torch.log10(torch.clamp(s, min=1e-10)) * 20.0)[1:h + 1, :w].numpy()
    lo, hi = float(db.min()), float(db.max())
    img = np.clip(np.round((db - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    qv = max(0, min(255, int((vel - 126) / 1 * 255)))
    qd = max(0, min(255, int((dec + 2.0) / 2.3 * 255)))
    records.append(struct.pack("<HHHffBBBBB", h, w, 1, lo, hi, 2, 0, qv, 1, qd) + img.tobytes())
split = int(0.8 * n)
with open(os.path.join(out, "train"), "wb") as fh:
    fh.write(b"".join(records[:split]))
with open(os.path.join(out, "test"), "wb") as fh:
    fh.write(b"".join(records[split:]))
elapsed = time.perf_counter() - start
print(f"python: {n} samples in {elapsed:.2f} s")
print(f"samples_per_second {n / elapsed:.1f}")
