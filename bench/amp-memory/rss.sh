# Sourced by run.sh and knobs.sh: one AmpTrain run's resident memory.
# measure_rss LABEL SECONDS MARKER COMMAND...: runs COMMAND under /usr/bin/time -v with its output in
# $work/log_LABEL_SECONDS.txt, polls the trainer's RSS every 0.2 s once a log line starts with MARKER (training has
# begun), and prints the peak RSS and that largest training RSS.
measure_rss() {
  local label=$1 s=$2 marker=$3
  shift 3
  local log=$work/log_${label}_$s.txt timing=$work/time_${label}_$s.txt
  /usr/bin/time -v -o "$timing" "$@" >"$log" 2>&1 &
  local outer=$!
  sleep 0.3
  local pid training=0 rss
  pid=$(pgrep -P $outer | head -1)
  while kill -0 $outer 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    if grep -q "^$marker" "$log" 2>/dev/null && [ "${rss:-0}" -gt $training ]; then training=$rss; fi
    sleep 0.2
  done
  wait $outer
  echo "$label ${s}s peak_rss_kb=$(awk -F': ' '/Maximum resident/{print $2}' "$timing") training_rss_kb=$training"
}
