#!/usr/bin/env bash
# Issue 27's measurements (bench/quality/RESULTS.md, "Auxiliary scalar inputs"): each pair is the same config, seed
# and data with and without the auxiliary input. Runs two trainings at a time on one thread each.
# Usage: bench/quality/auxiliary.sh [epochs of the 16k pair, default 30 as the template's experiment]
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS_16K="${1:-30}"
dotnet build stages/Train -c Release -nologo -v quiet
train() { dotnet stages/Train/bin/Release/net10.0/Train.dll "$@" trainer.threads=1 logger.tensorboard=false; }
out=logs/bench-auxiliary
mkdir -p "$out"
# Level without losing decay: min-max images (decay as NSMT sees it) + the record's level as an auxiliary scalar.
( train --experiment velocity_tiny_minmax '+data.auxiliary_features=[rms_db]' task_name=velocity_minmax_rms_db > "$out/velocity_minmax_rms_db.log" 2>&1
  train --experiment velocity_tiny_minmax task_name=velocity_minmax > "$out/velocity_minmax.log" 2>&1
  train --experiment velocity_tiny_minmax '+data.auxiliary_features=[rms_db,decay_time]' task_name=velocity_minmax_rms_db_decay_plain > "$out/velocity_minmax_rms_db_decay_plain.log" 2>&1
  train --experiment velocity_tiny_level task_name=velocity_tiny_level > "$out/velocity_tiny_level.log" 2>&1
  # velocity_tiny_level's control (the same config, seed and data without the scalars) and the two-channel images.
  train --experiment velocity_tiny_minmax data.batch_size=32 task_name=velocity_tiny_minmax_b32 > "$out/velocity_tiny_minmax_b32.log" 2>&1
  train --experiment velocity_tiny data.batch_size=32 task_name=velocity_tiny_b32 > "$out/velocity_tiny_b32.log" 2>&1
  train --experiment velocity_tiny_both task_name=velocity_tiny_both > "$out/velocity_tiny_both.log" 2>&1
  train --experiment velocity_tiny_both data.batch_size=64 task_name=velocity_tiny_both_b64 > "$out/velocity_tiny_both_b64.log" 2>&1 ) &
# The template's auxiliary_cnn_16kdss against the same model without the auxiliary input.
( train --experiment auxiliary_cnn_16kdss trainer.max_epochs="$EPOCHS_16K" task_name=aux16k > "$out/aux16k.log" 2>&1
  train --experiment auxiliary_cnn_16kdss 'data.auxiliary_features=[]' trainer.max_epochs="$EPOCHS_16K" task_name=aux16k_without > "$out/aux16k_without.log" 2>&1 ) &
wait
grep -h "acc_best\|test" "$out"/*.log | tail -n 40 || true
