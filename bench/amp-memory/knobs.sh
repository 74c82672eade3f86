#!/bin/bash
# Resident memory of a knob run against the recordings' length (issue 23 item 13, knob training): a DI of the given
# lengths in seconds (default 60 and 240; Amp capture, 48 kHz) reamped by the reference amp at gain_db 0, 6, 12 and 18
# (Amp reamp --set), trained with configs/amp/knobs_files.yaml (gain_db=6 held out, LSTM standard, one thread) for a
# 25 s budget. Prints the peak RSS (/usr/bin/time -v) and the largest RSS once training has started (polled every 0.2 s).
# Usage: bench/amp-memory/knobs.sh [LABEL] [SECONDS...]   (build stages/Amp and stages/AmpTrain -c Release first)
# AMPTRAIN=path/to/AmpTrain.dll runs another build's trainer on the same recordings (e.g. main's, from git archive).
set -eu
label=${1:-now}; shift || true
lengths=${*:-60 240}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/amp-memory/rss.sh"
work=${BENCH_DIR:-/tmp/nsmt-knob-memory}
mkdir -p "$work"
amp="dotnet $root/stages/Amp/bin/Release/net10.0/Amp.dll"
amptrain=${AMPTRAIN:-$root/stages/AmpTrain/bin/Release/net10.0/AmpTrain.dll}
for s in $lengths; do
  [ -f "$work/di$s.wav" ] || $amp capture -o "$work/di$s.wav" --seconds "$s" >/dev/null
  for g in 0 6 12 18; do
    [ -f "$work/re${s}_g$g.wav" ] || $amp reamp "$work/di$s.wav" -o "$work/re${s}_g$g.wav" --latency 40 --set "gain_db=$g" >/dev/null
  done
  config=$work/knobs$s.yaml
  sed -e "s|data/amp/di.wav|$work/di$s.wav|" -e "s|data/amp/amp_gain\([0-9]*\)\.wav|$work/re${s}_g\1.wav|" \
    "$root/configs/amp/knobs_files.yaml" >"$config"
  run=$work/run_${label}_$s
  rm -rf "$run"
  measure_rss "$label" "$s" "knob model:" dotnet "$amptrain" \
    --config "$config" --plain --threads 1 -o "$run" --time 25s training.epochs=1
done
echo "load: $(cat /proc/loadavg)"
