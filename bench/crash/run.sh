#!/usr/bin/env bash
# Crash consistency of the pipeline, on the real stages of one spectral experiment, through the command line.
#   1. For each stage (generate, train, evaluate, diagram, compare): run it once more uninterrupted (--force) to
#      time it and to learn whether it is byte-deterministic (the same bytes as the run before), then kill the
#      pipeline with SIGKILL at N random moments spread over that time (stratified: one moment in each N-th of
#      it), each time rerunning plainly afterwards. After every rerun: the rerun succeeds, the killed stage's
#      outputs (if it is deterministic) and every stage before it are byte-identical to the uninterrupted run,
#      and `status` says nothing would run. Any failure of these is a mismatch.
#   2. Full disk: data/ on a small tmpfs (a copy of the dataset, a few hundred kB free), then generate asked for
#      a 16x larger dataset: the run must fail with an error naming the stage and the cause, and leave the
#      previous dataset byte-identical and `status` clean. Needs root (mount); skipped otherwise.
# Writes bench/crash/RESULTS.md. Changes the workspace's data/ and artifacts/ like a normal run.
# Usage: bench/crash/run.sh [N] [EXPERIMENT]    (N kills per stage, default 20; EXPERIMENT default quick)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
n="${1:-20}"
exp="${2:-quick}"
cli=(dotnet src/Nsmt.Pipeline.Cli/bin/Release/net10.0/nsmt-pipeline.dll)
data_key=$(sed -n 's/^  data: *//p' "configs/experiment/$exp.yaml" | head -1)
data_dir=$(sed -n 's/^dir: *//p' "configs/data/$data_key.yaml")
stages=("generate@$data_key" "train@$exp" "evaluate@$exp" "diagram@$exp" "compare")
declare -A outs=(
  ["generate@$data_key"]="$data_dir" ["train@$exp"]="artifacts/runs/$exp" ["evaluate@$exp"]="artifacts/eval/$exp"
  ["diagram@$exp"]="artifacts/diagrams/$exp" ["compare"]="artifacts/report")
log="$(mktemp)"; work="$(mktemp -d)"
mnt=""
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$log" "$work"; }
trap cleanup EXIT

dotnet build build/pipeline-programs.proj -nologo -v quiet >/dev/null
run() { "${cli[@]}" run --experiment "$exp" "$@" >"$log" 2>&1; }
# Files that record wall-clock measurements by design (Train's timing.json and TensorBoard event file, named by
# the time too) are left out; everything else of a deterministic stage must match byte for byte.
tree_hash() {
  if [ -e "$1" ]; then
    (cd "$1" && find . -type f ! -name timing.json ! -name 'events.out.tfevents.*' | LC_ALL=C sort | xargs -r sha256sum) | sha256sum | cut -c1-16
  else
    echo missing
  fi
}
now() { date +%s.%N; }
# Clean: status's summary line says "N up to date, 0 would run".
status_clean() { "${cli[@]}" status --experiment "$exp" >"$work/status" 2>&1 && grep -qE '^[0-9]+ up to date, 0 would run$' "$work/status"; }
# Stage programs of this workspace still alive (they die with the pipeline through the parent-death signal).
stage_processes() {
  local p
  for p in $(pgrep -f 'bin/Release/net10.0/[A-Za-z]*\.dll' || true); do
    [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$root" ] && ! grep -q nsmt-pipeline "/proc/$p/cmdline" 2>/dev/null && echo "$p"
  done
  return 0
}

run || { cat "$log"; exit 1; }
status_clean || { echo "status is not clean after a plain run:"; cat "$work/status"; exit 1; }

results="| stage | byte-deterministic | uninterrupted run (s, first measured) | kills during the run | runs finished before the kill | reruns that failed | output mismatches | status not clean |
|---|---|---|---|---|---|---|---|"
total_kills=0; total_bad=0
for s in "${stages[@]}"; do
  before=$(tree_hash "${outs[$s]}")
  start=$(now); run --stage "$s" --force || { cat "$log"; exit 1; }; end=$(now)
  duration=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'); measured=$duration
  deterministic=no; [ "$(tree_hash "${outs[$s]}")" = "$before" ] && deterministic=yes
  run || { cat "$log"; exit 1; }
  declare -A reference=()
  for t in "${stages[@]}"; do reference[$t]=$(tree_hash "${outs[$t]}"); done

  # Moments run over the measured time; a run that had already finished at its moment does not count as a kill,
  # and the measured time shrinks to that moment (the first measurement can be slow on a busy machine).
  kills=0; late=0; failed=0; mismatches=0; unclean=0; attempts=0
  while [ "$kills" -lt "$n" ] && [ "$attempts" -lt $((3 * n)) ]; do
    attempts=$((attempts + 1)); i=$((kills + 1))
    at=$(awk -v d="$duration" -v i="$i" -v n="$n" -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.3f", d * (i - 1 + rand()) / n }')
    "${cli[@]}" run --experiment "$exp" --stage "$s" --force >"$work/killed.log" 2>&1 &
    pid=$!
    sleep "$at"
    if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); else late=$((late + 1)); duration=$at; fi
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -z "$(stage_processes)" ] && break; sleep 0.1; done
    if ! run; then
      failed=$((failed + 1)); echo "  $s kill $i at ${at}s: rerun failed:"; tail -5 "$log"; continue
    fi

    bad=""
    for t in "${stages[@]}"; do
      if [ "$t" = "$s" ]; then
        [ "$deterministic" = yes ] && [ "$(tree_hash "${outs[$t]}")" != "${reference[$t]}" ] && bad="$bad $t"
        break
      fi
      [ "$(tree_hash "${outs[$t]}")" != "${reference[$t]}" ] && bad="$bad $t"
    done
    [ -n "$bad" ] && { mismatches=$((mismatches + 1)); echo "  $s kill $i at ${at}s: outputs differ from the uninterrupted run:$bad"; }
    status_clean || { unclean=$((unclean + 1)); echo "  $s kill $i at ${at}s: status not clean:"; cat "$work/status"; }
  done
  echo "$s: deterministic=$deterministic, ${measured}s, $kills kills, $late finished first, $failed failed reruns, $mismatches mismatches, $unclean unclean"
  results="$results
