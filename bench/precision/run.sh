#!/usr/bin/env bash
# bf16-mixed against 32-true on this machine, in one run with the sides alternating: (1) whether libtorch's bfloat16
# convolutions compute right here (against float64, oneDNN on and off); (2) a spectral model (trivial_micro_small:
# cnn_micro on simple_saw) and (3) NAM A1 amp models (AmpTrainBench train), each side's seconds per epoch and final
# validation metric. Timings on a shared machine: compare the ratio within one run, and read the load lines.
#   bench/precision/run.sh [threads=2] [epochs=3] [rounds=2] [amp models="nano standard"]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-2}
epochs=${2:-3}
rounds=${3:-2}
models=${4:-nano standard}
export OMP_WAIT_POLICY=PASSIVE
flock /tmp/nsmt-build.lock dotnet build bench/precision/PrecisionBench -c Release -nologo -v quiet >/dev/null
flock /tmp/nsmt-build.lock dotnet build bench/amp-train/AmpTrainBench -c Release -nologo -v quiet >/dev/null
precision="dotnet bench/precision/PrecisionBench/bin/Release/net10.0/PrecisionBench.dll"
amp="dotnet bench/amp-train/AmpTrainBench/bin/Release/net10.0/AmpTrainBench.dll"
data=$(mktemp -d /tmp/nsmt-precision-bench.XXXXXX)
trap 'rm -rf "$data"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), threads $threads, epochs $epochs, rounds $rounds"
$precision convs --threads "$threads"
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
sides() { ((($1) % 2)) && echo "32-true bf16-mixed" || echo "bf16-mixed 32-true"; }

echo "spectral: trivial_micro_small (cnn_micro), simple_saw 1024 examples, batch 32"
declare -A spectral=()
for round in $(seq "$rounds"); do
  for side in $(sides "$round"); do
    out=$($precision spectral "$data/spectral" --precision "$side" --epochs "$epochs" --size 1024 --threads "$threads" | tail -1)
    echo "  round $round $side: $out (load $(cut -d' ' -f1 /proc/loadavg))"
    spectral[$side]="${spectral[$side]:-} $(echo "$out" | awk '{ print $2 }')"
  done
done
s32=$(median ${spectral[32-true]}); sbf=$(median ${spectral[bf16-mixed]})
echo "  median s/epoch: 32-true $s32, bf16-mixed $sbf, bf16/32 $(awk -v a="$sbf" -v b="$s32" 'BEGIN { printf "%.2f", a / b }')"

$amp prepare "$data/amp" --seconds 12 >/dev/null
for model in $models; do
  echo "amp: A1 $model, 12 s capture, batch 16, ny 8192 (epoch 1 dropped as warm-up)"
  declare -A times=()
  for round in $(seq "$rounds"); do
    for side in $(sides "$round"); do
      out=$($amp train "$data/amp" --model "$model" --epochs "$epochs" --threads "$threads" --precision "$side")
      t=$(echo "$out" | awk '$1 == "epoch" && $2 > 1 { print $4 }')
      esr=$(echo "$out" | awk '$1 == "epoch" { e = $6 } END { print e }')
      echo "  round $round $side: epochs $(echo $t | tr '\n' ' ')s, final val ESR $esr (load $(cut -d' ' -f1 /proc/loadavg))"
      times[$side]="${times[$side]:-} $t"
    done
  done
  a32=$(median ${times[32-true]}); abf=$(median ${times[bf16-mixed]})
  echo "  median s/epoch: 32-true $a32, bf16-mixed $abf, bf16/32 $(awk -v a="$abf" -v b="$a32" 'BEGIN { printf "%.2f", a / b }')"
  unset times
done
