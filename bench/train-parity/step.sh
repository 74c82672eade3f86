#!/usr/bin/env bash
# Where a spectral training step's time goes, ours (StepBench) beside PyTorch's loop (step_torch.py), phase by phase
# and layer by layer, thread CPU time and wall time. Alternates the two sides per round; writes
# results/<model>.step.<round>.{ours,torch}.tsv and prints one table per model (last round).
#   bench/train-parity/step.sh [threads=1] [models="cnn_micro cnn_tiny"] [rounds=1]
# Extra Train overrides for our side go in STEP_OVERRIDES (e.g. STEP_OVERRIDES="trainer.deterministic=false").
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-1}
models=${2:-"cnn_micro cnn_tiny"}
rounds=${3:-1}
out=bench/train-parity/results
mkdir -p "$out"
dotnet build bench/train-parity/StepBench -c Release -nologo -v quiet >/dev/null
source bench/train-parity/settings.sh
for m in $models; do
  for round in $(seq "$rounds"); do
    echo "== $m round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2086
    dotnet bench/train-parity/StepBench/bin/Release/net10.0/StepBench.dll --experiment "${exp[$m]}" \
      trainer.threads="$threads" model.optimizer.lr="${lr[$m]}" model.optimizer.weight_decay="${wd[$m]}" \
      ${STEP_OVERRIDES:-} | grep -v '^engine:' > "$out/$m.step.$round.ours.tsv"
    (cd bench/train-parity && /usr/bin/python3 step_torch.py --data ../../data/simple_saw_16384 --model "$m" \
      --lr "${lr[$m]}" --wd "${wd[$m]}" --threads "$threads") > "$out/$m.step.$round.torch.tsv"
  done
  /usr/bin/python3 - "$out/$m.step.$rounds.ours.tsv" "$out/$m.step.$rounds.torch.tsv" <<'PY'
import sys
def read(p):
    rows = {}
    for line in open(p):
        if line.startswith("#"):
            print(line.strip())
            continue
        section, name, cpu, wall = line.rstrip("\n").split("\t")
        rows[(section, name)] = (float(cpu), float(wall))
    return rows
ours, torch = read(sys.argv[1]), read(sys.argv[2])
print("| section | phase or layer | ours CPU ms | PyTorch CPU ms | ours wall ms | PyTorch wall ms |")
print("|---|---|---|---|---|---|")
for key in list(ours) + [k for k in torch if k not in ours]:
    o, t = ours.get(key, (float("nan"),) * 2), torch.get(key, (float("nan"),) * 2)
    print(f"| {key[0]} | {key[1]} | {o[0]:.2f} | {t[0]:.2f} | {o[1]:.2f} | {t[1]:.2f} |")
PY
done
