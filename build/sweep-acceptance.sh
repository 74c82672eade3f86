#!/usr/bin/env bash
# Measures the sweep and executor acceptance criteria on the real stages (experiment quick, a 6-trial grid):
#   1. wall time of the sweep with --jobs 1 and --jobs 2 (every stage forced to run), and their ratio
#   2. the same sweep through Slurm (build/slurm-local.sh start first): the ranked metrics table must be identical
#   3. the driver killed with SIGKILL mid-sweep, then rerun: finished trials are skipped, the rest run, and the
#      result equals an uninterrupted sweep's
# Usage: build/sweep-acceptance.sh   (changes the workspace's artifacts like a normal run)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(dotnet src/Nsmt.Pipeline.Cli/bin/Release/net10.0/nsmt-pipeline.dll)
grid=(--experiment quick --sweep model.optimizer.lr=1e-3,3e-3,1e-2 --sweep model=cnn_micro,cnn_tiny)
log="$(mktemp)"; tables="$(mktemp -d)"
trap 'rm -rf "$log" "$tables"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
sweep() { "${cli[@]}" sweep "$@" >"$log" 2>&1 || { tail -40 "$log"; exit 1; }; }

dotnet build build/pipeline-programs.proj -nologo -v quiet >/dev/null
sweep "${grid[@]}"   # warm: dataset generated, programs loaded once from disk
echo "== 1. local, every stage forced"
for jobs in 1 2; do
  start=$(now); sweep "${grid[@]}" --force --jobs "$jobs"; end=$(now)
  eval "wall$jobs=$(secs "$start" "$end")"
  cp artifacts/sweeps/quick/trials.tsv "$tables/local-$jobs.tsv"
  echo "--jobs $jobs: $(grep -c ': ran in' "$log") stages ran, wall $(secs "$start" "$end") s"
done
echo "ratio --jobs 1 / --jobs 2: $(awk -v a="$wall1" -v b="$wall2" 'BEGIN { printf "%.2f", a / b }')"

echo "== 2. through Slurm"
if timeout 5 sinfo -h >/dev/null 2>&1; then
  start=$(now); sweep "${grid[@]}" --force --executor slurm --jobs 2; end=$(now)
  echo "slurm --jobs 2: $(grep -c ': ran in' "$log") stages ran as $(grep -c 'slurm job [0-9]* submitted' "$log") jobs, wall $(secs "$start" "$end") s"
  echo "metrics per trial identical to the local run: $(cmp -s "$tables/local-1.tsv" artifacts/sweeps/quick/trials.tsv && echo yes || echo NO)"
else
  echo "skipped: no Slurm answers (build/slurm-local.sh start)"
fi

echo "== 3. SIGKILL mid-sweep, then rerun"
# Learning rates not used before, so no trial of this grid is in the lock or the run cache yet.
lrs="0.00$((RANDOM % 9000 + 1000)),0.00$((RANDOM % 9000 + 1000)),0.0$((RANDOM % 900 + 100))"
fresh=(--experiment quick --sweep "model.optimizer.lr=$lrs" --sweep model=cnn_micro,cnn_tiny --sweep-name killed)
"${cli[@]}" sweep "${fresh[@]}" --jobs 2 >"$log" 2>&1 &
pid=$!
while [ "$(grep -c 'train@quick.trial-[0-9a-f]*: ran in' "$log" || true)" -lt 3 ]; do sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
echo "killed after $(grep -c ': ran in' "$log" || true) stages had finished ($(grep -c 'train@quick.trial-[0-9a-f]*: ran in' "$log") trainings); temporary directories left: $(ls .cache/pipeline/tmp 2>/dev/null | wc -l)"
sweep "${fresh[@]}" --jobs 2
echo "rerun: $(grep -c ': ran in' "$log") stages ran, $(grep -c 'train@.*: running' "$log") of them trainings; $(grep -c ': up to date' "$log") up to date, $(grep -c ': restored from cache' "$log") restored"
cp artifacts/sweeps/killed/trials.tsv "$tables/resumed.tsv"
sweep "${fresh[@]}" --jobs 2 --force
echo "trial table equal to an uninterrupted (forced) sweep's: $(cmp -s "$tables/resumed.tsv" artifacts/sweeps/killed/trials.tsv && echo yes || echo NO)"
