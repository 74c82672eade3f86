#!/usr/bin/env bash
# Two built checkouts of this repository (OLD, NEW: stages/Train and bench/amp-train/AmpTrainBench built in Release)
# alternated on the same machine: spectral one-epoch runs (train_samples_per_second, 1 thread, run.sh's settings) and
# A1 standard amp epochs (AmpTrainBench train, 2 threads, first epoch dropped). ONEDNN_MAX_CPU_ISA is SSE41 unless set:
# libtorch 2.10's oneDNN computes correctly at that cap on AMD Zen 5, where it is wrong otherwise, so the engine
# self-check keeps it on (auto), as on a healthy CPU (issue 29: "on a healthy machine nothing is switched and no speed
# is lost"). Set ONEDNN_MAX_CPU_ISA=ALL to time the CPU's own path.
# Each checkout needs data/simple_saw_16384, as run.sh does.
#   bench/train-parity/before_after.sh OLD_REPO NEW_REPO [rounds=3]
set -euo pipefail
old=$1; new=$2; rounds=${3:-3}
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-SSE41} OMP_WAIT_POLICY=PASSIVE
source "$(dirname "$0")/settings.sh"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$new" && dotnet stages/Train/bin/Release/net10.0/Train.dll --check-engine 2>&1 | tail -1)
for m in cnn_micro cnn_tiny vit_micro; do
  for r in $(seq "$rounds"); do
    for side in old new; do
      repo=$old; [ $side = new ] && repo=$new
      (cd "$repo" && rm -rf /tmp/healthy_run && CI=true dotnet stages/Train/bin/Release/net10.0/Train.dll --experiment "${exp[$m]}" \
        --output /tmp/healthy_run trainer.threads=1 trainer.min_epochs=1 trainer.max_epochs=1 data.batch_size="${batch[$m]}" \
        model.optimizer.lr="${lr[$m]}" model.optimizer.weight_decay="${wd[$m]}" logger.tensorboard=false >/dev/null 2>&1)
      echo "$m $side $r $(/usr/bin/python3 -c "import json;print(json.load(open('/tmp/healthy_run/timing.json'))['train_samples_per_second'])")"
    done
  done
done
data=$(mktemp -d); trap 'rm -rf "$data" /tmp/healthy_run' EXIT
dotnet "$new/bench/amp-train/AmpTrainBench/bin/Release/net10.0/AmpTrainBench.dll" prepare "$data" >/dev/null
for r in $(seq "$rounds"); do
  for side in old new; do
    repo=$old; [ $side = new ] && repo=$new
    out=$(dotnet "$repo/bench/amp-train/AmpTrainBench/bin/Release/net10.0/AmpTrainBench.dll" train "$data" --model standard --epochs 4 --threads 2 2>&1)
    echo "amp_standard $side $r $(echo "$out" | awk '$1 == "epoch" && $2 > 1 { printf "%s ", $4 } $1 == "epoch" { e = $6 } END { print "esr " e }')"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
