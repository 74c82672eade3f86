#!/usr/bin/python3
"""Golden values for AudioComparisonTests (numpy, float64): two deterministic clips, the second delayed by
5 samples and scaled, with a cosine term; prints MSE, RMSE, SNR dB, Pearson r, max normalised cross-correlation."""
import numpy as np
n = 1000
i = np.arange(n)
t = (np.sin(2 * np.pi * 13 * i / n) + 0.3 * np.sin(2 * np.pi * 71 * i / n)).astype(np.float32).astype(np.float64)
p = (0.8 * np.sin(2 * np.pi * 13 * (i - 5) / n) + 0.1 * np.cos(2 * np.pi * 29 * i / n)).astype(np.float32).astype(np.float64)
e = t - p
mse = np.mean(e ** 2)
snr = 10 * np.log10(np.sum(t ** 2) / np.sum(e ** 2))
r = np.corrcoef(t, p)[0, 1]
xc = np.max(np.correlate(p, t, mode="full")) / np.sqrt(np.sum(t ** 2) * np.sum(p ** 2))
print(f"mse={mse!r} rmse={np.sqrt(mse)!r} snr={snr!r} r={r!r} xcorr={xc!r}")
