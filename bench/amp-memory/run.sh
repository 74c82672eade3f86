#!/bin/bash
# Resident memory of AmpTrain against the recording's length (issue 23 item 13): capture/reamp pairs of the given
# lengths in seconds (default a 1-minute and a 10-minute pair; Amp capture + Amp reamp, 48 kHz, kept in BENCH_DIR),
# each trained for a 25 s budget (nano, one thread).
# Prints the peak RSS (/usr/bin/time -v) and the largest RSS once training has started (polled every 0.2 s).
# REAMP_RATE=44100 converts each reamp to that rate with sox (the DI stays at 48 kHz, the model's rate), so AmpTrain
# resamples it back while loading (data.resample=true).
# Usage: bench/amp-memory/run.sh [LABEL] [SECONDS...]   (build stages/Amp and stages/AmpTrain -c Release first)
set -eu
label=${1:-now}; shift || true
lengths=${*:-60 600}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/amp-memory/rss.sh"
work=${BENCH_DIR:-/tmp/nsmt-amp-memory}
mkdir -p "$work"
amp="dotnet $root/stages/Amp/bin/Release/net10.0/Amp.dll"
for s in $lengths; do
  [ -f "$work/di$s.wav" ] || { $amp capture -o "$work/di$s.wav" --seconds "$s" >/dev/null; $amp reamp "$work/di$s.wav" -o "$work/re$s.wav" --latency 40 >/dev/null; }
  reamp=$work/re$s.wav resample=()
  if [ -n "${REAMP_RATE:-}" ]; then
    reamp=$work/re${s}_$REAMP_RATE.wav resample=(data.resample=true)
    [ -f "$reamp" ] || sox "$work/re$s.wav" -r "$REAMP_RATE" "$reamp"
  fi
  run=$work/run_${label}_$s
  rm -rf "$run"
  measure_rss "$label" "$s" "model:" dotnet "$root/stages/AmpTrain/bin/Release/net10.0/AmpTrain.dll" \
    --config "$root/configs/amp/files.yaml" --plain --threads 1 -o "$run" --time 25s \
    "data.di=$work/di$s.wav" "data.reamp=$reamp" "${resample[@]}" model.preset=nano training.epochs=1
done
echo "load: $(cat /proc/loadavg)"
