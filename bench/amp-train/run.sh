#!/usr/bin/env bash
# Epoch time of our amp training loop (AmpTrainer, C#) vs a plain PyTorch loop (pytorch_train.py) on the
# same data, batch, window length and thread count, in one run. Prints per model the median train-only
# epoch time of each side (first epoch of each run dropped as warm-up) and the ratio ours / PyTorch, for each
# oneDNN setting of ours (ONEDNN_MODES, default "on off": libtorch's oneDNN kernels and its own). A setting the
# engine self-check refuses on this CPU (wrong float32 kernels, exit 4) is reported as refused, not timed.
#   bench/amp-train/run.sh [threads=2] [epochs=4] [rounds=2] [models="seed standard"]
# OURS_ENV="NAME=value ..." sets variables for our side only: OURS_ENV="ONEDNN_MAX_CPU_ISA=SSE41" caps libtorch's oneDNN
# to an instruction set it computes correctly on AMD Zen 5 (issue 29), so that "on" is a correct path there too.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
epochs=${2:-4}
rounds=${3:-2}
models=${4:-seed standard}
modes=${ONEDNN_MODES:-on off}
# libgomp must not spin on a shared machine (performance-notes.md); both sides read it at start-up.
export OMP_WAIT_POLICY=PASSIVE
flock /tmp/nsmt-build.lock dotnet build bench/amp-train/AmpTrainBench/AmpTrainBench.csproj -c Release -nologo -v quiet >/dev/null
bench="dotnet bench/amp-train/AmpTrainBench/bin/Release/net10.0/AmpTrainBench.dll"
data=$(mktemp -d /tmp/nsmt-amp-bench-data.XXXXXX)
trap 'rm -rf "$data"' EXIT
$bench prepare "$data" >/dev/null
echo "threads $threads, epochs $epochs per run, $rounds rounds (ours and PyTorch alternating), batch 16, ny 8192"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for model in $models; do
  theirs=()
  declare -A ours=() refused=()
  for round in $(seq "$rounds"); do
    # Alternate who goes first so a change in machine load hits both sides alike.
    for side in $( ((round % 2)) && echo "ours torch" || echo "torch ours"); do
      if [ "$side" = torch ]; then
        out=$(/usr/bin/python3 bench/amp-train/pytorch_train.py "$data" --model "$model" --epochs "$epochs" --threads "$threads")
        times=$(echo "$out" | awk '$1 == "epoch" && $2 > 1 { print $4 }')
        esr=$(echo "$out" | awk '$1 == "epoch" { e = $6 } END { print e }')
        echo "  $model PyTorch round $round: epochs $(echo $times | tr '\n' ' ')s, final val ESR $esr"
        theirs+=($times)
        continue
      fi
      for mode in $modes; do
        [ -n "${refused[$mode]:-}" ] && continue
        set +e
        # shellcheck disable=SC2086
        out=$(env ${OURS_ENV:-} NSMT_ONEDNN=$mode $bench train "$data" --model "$model" --epochs "$epochs" --threads "$threads" 2>&1)
        rc=$?
        set -e
        if [ "$rc" = 4 ]; then
          refused[$mode]=1
          echo "  $model ours oneDNN $mode: refused by the engine self-check: $(echo "$out" | grep -m1 'engine:' | cut -c1-200)"
          continue
        fi
        [ "$rc" = 0 ] || { echo "$out" >&2; exit "$rc"; }
        times=$(echo "$out" | awk '$1 == "epoch" && $2 > 1 { print $4 }')
        esr=$(echo "$out" | awk '$1 == "epoch" { e = $6 } END { print e }')
        echo "  $model ours oneDNN $mode round $round: epochs $(echo $times | tr '\n' ' ')s, final val ESR $esr"
        ours[$mode]="${ours[$mode]:-} $times"
      done
    done
  done
  mt=$(median "${theirs[@]}")
  for mode in $modes; do
    if [ -n "${refused[$mode]:-}" ]; then
      echo "$model, oneDNN $mode: refused on this CPU; PyTorch $mt s/epoch"
      continue
    fi
    # shellcheck disable=SC2086
    mo=$(median ${ours[$mode]})
    echo "$model, oneDNN $mode: ours $mo s/epoch, PyTorch $mt s/epoch, ratio $(awk -v a="$mo" -v b="$mt" 'BEGIN { printf "%.2f", a / b }')x"
  done
  unset ours refused
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
