#!/usr/bin/python3
"""Golden values for Nsmt.Amp.Evaluation.Metrics, computed independently with numpy and PyTorch.

Signals (float32, n = 0..N-1, computed in float64 then rounded to float32):
    target[n]     = 0.5*sin(2*pi*440*n/48000) + 0.2*sin(2*pi*1234.5*n/48000 + 0.3)
    prediction[n] = 0.6*tanh(1.5*target[n]) + 0.01*sin(2*pi*7000*n/48000) + 0.003

The multi-resolution STFT distance follows auraloss's MultiResolutionSTFTLoss with NAM's resolutions
(FFT 1024/2048/512, hop 120/240/50, Hann window 600/1200/240), torch.stft centred with reflect padding.

Run:  /usr/bin/python3 tests/fixtures-gen/amp/make_metric_fixtures.py
Writes tests/Nsmt.Amp.Tests/Fixtures/amp_metrics.json.
"""
import json
import os

import numpy as np
import torch

N = 6000
RATE = 48000.0


def signals():
    n = np.arange(N, dtype=np.float64)
    target = 0.5 * np.sin(2 * np.pi * 440 * n / RATE) + 0.2 * np.sin(2 * np.pi * 1234.5 * n / RATE + 0.3)
    target32 = target.astype(np.float32)
    prediction = 0.6 * np.tanh(1.5 * target32.astype(np.float64)) + 0.01 * np.sin(2 * np.pi * 7000 * n / RATE) + 0.003
    return prediction.astype(np.float32), target32


def mrstft(prediction, target):
    total = 0.0
    for n_fft, hop, win in [(1024, 120, 600), (2048, 240, 1200), (512, 50, 240)]:
        window = torch.hann_window(win, dtype=torch.float64)

        def magnitude(x):
            spec = torch.stft(torch.from_numpy(x.astype(np.float64)), n_fft, hop, win, window,
                              center=True, pad_mode="reflect", return_complex=True)
            return torch.sqrt(torch.clamp(spec.real ** 2 + spec.imag ** 2, min=1e-8))

        y, t = magnitude(prediction), magnitude(target)
        sc = torch.linalg.norm(t - y) / torch.linalg.norm(t)
        log_mag = torch.mean(torch.abs(torch.log(y) - torch.log(t)))
        total += float(sc + log_mag)
    return total / 3


def main():
    prediction, target = signals()
    y = prediction.astype(np.float64)
    t = target.astype(np.float64)
    error = y - t
    esr = float(np.sum(error ** 2) / np.sum(t ** 2))
    mse = float(np.mean(error ** 2))
    items = [float(np.sum(error[i:i + 1000] ** 2) / np.sum(t[i:i + 1000] ** 2)) for i in range(0, N, 1000)]
    expected = {
        "n": N,
        "esr_nam": esr,
        "esr_per_item_mean_1000": float(np.mean(items)),
        "esr_pooled": float(mse / (np.mean(t ** 2) + 1e-8)),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "snr_db": float(10 * np.log10(np.sum(t ** 2) / np.sum(error ** 2))),
        "pearson": float(np.corrcoef(y, t)[0, 1]),
        "residual_rms_dbfs": float(10 * np.log10(mse)),
        "dc_error": float((np.mean(t) - np.mean(y)) ** 2 / np.mean(t ** 2)),
        "mrstft": mrstft(prediction, target),
        "first_samples": {"prediction": [float(v) for v in prediction[:4]], "target": [float(v) for v in target[:4]]},
    }
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "Nsmt.Amp.Tests", "Fixtures", "amp_metrics.json")
    with open(out, "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(json.dumps(expected, indent=2))


if __name__ == "__main__":
    main()
