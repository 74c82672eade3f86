#!/usr/bin/env bash
# Long runs of the real trainers with resident memory (VmRSS) sampled over the run, to catch leaks that only show
# after thousands of steps (tests/Engine.Tests/MemoryTests.cs covers a plain model's loop; this covers Trainer and
# AmpTrainer with data loading, validation, checkpoints and logging).
#   spectral: the Train stage program on experiment quick's dataset, batch size 1, EPOCHS x 200 steps (default
#             100 x 200 = 20,000 steps), validation and checkpoints every epoch as usual
#   amp:      the AmpTrain stage program, quick_amp with the nano WaveNet on a 12 s capture, for AMP_SECONDS of wall time
#             (default 180)
# RSS is sampled every 0.5 s; steps are placed on the time axis by the trainer's per-epoch lines (each epoch's
# steps spread evenly over it). Reported: RSS at the end of warm-up (the first 20% of steps), at the end, and the
# least-squares slope after warm-up in MB per 1000 steps. Writes bench/long-runs/RESULTS.md and the samples (CSV).
# Usage: [RUNS="spectral amp"] bench/long-runs/run.sh [EPOCHS] [AMP_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs="${1:-100}"; amp_seconds="${2:-180}"; batches=200
runs="${RUNS:-spectral amp}"   # RUNS=amp reruns one of them; the table keeps the other's last row
out=bench/long-runs/results; mkdir -p "$out"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
dotnet build stages/Train -c Release -nologo -v quiet >/dev/null && dotnet build stages/AmpTrain -c Release -nologo -v quiet >/dev/null
[ -f data/simple_saw_256/train ] || dotnet src/Nsmt.Pipeline.Cli/bin/Release/net10.0/nsmt-pipeline.dll run --experiment quick --phase Generate >/dev/null

# Runs "$@" with its stdout lines timestamped into $1.lines and (t, rss_kb) samples into $1.rss.
measure() {
  local name=$1; shift
  local t0; t0=$(date +%s.%N)
  "$@" > >(while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$work/$name.lines") 2>"$work/$name.err" &
  local pid=$!
  : >"$work/$name.rss"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && printf '%s %s\n' "$(date +%s.%N)" "$rss" >>"$work/$name.rss"
    sleep 0.5
  done
  wait "$pid" || { echo "$name failed:"; tail -20 "$work/$name.err"; exit 1; }
  sleep 0.2
  echo "$t0" >"$work/$name.t0"
}

# Epoch end times (lines matching $2) -> steps; RSS samples -> (step, MB); warm-up, end and slope. Prints a table row.
analyse() {
  local name=$1 pattern=$2 steps_per_epoch=$3
  grep -E "$pattern" "$work/$name.lines" | awk '{ print $1 }' >"$work/$name.epochs"
  awk -v spe="$steps_per_epoch" -v name="$name" -v csv="$out/$name-rss.csv" '
    FNR == NR { ends[++n] = $1; next }
    FNR == 1 { t0 = $1 }
    {
      t = $1; mb = $2 / 1024
      # step at time t: epochs are spread evenly between consecutive epoch-end lines (the first starts at the first sample)
      prev = t0; step = -1
      for (e = 1; e <= n; e++) { if (t <= ends[e]) { step = (e - 1 + (t - prev) / (ends[e] - prev)) * spe; break } prev = ends[e] }
      if (step < 0) next
      s[++m] = step; r[m] = mb
      print step "," mb > csv
    }
    END {
      total = n * spe; warm = 0.2 * total
      for (i = 1; i <= m; i++) if (s[i] >= warm) { k++; sx += s[i]; sy += r[i]; sxx += s[i] * s[i]; sxy += s[i] * r[i]; if (!w) w = r[i]; last = r[i]; if (r[i] > peak) peak = r[i] }
      slope = (k * sxy - sx * sy) / (k * sxx - sx * sx) * 1000
      # The same over the last half: a leak keeps its slope, a one-off step (allocator, GC heap) does not.
      for (i = 1; i <= m; i++) if (s[i] >= total / 2) { k2++; hx += s[i]; hy += r[i]; hxx += s[i] * s[i]; hxy += s[i] * r[i] }
      half = (k2 * hxy - hx * hy) / (k2 * hxx - hx * hx) * 1000
      printf "| %s | %d | %d | %.1f | %.1f | %.1f | %+.3f | %+.3f |\n", name, n, total, w, last, peak, slope, half
    }' "$work/$name.epochs" "$work/$name.rss"
}

if [[ " $runs " == *" spectral "* ]]; then
echo "spectral: $epochs epochs x $batches steps"
measure spectral dotnet stages/Train/bin/Release/net10.0/Train.dll --experiment quick --output "$work/spectral-run" \
  --data data/simple_saw_256 data.batch_size=1 "trainer.max_epochs=$epochs" "trainer.min_epochs=$epochs" \
  "trainer.limit_train_batches=$batches" trainer.limit_val_batches=8 callbacks.early_stopping.patience=1000000
analyse spectral '^[^ ]+ epoch [0-9]+/' "$batches" >"$out/spectral.row"
cat "$out/spectral.row"
fi

if [[ " $runs " == *" amp "* ]]; then
echo "amp: ${amp_seconds} s"
measure amp dotnet stages/AmpTrain/bin/Release/net10.0/AmpTrain.dll --config configs/amp/quick_amp.yaml --output "$work/amp-run" \
  --time "${amp_seconds}s" training.epochs=100000 model.preset=nano data.seconds=12
# "model: ... 137 windows of 8192 samples, batch 4, ..." -> ceil(137 / 4) steps per epoch
amp_steps=$(sed -n 's/.* \([0-9][0-9]*\) windows of [0-9]* samples, batch \([0-9][0-9]*\).*/\1 \2/p' "$work/amp.lines" | head -1 | awk '{ print int(($1 + $2 - 1) / $2) }')
analyse amp '^[^ ]+ epoch [0-9]+/' "${amp_steps:-1}" >"$out/amp.row"
echo "$amp_steps" >"$out/amp.steps"
cat "$out/amp.row"
fi
amp_steps=$(cat "$out/amp.steps" 2>/dev/null || true)

cat >bench/long-runs/RESULTS.md <<MD
# Long runs: resident memory over steps (bench/long-runs/run.sh)

$(date -u +%Y-%m-%d), $(nproc) cores. RSS of the trainer process sampled every 0.5 s. Warm-up: the first 20% of the
steps; slope: least squares over the samples after warm-up. Samples: bench/long-runs/results/*-rss.csv (step, MB).

| run | epochs | steps | RSS after warm-up (MB) | RSS at the end (MB) | peak after warm-up (MB) | slope after warm-up (MB / 1000 steps) | slope over the last half (MB / 1000 steps) |
|---|---|---|---|---|---|---|---|
$(cat "$out"/spectral.row "$out"/amp.row 2>/dev/null)

- spectral: Train stage program, experiment quick (cnn_micro, 32x32x1 images), batch size 1, $batches steps per epoch,
  validation (8 batches), checkpoints and TensorBoard/CSV logging every epoch.
- amp: AmpTrain stage program, quick_amp with model.preset=nano and data.seconds=12 (the least a 3 s validation passage allows), stopped by --time; steps per epoch:
  ${amp_steps:-unknown (taken as 1: the steps column counts epochs)} (the windows over the batch size, from its log).
MD
cat bench/long-runs/RESULTS.md