| $s | $deterministic | $measured | $kills | $late | $failed | $mismatches | $unclean |"
  total_kills=$((total_kills + kills)); total_bad=$((total_bad + failed + mismatches + unclean))
  unset reference
done

disk="not run (needs root to mount a tmpfs)"
if [ "$(id -u)" = 0 ]; then
  gen="generate@$data_key"
  previous=$(tree_hash "$data_dir")
  used_kb=$(du -sk data | cut -f1)
  mnt="$root/data"
  cp -a data/. "$work/data-copy"
  mount -t tmpfs -o "size=$((used_kb + 512))k" tmpfs "$mnt"
  cp -a "$work/data-copy/." "$mnt/"
  size=$(( $(sed -n 's/^size: *//p' "configs/data/$data_key.yaml") * 16 ))
  if run --stage "$gen" --set "generate:dataset.size=$size"; then
    disk="FAILED: generate of $size samples succeeded on a $((used_kb + 512)) kB tmpfs"
  else
    message=$(grep -m1 -iE 'no space|space left' "$log" || tail -1 "$log")
    intact=no; [ "$(tree_hash "$data_dir")" = "$previous" ] && intact=yes
    clean=no; status_clean && clean=yes
    disk="generate of $size samples with data/ on a $((used_kb + 512)) kB tmpfs: failed with \`${message//|/\\|}\`; previous dataset intact: $intact; status clean: $clean"
  fi
  umount "$mnt"; mnt=""
  run || { cat "$log"; exit 1; }
fi
echo "full disk: $disk"

cat >bench/crash/RESULTS.md <<MD
# Crash consistency (bench/crash/run.sh)

Experiment \`$exp\`, $n SIGKILLs of the pipeline command line per stage at random moments spread over an
uninterrupted run of that stage, each followed by a plain rerun; $(date -u +%Y-%m-%d), $(nproc) cores.
A mismatch is a failed rerun, outputs of a byte-deterministic killed stage or of any stage before it that differ
from the uninterrupted run, or \`status\` not clean afterwards. Compared: every file of the stage's outputs except
those that record wall-clock time by design (Train's \`timing.json\` and TensorBoard event file). Compare's report
is not byte-deterministic (it prints the time it was generated and embeds the lock file), so for it only the rerun
and \`status\` are checked. "Finished before the kill": the random moment fell
after the command had already exited (not counted as a kill; the next moments are drawn over the shorter time).

$results

Kills that landed while the pipeline ran: $total_kills; mismatches of any kind: $total_bad.

Full disk: $disk.
MD
echo "kills: $total_kills, mismatches: $total_bad (bench/crash/RESULTS.md)"
[ "$total_bad" = 0 ]
