#!/usr/bin/env bash
# Resampler quality and speed: ours vs NAudio's WDL resampler vs sox, one run on this machine.
# Usage: bench/resampler/run.sh [repeats]   (default 5). Writes bench/resampler/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v sox >/dev/null || { echo "needs sox (build/setup.sh installs it)" >&2; exit 1; }
dotnet build bench/resampler -c Release -nologo -v quiet >/dev/null
report=$(dotnet bench/resampler/bin/Release/net10.0/ResamplerBench.dll "${1:-5}")
{
  echo "# Resamplers: ours vs NAudio vs sox ($(sox --version | sed 's/.*SoX //'), $(nproc) cores, $(date -u +%F))"
  echo
  echo "\`bench/resampler/run.sh\`. Test tones at amplitude 0.5, 0.5 s each, analysed over the middle half of the"
  echo "output (away from start-up transients and delays). Ripple: max - min gain over 41 log-spaced tones from"
  echo "20 Hz to 20 kHz. Spurious: RMS of what a least-squares sine fit at the tone's frequency leaves (aliases,"
  echo "images, filter error), relative to the tone, worst over those tones. Stopband: tones from 1.02x the"
  echo "output Nyquist frequency to 0.98x the input's, worst output level (peak-equivalent) below the input's."
  echo
  echo "$report"
} | tee bench/resampler/RESULTS.md
