#!/bin/bash
# Issue 26's acceptance on the built-in reference amp (bench/amp-knobs/RESULTS.md): one knob-conditioned WaveNet
# (configs/amp/knobs_wavenet.yaml) trained for BUDGET seconds over all of its settings, then the baseline: one
# knob-less WaveNet of the same architecture (A1 feather) per trained setting, on the same 12 s capture, each for
# BUDGET / (trained settings) seconds, so both sides spend the same total time. Prints the load before each side.
# FAMILY lstm does the same for the conditioned LSTM (configs/amp/knobs.yaml) against one plain LSTM of the same
# size (configs/amp/lstm.yaml) per trained setting.
#   bench/amp-knobs/run.sh OUT_DIR [BUDGET_SECONDS=600] [FAMILY=wavenet|lstm]
# Build first: dotnet build stages/AmpTrain -c Release.
set -euo pipefail
out=${1:?OUT_DIR}; budget=${2:-600}; family=${3:-wavenet}
case "$family" in
  wavenet) knob_config=configs/amp/knobs_wavenet.yaml
           baseline=(--config configs/amp/default.yaml model.preset=feather training.threads=2) ;;
  lstm)    knob_config=configs/amp/knobs.yaml; baseline=(--config configs/amp/lstm.yaml) ;;
  *) echo "FAMILY must be wavenet or lstm, got $family" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
train="dotnet $root/stages/AmpTrain/bin/Release/net10.0/AmpTrain.dll"
cd "$root"
mkdir -p "$out"
echo "knob model: load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"
$train --config "$knob_config" --time "${budget}s" --output "$out/knobs" --plain > "$out/knobs.log" 2>&1
held='gain_db=6,mid_db=0 gain_db=12,mid_db=4'
settings=()
for g in 0 6 12 18; do for m in -4 0 4; do
  case " $held " in *" gain_db=$g,mid_db=$m "*) ;; *) settings+=("$g $m");; esac
done; done
each=$(( budget / ${#settings[@]} ))
echo "per-setting baseline (${#settings[@]} x ${each} s): load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
for s in "${settings[@]}"; do
  set -- $s
  $train "${baseline[@]}" --time "${each}s" --output "$out/per_setting_g$1_m$2" --plain \
    data.seconds=12 data.validation_seconds=2 data.amp.gain_db=$1 data.amp.mid_db=$2 \
    > "$out/per_setting_g$1_m$2.log" 2>&1 || echo "per-setting gain_db=$1 mid_db=$2 failed (see its log)"
done
echo "done: load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
grep -h "validation ESR\|Validation ESR" "$out/knobs.log"
for s in "${settings[@]}"; do set -- $s; echo "per-setting gain_db=$1,mid_db=$2: $(grep -o '"validation_esr": [0-9.eE-]*' "$out/per_setting_g$1_m$2/summary.json" | head -1)"; done
