#!/bin/bash
# A1 vs A2 on the built-in reference amp (bench/amp-a2/RESULTS.md): trains the main job's A1 experiment
# (configs/amp/first_amp.yaml, 12 epochs) and our A2 recipe packed (configs/amp/a2.yaml, both widths) for the same
# 12 epochs, then times each model through our streaming engine (blocks of 64) on 30 s of DI, in interleaved rounds.
#   bench/amp-a2/run.sh OUT_DIR DI_30S.wav
# Build first: dotnet build stages/AmpTrain -c Release; dotnet build stages/Amp -c Release.
set -euo pipefail
out=${1:?OUT_DIR}; di=${2:?DI_30S.wav}
root=$(cd "$(dirname "$0")/../.." && pwd)
train="dotnet $root/stages/AmpTrain/bin/Release/net10.0/AmpTrain.dll"
amp="dotnet $root/stages/Amp/bin/Release/net10.0/Amp.dll"
cd "$root"
$train --config configs/amp/first_amp.yaml --output "$out/a1" --plain > "$out/a1.log" 2>&1
$train --config configs/amp/a2.yaml --output "$out/a2_packed" --plain training.epochs=12 > "$out/a2_packed.log" 2>&1
for round in 1 2 3; do
  for m in "a1 $out/a1/model.nam 1" "a2_full $out/a2_packed/model.nam 1" "a2_lite $out/a2_packed/model.nam 0.3"; do
    set -- $m
    echo "round $round $1: $($amp process "$di" -o "$out/out_$1.wav" --model "$2" --size "$3" --block 64 --overwrite 2>&1 | grep '^time')"
  done
done | tee "$out/rtf.txt"
