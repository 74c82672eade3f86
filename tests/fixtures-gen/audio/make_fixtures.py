#!/usr/bin/python3
"""Golden data for tests/Nsmt.Audio.Tests, from sources independent of our C# code.

Run with Debian's python3 (it has the python3-torch apt package) from the repository root:
    /usr/bin/python3 tests/fixtures-gen/audio/make_fixtures.py
Writes small JSON files into tests/Nsmt.Audio.Tests/Fixtures/. Tests only read them.

Sources:
  * torch.stft / torch.istft / torch.*_window (float64) for the STFT family;
  * a vectorised numpy transcription of the VIMH spec (shared/specs/vimh.md) for the mel
    filterbank, ADSR and SimpleSawSynth (the C# code is a per-sample loop, written separately);
  * sox (its lowpass/highpass/bandpass/bandreject/allpass/equalizer/bass/treble effects are the
    RBJ cookbook biquads) for biquad impulse responses.
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Nsmt.Audio.Tests", "Fixtures")


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print("wrote", os.path.relpath(path))


def window(kind, n, periodic):
    if kind == "rectangular":
        return torch.ones(n, dtype=torch.float64)
    fn = {"hann": torch.hann_window, "hamming": torch.hamming_window, "blackman": torch.blackman_window}[kind]
    return fn(n, periodic=periodic, dtype=torch.float64)


def stft_cases():
    rng = np.random.default_rng(20240601)
    signal = rng.standard_normal(600)
    cases = []
    configs = [
        # NSMT simple_saw / moog_basic: rectangular 80, no centering, normalized
        dict(n_fft=80, hop=80, win=80, window="rectangular", periodic=False, center=False, pad="reflect", normalized=True, onesided=True),
        # NSMT moog_envelope: 128/64/32 symmetric hann, centrally zero-padded window
        dict(n_fft=128, hop=32, win=64, window="hann", periodic=False, center=False, pad="reflect", normalized=True, onesided=True),
        # torch defaults style: centered with reflect padding, periodic hann
        dict(n_fft=256, hop=64, win=256, window="hann", periodic=True, center=True, pad="reflect", normalized=False, onesided=True),
        # constant padding, two-sided, odd window inside even n_fft
        dict(n_fft=100, hop=25, win=91, window="hamming", periodic=True, center=True, pad="constant", normalized=False, onesided=False),
        # prime n_fft (our Bluestein path), symmetric blackman
        dict(n_fft=97, hop=30, win=97, window="blackman", periodic=False, center=True, pad="reflect", normalized=True, onesided=True),
        # odd composite n_fft 75 = 3*5*5
        dict(n_fft=75, hop=20, win=60, window="hann", periodic=True, center=False, pad="reflect", normalized=False, onesided=True),
    ]
    x = torch.from_numpy(signal)
    for c in configs:
        w = window(c["window"], c["win"], c["periodic"])
        s = torch.stft(x, n_fft=c["n_fft"], hop_length=c["hop"], win_length=c["win"], window=w, center=c["center"],
                       pad_mode=c["pad"], normalized=c["normalized"], onesided=c["onesided"], return_complex=True)
        case = dict(c, bins=s.shape[0], frames=s.shape[1], real=s.real.flatten().tolist(), imag=s.imag.flatten().tolist())
        if c["onesided"] and c["win"] == c["n_fft"] or c["window"] == "hann" and c["center"]:
            try:
                y = torch.istft(s, n_fft=c["n_fft"], hop_length=c["hop"], win_length=c["win"], window=w, center=c["center"],
                                normalized=c["normalized"], onesided=c["onesided"], length=len(signal))
                case["istft"] = y.tolist()
            except RuntimeError:
                pass  # NOLA fails for this window/hop; no istft golden
        cases.append(case)
    dump("stft.json", dict(signal=signal.tolist(), cases=cases))


def windows():
    cases = []
    for kind in ["rectangular", "hann", "hamming", "blackman"]:
        for n in [1, 2, 7, 16]:
            for periodic in [True, False]:
                cases.append(dict(window=kind, length=n, periodic=periodic, values=window(kind, n, periodic).tolist()))
    dump("windows.json", cases)


def mel_bank(sr, n_fft, bands, fmin, fmax):
    # The spec: bands+2 points equally spaced in HTK mel between fmin and fmax, triangles at the
    # FFT bin centres, each normalised to unit area (sum), cropped to ceil(fmax*n_fft/sr) bins.
    mel = lambda f: 1127.0 * np.log1p(f / 700.0)
    peaks_hz = 700.0 * np.expm1(np.linspace(mel(fmin), mel(fmax), bands + 2) / 1127.0)
    peaks_bin = peaks_hz * n_fft / sr
    n_bins = min(n_fft // 2 + 1, int(np.ceil(fmax * n_fft / sr)))
    k = np.arange(n_bins)[:, None]
    left, centre, right = peaks_bin[:-2], peaks_bin[1:-1], peaks_bin[2:]
    tri = np.maximum(0.0, np.minimum((k - left) / (centre - left), (k - right) / (centre - right)))
    tri /= tri.sum(axis=0)
    return tri.T  # [band][bin]


def mels():
    cases = []
    for sr, n_fft, bands in [(8000, 128, 24), (8000, 256, 32), (16000, 512, 40)]:
        fmin, fmax = 40.0, 0.9 * sr / 2
        cases.append(dict(sample_rate=sr, n_fft=n_fft, bands=bands, fmin=fmin, fmax=fmax,
                          weights=mel_bank(sr, n_fft, bands, fmin, fmax).tolist()))
    dump("mel.json", cases)


def adsr(n, sr, attack, decay, sustain, release):
    a, d, r = int(attack * sr), int(decay * sr), int(release * sr)
    if a + d + r > n:
        scale = n / (a + d + r)
        a, d, r = int(a * scale), int(d * scale), int(r * scale)
    s = max(0, n - a - d - r)
    parts = [np.linspace(0.0, 1.0, a), np.linspace(1.0, sustain, d), np.full(s, sustain)]
    start = sustain if s > 0 else (1.0 if d == 0 else parts[1][-1])
    parts.append(np.linspace(start, 0.0, r))
    env = np.concatenate(parts)
    env = np.concatenate([env, np.zeros(n - len(env))])
    return env.astype(np.float32)


def saw(sr, duration, note, velocity, log10_decay, filt=None):
    n = int(duration * sr)
    t = np.arange(n, dtype=np.float64) / sr
    f = 440.0 * 2.0 ** ((note - 69.0) / 12.0)
    phase = f * t - 0.5
    phase -= np.floor(phase)
    y = (velocity / 127.0) * (2.0 * phase - 1.0) * np.exp(-t / 10.0 ** log10_decay)
    if filt is not None:
        if filt["amount"] != 0:
            env = adsr(n, sr, filt["attack"], filt["decay"], filt["sustain"], filt["release"]).astype(np.float64)
            fc_all = filt["cutoff"] * 2.0 ** (filt["amount"] * env)
        else:
            fc_all = np.full(n, filt["cutoff"])
        s = np.zeros(4)
        d3 = 0.0
        out = np.zeros(n)
        for i in range(n):
            fc = min(max(fc_all[i], 20.0), 0.45 * sr)
            res = min(max(filt["resonance"], 0.0), 0.99)
            a = 1.0 / (1.0 + 2.0 * np.tan(np.pi * fc / sr))
            u = y[i] - 4.0 * res * d3
            for j in range(4):
                s[j] = (1 - a) * u + a * s[j]
                u = np.tanh(s[j])
            d3 = u
            out[i] = u
        y = out
    return y.astype(np.float32)


def synths():
    adsr_cases = []
    for n, sr, a, d, s, r in [(8000, 8000, 0.01, 0.1, 0.3, 0.2), (1000, 8000, 0.1, 0.1, 0.5, 0.1),
                              (100, 1000, 0.0, 0.0, 0.7, 0.05), (50, 1000, 0.02, 0.0, 0.4, 0.04), (37, 100, 0.1, 0.2, 0.6, 0.0)]:
        adsr_cases.append(dict(n=n, sample_rate=sr, attack=a, decay=d, sustain=s, release=r,
                               values=adsr(n, sr, a, d, s, r).tolist()))
    saw_cases = []
    for note, vel, dec, filt in [
        (43.35, 127, -0.3, None),
        (60.0, 100, 0.0, None),
        (43.35, 110, -1.0, dict(cutoff=500.0, resonance=0.5, attack=0.01, decay=0.1, sustain=0.3, release=0.2, amount=0.0)),
        (48.0, 120, 0.3, dict(cutoff=150.0, resonance=0.85, attack=0.05, decay=0.1, sustain=0.2, release=0.1, amount=3.0)),
        (40.0, 127, 0.5, dict(cutoff=2000.0, resonance=0.95, attack=0.0, decay=0.0, sustain=1.0, release=0.0, amount=1.5)),
    ]:
        saw_cases.append(dict(sample_rate=8000, duration=0.15, note_number=note, note_velocity=vel, log10_decay_time=dec,
                              filter=filt, values=saw(8000, 0.15, note, vel, dec, filt).tolist()))
    dump("synth.json", dict(adsr=adsr_cases, saw=saw_cases))


def biquads():
    sr = 48000
    impulse = np.zeros(256, dtype=np.float32)
    impulse[0] = 0.5
    cases = []
    # (our type, sox effect args, frequency, Q, gain dB)
    specs = [
        ("LowPass", ["lowpass", "-2", "1000", "0.707q"], 1000, 0.707, 0),
        ("HighPass", ["highpass", "-2", "3000", "2q"], 3000, 2.0, 0),
        ("BandPass", ["bandpass", "2000", "1.5q"], 2000, 1.5, 0),
        ("Notch", ["bandreject", "5000", "3q"], 5000, 3.0, 0),
        ("AllPass", ["allpass", "700", "0.9q"], 700, 0.9, 0),
        ("Peaking", ["equalizer", "1200", "1.2q", "6"], 1200, 1.2, 6),
        ("LowShelf", ["bass", "-4", "250", "0.8q"], 250, 0.8, -4),
        ("HighShelf", ["treble", "5", "6000", "0.6q"], 6000, 0.6, 5),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.f32")
        impulse.tofile(src)
        for kind, args, freq, q, gain in specs:
            dst = os.path.join(tmp, "out.f32")
            subprocess.run(["sox", "-D", "-t", "f32", "-r", str(sr), "-c", "1", src, "-t", "f32", dst] + args, check=True)
            response = np.fromfile(dst, dtype=np.float32) / 0.5
            cases.append(dict(type=kind, sample_rate=sr, frequency=freq, q=q, gain_db=gain, impulse_response=response.tolist()))
    dump("biquad.json", cases)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    stft_cases()
    windows()
    mels()
    synths()
    biquads()
