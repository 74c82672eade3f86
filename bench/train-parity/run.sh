#!/usr/bin/env bash
# Trainer parity and speed vs a plain PyTorch loop (Debian python3-torch), same dataset, hyperparameters,
# epochs and thread count, measured in one run. Writes results/<model>.{ours.csv,torch.jsonl} and RESULTS.md.
#   bench/train-parity/run.sh [threads=1] [models="cnn_micro cnn_tiny vit_micro"]
# OURS_ENV="NAME=value ..." sets variables for our side only, e.g. OURS_ENV="NSMT_ONEDNN=on ONEDNN_MAX_CPU_ISA=SSE41"
# times libtorch's oneDNN, capped to an instruction set it computes correctly on a CPU where it is wrong otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-1}
models=${2:-"cnn_micro cnn_tiny vit_micro"}
out=bench/train-parity/results
mkdir -p "$out"
dotnet build stages/Train -c Release -nologo -v quiet >/dev/null
# shellcheck disable=SC2086
train="env ${OURS_ENV:-} dotnet stages/Train/bin/Release/net10.0/Train.dll"
data=data/simple_saw_16384
source bench/train-parity/settings.sh
[ "${SKIP_ACCURACY:-0}" = 1 ] || for m in $models; do
  e=${epochs[$m]}
  echo "== $m: ours"
  rm -rf "$out/run_$m"
  CI=true $train --experiment "${exp[$m]}" --output "$out/run_$m" trainer.threads="$threads" \
    trainer.min_epochs="$e" trainer.max_epochs="$e" callbacks.early_stopping.enabled=false \
    data.batch_size="${batch[$m]}" model.optimizer.lr="${lr[$m]}" model.optimizer.weight_decay="${wd[$m]}" \
    model.scheduler.patience="${patience[$m]}" logger.tensorboard=false | tail -n 3
  cp "$out/run_$m/metrics.csv" "$out/$m.ours.csv"
  echo "== $m: PyTorch"
  /usr/bin/python3 bench/train-parity/train_torch.py --data "$data" --model "$m" --epochs "$e" --batch "${batch[$m]}" \
    --lr "${lr[$m]}" --wd "${wd[$m]}" --patience "${patience[$m]}" --threads "$threads" > "$out/$m.torch.jsonl"
  tail -n 1 "$out/$m.torch.jsonl"
done
# Speed: short runs alternating ours and PyTorch (1 epoch each, 3 rounds) so both see the same machine load;
# the median of each is reported. SKIP_SPEED=1 / SKIP_ACCURACY=1 run one half (accuracy needs no quiet machine).
[ "${SKIP_SPEED:-0}" = 1 ] && { echo "speed skipped (SKIP_SPEED=1)"; exit 0; }
for m in $models; do
  : > "$out/$m.speed.tsv"
  for round in 1 2 3; do
    CI=true $train --experiment "${exp[$m]}" --output "$out/speed_$m" trainer.threads="$threads" \
      trainer.min_epochs=1 trainer.max_epochs=1 data.batch_size="${batch[$m]}" model.optimizer.lr="${lr[$m]}" \
      model.optimizer.weight_decay="${wd[$m]}" logger.tensorboard=false > /dev/null
    /usr/bin/python3 -c "import json;print('ours', json.load(open('$out/speed_$m/timing.json'))['train_samples_per_second'])" >> "$out/$m.speed.tsv"
    rm -rf "$out/speed_$m"
    /usr/bin/python3 bench/train-parity/train_torch.py --data "$data" --model "$m" --epochs 1 --batch "${batch[$m]}" \
      --lr "${lr[$m]}" --wd "${wd[$m]}" --patience "${patience[$m]}" --threads "$threads" | tail -n 1 \
      | /usr/bin/python3 -c "import json,sys;print('torch', json.load(sys.stdin)['samples_per_s'])" >> "$out/$m.speed.tsv"
  done
  cat "$out/$m.speed.tsv"
done
/usr/bin/python3 bench/train-parity/report.py "$out" "$threads" $models > bench/train-parity/RESULTS.md
cat bench/train-parity/RESULTS.md
