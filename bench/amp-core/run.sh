#!/bin/bash
# Our streaming engine against NAM Core (NeuralAmpModelerCore) on the same input in the same run
# (bench/amp-core/RESULTS.md): 30 s of 48 kHz audio (../shared/fixtures/nam/input_48k_f32.wav x 15), block 64,
# processing only (each side warms up, resets, then times one pass: that thread's CPU time), one pinned core.
# Models: Core's own example_models/wavenet_a1_standard.nam (A1 standard) and A2.nam at size 0.3 (A2-Lite) and
# 1.0 (A2-Full), each with exact and fast tanh. Core is built twice from the given source tree with its Release
# flags (-Ofast, LTO, A2 fast path) and with -march=native added; builds are cached by a hash of Core's sources,
# the driver and the compiler. Each round runs every side once per case, starting with a different side each round.
#   NAM_CORE_DIR=/path/to/NeuralAmpModelerCore bench/amp-core/run.sh [ROUNDS=3] [OUT_DIR]
# (a source tree: git clone https://github.com/sdatkinson/NeuralAmpModelerCore; its submodules are not needed:
# Eigen comes from Debian's libeigen3-dev). Needs cmake, g++, sox, taskset. NSMT_BENCH_CPU picks the core (1).
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$(mktemp -d /tmp/amp-core.XXXXXX)}
core=${NAM_CORE_DIR:?set NAM_CORE_DIR to a NeuralAmpModelerCore source tree}
cpu=${NSMT_BENCH_CPU:-1}
fixtures=$root/../shared/fixtures/nam
mkdir -p "$out"
lock() { flock /tmp/nsmt-build.lock "$@"; }

# Core, built twice and cached by content.
driver=$root/bench/amp-core/driver
key=$( (cd "$core" && find NAM Dependencies/nlohmann -type f | LC_ALL=C sort | xargs sha256sum; \
        (cd "$driver" && sha256sum -- *); g++ --version | head -1) | sha256sum | cut -c1-16)
cache=${NSMT_CORE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nsmt/amp-core}/$key
for flavor in ofast native; do
  if [ ! -x "$cache/$flavor/core_bench" ]; then
    native=$([ $flavor = native ] && echo ON || echo OFF)
    cmake -S "$driver" -B "$cache/$flavor" -DNAM_CORE_DIR="$core" -DCMAKE_BUILD_TYPE=Release -DNAM_NATIVE=$native \
      > "$out/cmake-$flavor.log"
    lock cmake --build "$cache/$flavor" -j 2 > "$out/build-$flavor.log"
  fi
done
lock dotnet build "$root/bench/Nsmt.Amp.Bench" -c Release -nologo -v quiet > "$out/build-ours.log"
ours="dotnet $root/bench/Nsmt.Amp.Bench/bin/Release/net10.0/Nsmt.Amp.Bench.dll"

sox $(for _ in $(seq 15); do echo "$fixtures/input_48k_f32.wav"; done) -t f32 "$out/input.f32" 2> /dev/null

# name|model|size
cases=("A1 standard|$core/example_models/wavenet_a1_standard.nam|"
       "A2-Lite|$core/example_models/A2.nam|0.3"
       "A2-Full|$core/example_models/A2.nam|1.0")
sides=(ours core-ofast core-native)
run_side() { # side model size tanh output
  local args=("$2" "$out/input.f32" "$5" --block 64)
  [ -n "$3" ] && args+=(--size "$3")
  [ "$4" = fast ] && args+=(--fast-tanh)
  case $1 in
    ours) DOTNET_TC_CallCountingDelayMs=0 taskset -c "$cpu" $ours one "${args[@]}" ;;
    core-ofast) taskset -c "$cpu" "$cache/ofast/core_bench" "${args[@]}" ;;
    core-native) taskset -c "$cpu" "$cache/native/core_bench" "${args[@]}" ;;
  esac | awk '/^process_s/ { print $2 }'
}

{
  echo "date $(date -u +%FT%TZ)"
  echo "cpu $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p'), pinned to core $cpu"
  echo "loadavg_start $(cat /proc/loadavg)"
  echo "core $core (build key $key) $(git -C "$core" rev-parse HEAD 2> /dev/null || true)"
} | tee "$out/meta.txt"
: > "$out/times.txt"
for round in $(seq "$rounds"); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name model size <<< "$c"
    for tanh in exact fast; do
      for i in 0 1 2; do
        side=${sides[$(((i + round) % 3))]}
        slug=$(echo "$name" | tr ' ' _)-$tanh-$side
        t=$(run_side "$side" "$model" "$size" "$tanh" "$out/$slug.f32")
        echo "$round|$name|$tanh|$side|$t" | tee -a "$out/times.txt"
      done
    done
  done
done
echo "loadavg_end $(cat /proc/loadavg)" | tee -a "$out/meta.txt"

# Both sides must have played the same model: exact tanh within 1e-5 of Core, fast tanh as close as the two
# approximations allow.
for c in "${cases[@]}"; do
  IFS='|' read -r name _ _ <<< "$c"
  for tanh in exact fast; do
    slug=$(echo "$name" | tr ' ' _)-$tanh
    echo "$name $tanh tanh, ours vs Core -march=native: $($ours compare "$out/$slug-ours.f32" "$out/$slug-core-native.f32")"
  done
done | tee "$out/agreement.txt"

# Best (smallest) time per case and side, and the ratios.
awk -F'|' '
  { k = $2 "|" $3 "|" $4; if (!(k in best) || $5 < best[k]) best[k] = $5; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
  END {
    print "| model | tanh | ours s | Core -Ofast s | Core -march=native s | ours / Core native | ours / Core -Ofast |"
    print "|---|---|---|---|---|---|---|"
    for (i = 0; i < n; i++) for (t = 0; t < 2; t++) {
      m = order[i]; tanh = t ? "fast" : "exact"
      o = best[m "|" tanh "|ours"]; f = best[m "|" tanh "|core-ofast"]; c = best[m "|" tanh "|core-native"]
      printf "| %s | %s | %.3f | %.3f | %.3f | %.2f | %.2f |\n", m, tanh, o, f, c, o / c, o / f
    }
    print ""
    print "| model | fast / exact, ours | Core -Ofast | Core -march=native |"
    print "|---|---|---|---|"
    for (i = 0; i < n; i++) {
      m = order[i]
      printf "| %s | %.2f | %.2f | %.2f |\n", m, best[m "|fast|ours"] / best[m "|exact|ours"],
        best[m "|fast|core-ofast"] / best[m "|exact|core-ofast"], best[m "|fast|core-native"] / best[m "|exact|core-native"]
    }
  }' "$out/times.txt" | tee "$out/summary.md"
echo "outputs in $out"
