#!/usr/bin/env bash
# Epoch time of our amp training loop (AmpTrainer, C#) vs a plain PyTorch loop (pytorch_train.py) on the
# same data, batch, window length and thread count, in one run. Prints per model the median train-only
# epoch time of each side (first epoch of each run dropped as warm-up) and the ratio ours / PyTorch.
#   bench/amp-train/run.sh [threads=2] [epochs=4] [rounds=2] [models="seed standard"]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
epochs=${2:-4}
rounds=${3:-2}
models=${4:-seed standard}
# libgomp must not spin on a shared machine (performance-notes.md); both sides read it at start-up.
export OMP_WAIT_POLICY=PASSIVE
flock /tmp/nsmt-build.lock dotnet build bench/amp-train/AmpTrainBench/AmpTrainBench.csproj -c Release -nologo -v quiet >/dev/null
bench="dotnet bench/amp-train/AmpTrainBench/bin/Release/net10.0/AmpTrainBench.dll"
data=$(mktemp -d /tmp/nsmt-amp-bench-data.XXXXXX)
trap 'rm -rf "$data"' EXIT
$bench prepare "$data" >/dev/null
echo "threads $threads, epochs $epochs per run, $rounds rounds (ours and PyTorch alternating), batch 16, ny 8192"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for model in $models; do
  ours=(); theirs=()
  for round in $(seq "$rounds"); do
    # Alternate who goes first so a change in machine load hits both sides alike.
    for side in $( ((round % 2)) && echo "ours torch" || echo "torch ours"); do
      if [ "$side" = ours ]; then
        out=$($bench train "$data" --model "$model" --epochs "$epochs" --threads "$threads")
      else
        out=$(/usr/bin/python3 bench/amp-train/pytorch_train.py "$data" --model "$model" --epochs "$epochs" --threads "$threads")
      fi
      times=$(echo "$out" | awk '$1 == "epoch" && $2 > 1 { print $4 }')
      esr=$(echo "$out" | awk '$1 == "epoch" { e = $6 } END { print e }')
      echo "  $model $side round $round: epochs $(echo $times | tr '\n' ' ')s, final val ESR $esr"
      if [ "$side" = ours ]; then ours+=($times); else theirs+=($times); fi
    done
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
  mo=$(median "${ours[@]}"); mt=$(median "${theirs[@]}")
  echo "$model: ours $mo s/epoch, PyTorch $mt s/epoch, ratio $(awk -v a="$mo" -v b="$mt" 'BEGIN { printf "%.2f", a / b }')x"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
