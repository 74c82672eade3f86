#!/usr/bin/python3
"""Golden VIMH data for tests/Nsmt.Spectral.Data.Tests, made the way NSMT's Python generator makes it.

Run from the repository root with Debian's python3 (python3-torch):
    /usr/bin/python3 tests/fixtures-gen/audio/make_vimh_fixtures.py

For a handful of configurations and explicit parameter values this writes the record NSMT would
write (torch.stft in float32, symmetric windows, normalized, HTK mel bank, round-half-even 8-bit
scaling, envelope channels with torch conv2d), plus the vimh_dataset_info.json that NSMT's
save_vimh_dataset writes for configs/synth/simple_saw.yaml (json.dump, indent=4).
Outputs go to tests/Nsmt.Spectral.Data.Tests/Fixtures/.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import saw  # noqa: E402  (spec transcription of SimpleSawSynth + Moog + ADSR)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Nsmt.Spectral.Data.Tests", "Fixtures")


def window(kind, n):
    if kind == "rectangular":
        return torch.ones(n)
    return {"hann": torch.hann_window, "hamming": torch.hamming_window, "blackman": torch.blackman_window}[kind](n, periodic=False)


def mel_bank(sr, n_fft, bands, fmin, fmax):
    min_mel = 1127 * np.log1p(fmin / 700.0)
    max_mel = 1127 * np.log1p(fmax / 700.0)
    peaks_mel = torch.linspace(min_mel, max_mel, bands + 2)
    peaks_bin = 700 * torch.expm1(peaks_mel / 1127) * n_fft / sr
    n_bins = min(n_fft // 2 + 1, int(np.ceil(fmax * n_fft / float(sr))))
    x = torch.arange(n_bins, dtype=peaks_bin.dtype)[:, None]
    l, c, r = peaks_bin[0:-2], peaks_bin[1:-1], peaks_bin[2:]
    tri = torch.clamp(torch.min((x - l) / (c - l), (x - r) / (c - r)), min=0)
    return tri / tri.sum(0)


def image(cfg, audio):
    x = torch.from_numpy(audio).float()
    if len(x) < cfg["n_fft"]:
        x = F.pad(x, (0, cfg["n_fft"] - len(x)))
    s = torch.stft(x, n_fft=cfg["n_fft"], hop_length=cfg["hop"], win_length=cfg["n_window"], window=window(cfg["window"], cfg["n_window"]),
                   center=False, normalized=True, return_complex=True).abs()
    if cfg["type"] == "mel":
        bank = mel_bank(cfg["sr"], cfg["n_fft"], cfg["h"], 40.0, 0.9 * cfg["sr"] / 2)
        s = (s.T[:, : bank.shape[0]] @ bank).T
    db = torch.log10(torch.clamp(s, min=1e-10)) * 20.0
    db = db[: cfg["h"], : cfg["w"]] if cfg["type"] == "mel" else db[1 : cfg["h"] + 1, : cfg["w"]]
    d = db.numpy()
    lo, hi = float(d.min()), float(d.max())
    gray = np.clip(np.round((d - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    env = cfg.get("envelopes")
    if not env:
        return np.stack([gray] * cfg["c"]), lo, hi
    spec = torch.from_numpy(gray.astype(np.float32))[None, None]  # [1,1,H,W]
    H, W = gray.shape
    t = spec.sum(dim=2, keepdim=True)
    if W >= 5:
        t = F.conv2d(t, torch.ones(1, 1, 1, 5) / 5, padding=(0, 2))
    t = t.expand(-1, -1, H, -1)
    sp = spec.mean(dim=3, keepdim=True)
    if H >= 7:
        sp = F.conv2d(sp, torch.ones(1, 1, 7, 1) / 7, padding=(3, 0))
    sp = sp.expand(-1, -1, -1, W)
    base = spec
    if env["normalize"]:
        base = base / (t + 1e-10) / (sp + 1e-10)
    chans = [base] + ([t] if env["temporal"] else []) + ([sp] if env["spectral"] else [])
    stack = torch.cat(chans, dim=1)[0].numpy()
    lo, hi = float(stack.min()), float(stack.max())
    return ((stack - lo) / (hi - lo) * 255.0).astype(np.uint8), lo, hi


def record(cfg, values):
    p = dict(cfg["fixed"], **values)
    filt = None
    if p.get("filter_enabled", 0):
        filt = dict(cutoff=p.get("filter_cutoff", 1000.0), resonance=p.get("filter_resonance", 0.0),
                    attack=p.get("filter_env_attack", 0.01), decay=p.get("filter_env_decay", 0.1),
                    sustain=p.get("filter_env_sustain", 0.3), release=p.get("filter_env_release", 0.2),
                    amount=p.get("filter_env_amount", 0.0))
    audio = saw(cfg["sr"], cfg["dur"], p.get("note_number", 69.0), p.get("note_velocity", 100.0), p.get("log10_decay_time", -0.301), filt)
    if cfg.get("pre_emphasis", 0) > 0:
        audio = np.append(audio[0], audio[1:] - cfg["pre_emphasis"] * audio[:-1]).astype(np.float32)
    img, lo, hi = image(cfg, audio)
    c = img.shape[0]
    out = struct.pack("<HHH", cfg["h"], cfg["w"], c) + struct.pack("<ff", lo, hi) + struct.pack("B", len(cfg["varying"]))
    for i, (name, mn, mx) in enumerate(cfg["varying"]):
        q = max(0, min(255, int((values[name] - mn) / (mx - mn) * 255)))
        out += struct.pack("BB", i, q)
    return out + img.tobytes()


SAW = dict(sr=8000, dur=1.0, h=32, w=32, c=1, n_fft=80, n_window=80, hop=80, window="rectangular", type="stft",
           fixed={"note_number": 43.35}, varying=[("note_velocity", 126, 127), ("log10_decay_time", -2.0, 0.3)])
MOOG = dict(SAW, fixed={"note_number": 43.35, "filter_enabled": 1},
            varying=[("note_velocity", 100, 127), ("log10_decay_time", -1.0, 0.0), ("filter_cutoff", 200, 2000), ("filter_resonance", 0.0, 0.9)])
ENV = dict(sr=8000, dur=2.0, h=32, w=64, c=1, n_fft=128, n_window=64, hop=32, window="hann", type="stft", fixed={"filter_enabled": 1},
           varying=[("note_number", 36, 60), ("note_velocity", 100, 127), ("log10_decay_time", 0.0, 0.6), ("filter_cutoff", 80, 400),
                    ("filter_resonance", 0.3, 0.85), ("filter_env_attack", 0.0, 0.3), ("filter_env_decay", 0.1, 1.5),
                    ("filter_env_sustain", 0.0, 0.6), ("filter_env_release", 0.1, 1.0), ("filter_env_amount", 1.0, 4.0)])

CASES = [
    ("saw_worked_sample", SAW, {"note_velocity": 127, "log10_decay_time": -0.3}),
    ("saw_short_decay", SAW, {"note_velocity": 126.2, "log10_decay_time": -1.77}),
    ("saw_rgb", dict(SAW, c=3), {"note_velocity": 126.7, "log10_decay_time": 0.05}),
    ("saw_mel_preemphasis", dict(SAW, type="mel", n_fft=256, n_window=256, hop=80, pre_emphasis=0.97), {"note_velocity": 126.5, "log10_decay_time": -0.9}),
    ("saw_hamming_blackman", dict(SAW, window="hamming", n_fft=96, n_window=80, hop=64), {"note_velocity": 126.9, "log10_decay_time": 0.2}),
    ("saw_envelopes", dict(SAW, envelopes=dict(temporal=True, spectral=True, normalize=False)), {"note_velocity": 126.3, "log10_decay_time": -0.5}),
    ("saw_normalized", dict(SAW, envelopes=dict(temporal=True, spectral=True, normalize=True)), {"note_velocity": 126.3, "log10_decay_time": -0.5}),
    ("saw_temporal", dict(SAW, envelopes=dict(temporal=True, spectral=False, normalize=False)), {"note_velocity": 127, "log10_decay_time": -1.2}),
    ("moog_basic", MOOG, {"note_velocity": 110, "log10_decay_time": -0.4, "filter_cutoff": 700, "filter_resonance": 0.6}),
    ("moog_envelope", ENV, {"note_number": 48, "note_velocity": 120, "log10_decay_time": 0.3, "filter_cutoff": 160, "filter_resonance": 0.75,
                            "filter_env_attack": 0.1, "filter_env_decay": 0.5, "filter_env_sustain": 0.3, "filter_env_release": 0.4, "filter_env_amount": 2.5}),
]


def simple_saw_info():
    # NSMT's save_vimh_dataset for configs/synth/simple_saw.yaml, 256 samples.
    params = {"note_number": {"min_value": 43.35, "max_value": 43.35, "description": "Fixed note number (~100 Hz)"},
              "note_velocity": {"min_value": 126, "max_value": 127, "step": 0.5},
              "log10_decay_time": {"min_value": -2.0, "max_value": 0.3, "step": 0.1}}
    names = [n for n, p in params.items() if p["min_value"] != p["max_value"]]
    mappings, fixed = {}, {}
    for n, p in params.items():
        mappings[n] = {"min": p["min_value"], "step": p.get("step", (p["max_value"] - p["min_value"]) / 16), "max": p["max_value"],
                       "description": f"simple parameter: {n}"}
        if p["min_value"] == p["max_value"]:
            fixed[n] = {"value": p["min_value"], "description": p.get("description", f"Fixed {n}")}
    duration, sr, h, w, c, size = 1.0, 8000, 32, 32, 1, 256
    name = f"vimh-{h}x{w}x{c}_{sr}Hz_{f'{duration}s'.replace('.', 'p')}_{size}dss_simple_{len(names)}p"
    return {
        "format": "VIMH", "version": "2.1", "dataset_name": name, "output_format": "binary", "height": h, "width": w, "channels": c,
        "channel_labels": ["Gray"], "varying_parameters": len(names), "parameter_names": names,
        "train_samples": int(0.8 * size), "test_samples": size - int(0.8 * size), "total_samples": size, "n_samples": size,
        "sample_rate": sr, "duration": duration, "synth_type": "simple", "image_size": f"{h}x{w}x{c}",
        "parameter_mappings": mappings, "fixed_parameters": fixed, "pre_emphasis_coefficient": 0.0,
        "spectrogram_config": {"sample_rate": sr, "type": "stft", "n_fft": 80, "n_window": 80, "hop_length": 80, "window_type": "rectangular",
                               "bins_per_harmonic": 1.0, "n_bins": h, "method": "efficient_leaf"},
        "mel_config": {"freq_min": 40.0, "freq_max_ratio": 0.9},
        "label_encoding": {
            "format": "[height] [width] [channels] [spec_min] [spec_max] [N] [param1_id] [param1_val] [param2_id] [param2_val] ...",
            "metadata_bytes": 14,
            "scale_factors": {"spec_min": "float32 - minimum dB value before normalization", "spec_max": "float32 - maximum dB value before normalization"},
            "N_range": [0, 255], "param_id_range": [0, 255], "param_val_range": [0, 255]},
    }, name


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, cfg, values in CASES:
        rec = record(cfg, values)
        with open(os.path.join(OUT, name + ".rec"), "wb") as f:
            f.write(rec)
        manifest.append({"name": name, "values": values})
        print("wrote", name, len(rec), "bytes")
    with open(os.path.join(OUT, "records.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    info, dirname = simple_saw_info()
    with open(os.path.join(OUT, "simple_saw_info.json"), "w") as f:
        json.dump(info, f, indent=4)
    floats = [0.1, 1e-05, 1.5e-07, 1e16, 123456789012345.0, 1234567890123456.0, -0.0, 43.35, 2.3, 0.3 - 2.0, 1/3, 5e-324, 1.7976931348623157e308, 100.0, 0.0001]
    with open(os.path.join(OUT, "python_float_repr.json"), "w") as f:
        json.dump([[struct.unpack("<Q", struct.pack("<d", x))[0], repr(x)] for x in floats], f)
