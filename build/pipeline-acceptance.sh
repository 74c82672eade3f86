#!/usr/bin/env bash
# Measures the pipeline's acceptance criteria on the real stages, through the pipeline command line (so .NET/Cake
# start-up is visible separately from the pipeline's own work). Changes the workspace's artifacts like a normal run.
#   1. a run with nothing changed runs no stage (as `dotnet cake` does it: one call per phase)
#   2. changing one Train parameter reruns Train and what follows, not Generate
#   3. touching a dependency's mtime without changing bytes reruns nothing
#   4. setting the parameter back restores the old outputs from the run cache
#   5. killing the pipeline in the middle of a stage, then rerunning, reruns that stage only and gives the
#      same outputs as an uninterrupted run (shown on Generate, whose output is byte-deterministic)
# Usage: build/pipeline-acceptance.sh [EXPERIMENT]   (default: quick)
set -euo pipefail
cd "$(dirname "$0")/.."
exp="${1:-quick}"
cli=(dotnet src/Nsmt.Pipeline.Cli/bin/Release/net10.0/nsmt-pipeline.dll)
phases=(Generate Train Evaluate Diagram Report)
param="model.optimizer.lr=0.00$((RANDOM % 9000 + 1000))"   # a value not in the run cache yet, so Train really runs
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

dotnet build build/pipeline-programs.proj -nologo -v quiet >/dev/null
run() { "${cli[@]}" run --experiment "$exp" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }; }
summary() { grep -E '^pipeline: [0-9]+ stages' "$log" | sed 's/^pipeline: //'; }
stages_that() { grep -E "^pipeline: [^ ]+: $1" "$log" | sed -E 's/^pipeline: ([^:]+):.*/\1/' | tr '\n' ' '; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
train_dir="artifacts/runs/$exp"

run
echo "== 1. nothing changed (one command per phase to one process, as dotnet cake does)"
start=$(now)
for p in "${phases[@]}"; do printf 'run\t--experiment\t%s\t--phase\t%s\n' "$exp" "$p"; done | "${cli[@]}" serve --done-marker "done: " >"$log" 2>&1
end=$(now)
work=$(sed -n 's/.*pipeline work \([0-9]*\) ms.*/\1/p' "$log" | awk '{ t += $1 } END { print t / 1000 }')
echo "stages run: $(grep -c ': running' "$log" || true); pipeline work (summed over the ${#phases[@]} phases): ${work} s; wall incl. .NET start-up: $(secs "$start" "$end") s"
start=$(now); run; end=$(now)
echo "one command for the whole graph: $(summary); wall $(secs "$start" "$end") s"

echo "== 2. one Train parameter changed ($param)"
run --set "$param"
echo "ran: $(stages_that running)| up to date: $(stages_that 'up to date')| restored: $(stages_that restored)"

echo "== 3. a dependency touched, bytes unchanged"
find data -type f -exec touch {} +
start=$(now); run --set "$param"; end=$(now)
echo "ran: $(stages_that running)| $(summary); wall $(secs "$start" "$end") s"

echo "== 4. parameter set back"
start=$(now); run; end=$(now)
echo "restored: $(stages_that restored)| ran: $(stages_that running)| $(summary); wall $(secs "$start" "$end") s"

echo "== 5. killed with SIGKILL in the middle of a stage, then rerun"
# Generate is byte-deterministic, so its rerun must reproduce an uninterrupted run exactly. A size not used before,
# and its cached result removed, so the stage really runs each time.
size=$((2048 + RANDOM % 1024)); gen="generate@$(sed -n 's/^  data: *//p' "configs/experiment/$exp.yaml" | head -1)"
data_hash() { (cd "data/$(sed -n 's/^  data: *//p' "configs/experiment/$exp.yaml" | head -1)" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16; }
run --stage generate --set "generate:dataset.size=$size"
reference=$(data_hash)
fingerprint=$(awk -v s="  $gen:" '$0 == s { found = 1 } found && /fingerprint:/ { print $2; exit }' artifacts/pipeline.lock)
rm -f ".cache/pipeline/runs/$fingerprint"
run --stage generate
"${cli[@]}" run --experiment "$exp" --stage generate --set "generate:dataset.size=$size" >"$log" 2>&1 &
pid=$!
while ! grep -q "$gen: running" "$log"; do sleep 0.02; done
sleep 0.3
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
sleep 0.3
echo "after SIGKILL during $gen: stage processes left: $(pgrep -f 'Generate.dll' || echo none); dataset still the previous one: $([ "$(data_hash)" != "$reference" ] && echo yes || echo no)"
run --set "generate:dataset.size=$size"
echo "rerun: ran: $(stages_that running)| up to date: $(stages_that 'up to date')| restored: $(stages_that restored)"
echo "dataset equal to the uninterrupted run: $([ "$(data_hash)" == "$reference" ] && echo yes || echo NO)"

# Train: the rerun redoes Train only (and what reads its outputs); Status is clean afterwards.
run --set "$param"
rm -f ".cache/pipeline/runs/$(awk -v s="  train@$exp:" '$0 == s { found = 1 } found && /fingerprint:/ { print $2; exit }' artifacts/pipeline.lock)"
run
"${cli[@]}" run --experiment "$exp" --set "$param" >"$log" 2>&1 &
pid=$!
while [ ! -d ".cache/pipeline/tmp/train@$exp/$train_dir" ]; do sleep 0.05; done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
sleep 0.3
echo "after SIGKILL during train@$exp: stage processes left: $(pgrep -f "Train.dll --experiment $exp" || echo none)"
run --set "$param"
echo "rerun: ran: $(stages_that running)| up to date: $(stages_that 'up to date')| restored: $(stages_that restored)"
"${cli[@]}" status --experiment "$exp" --set "$param" | tail -1
run
