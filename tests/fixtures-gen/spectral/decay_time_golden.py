"""Golden values for Nsmt.Spectral.Data.Features.DecayTime (tests/Nsmt.Spectral.Data.Tests/AuxiliaryFeatureTests.cs).

The template's decay-time measurement (NSMT src/utils/auxiliary_features.py), written here from its definition with
the libraries it uses: torch's conv2d for the 5-frame box smoothing and numpy.polyfit with w=profile for the fit.
Run with the Debian interpreter (python3-torch, python3-numpy): /usr/bin/python3 decay_time_golden.py
"""
import numpy as np
import torch
import torch.nn.functional as F


def synthetic_image(tau, height=32, width=32, frame=0.01, attack_frames=0):
    """uint8 image: rows scaled by (h+1)/H, columns by exp(-t/tau) after a linear attack; round half to even."""
    w = np.arange(width)
    env = np.exp(-np.maximum(w - attack_frames, 0) * frame / tau)
    if attack_frames > 0:
        env[:attack_frames] = (w[:attack_frames] + 1) / (attack_frames + 1)
    rows = (np.arange(height) + 1) / height
    return np.clip(np.round(255 * rows[:, None] * env[None, :]), 0, 255).astype(np.uint8)


def template_decay(image_u8, frame):
    x = torch.from_numpy(image_u8).float().div(255.0)[None, None]  # [1, 1, H, W]
    energy = x.sum(dim=2, keepdim=True)
    kernel = torch.ones(1, 1, 1, 5) / 5
    energy = F.conv2d(energy, kernel, padding=(0, 2))
    profile = energy.expand(-1, -1, x.shape[2], -1).sum(dim=[1, 2])[0].numpy()
    profile = profile / profile.max()
    times = np.arange(profile.shape[0]) * frame
    peak = int(np.argmax(profile))
    p, t = profile[peak:], times[peak:]
    mask = p > 1e-6
    slope = np.polyfit(t[mask], np.log(p[mask]), deg=1, w=p[mask])[0]
    return float(np.clip(np.log10(-1.0 / slope), -3.0, 1.0)) if slope < -1e-6 else -1.0


def profile_fit(profile, frame):
    """The fit alone on an exact exponential (no smoothing): recovers tau."""
    profile = profile / profile.max()
    times = np.arange(profile.shape[0]) * frame
    slope = np.polyfit(times, np.log(profile), deg=1, w=profile)[0]
    return float(np.log10(-1.0 / slope))


for tau in (0.03, 0.1, 0.3, 1.0):
    for attack in (0, 4):
        print(f"image tau={tau} attack={attack}: {template_decay(synthetic_image(tau, attack_frames=attack), 0.01)!r}")
for tau in (0.05, 0.2):
    print(f"profile tau={tau}: {profile_fit(np.exp(-np.arange(32) * 0.01 / tau), 0.01)!r}")
