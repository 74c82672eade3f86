#!/usr/bin/env bash
# Fuzzes one reader with AFL++ through SharpFuzz and appends the outcome to bench/fuzz/RESULTS.md.
#   bench/fuzz/run.sh TARGET SECONDS        TARGET: wav | vimh | nam | yaml | lock
# Seeds come from the committed fixtures and configs (and ../shared/fixtures for .nam), laid out as the harness
# expects them (bench/fuzz/Nsmt.Fuzz/Targets.cs). Findings (crashes, hangs) land in bench/fuzz/findings/TARGET/;
# replay one (uninstrumented build) with: dotnet bench/fuzz/Nsmt.Fuzz/bin/Release/net10.0/Nsmt.Fuzz.dll TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?target: wav | vimh | nam | yaml | lock}
seconds=${2:-600}
command -v afl-fuzz >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends afl++ >/dev/null
dotnet tool restore >/dev/null
out=bench/fuzz/out/$target
rm -rf "$out"
dotnet build bench/fuzz/Nsmt.Fuzz -c Release -nologo -v quiet >/dev/null
mkdir -p "$out"
cp -al bench/fuzz/Nsmt.Fuzz/bin/Release/net10.0/. "$out/"
# Instrument our readers and the parsers they stand on. SharpFuzz rewrites a file in place, and the build
# hard-links package assemblies to the NuGet cache (build/Torch.targets): each file is first replaced by a copy
# of its own, so the instrumentation never reaches the cache or another project's output.
for dll in Nsmt.Audio Nsmt.Spectral.Data Nsmt.Amp Nsmt.Amp.Training Nsmt.Spectral.Training Nsmt.Pipeline NAudio.Core YamlDotNet; do
  cp "$out/$dll.dll" "$out/$dll.dll.own" && mv -f "$out/$dll.dll.own" "$out/$dll.dll"
  dotnet sharpfuzz "$out/$dll.dll" >/dev/null
done

seeds=$(mktemp -d /tmp/nsmt-fuzz-seeds.XXXXXX)
trap 'rm -rf "$seeds"' EXIT
case $target in
  wav) cp tests/Nsmt.Audio.Tests/Fixtures/wav/*.wav "$seeds/" ;;
  nam) cp ../shared/fixtures/nam/*.nam "$seeds/" ;;
  yaml)
    for f in configs/amp/default.yaml configs/amp/files.yaml configs/experiment/quick.yaml configs/synth/simple_saw.yaml; do
      cp "$f" "$seeds/$(basename "$(dirname "$f")")_$(basename "$f")"
    done
    printf 'training:\n  epochs: 3\n---overrides---\ntraining.lr=0.01\nmodel.preset=nano\n' > "$seeds/with_overrides.yaml" ;;
  lock) cp tests/Nsmt.Pipeline.Tests/ReportSnapshotTests.Lock_file_of_a_tiny_run.verified.yaml "$seeds/pipeline.lock" ;;
  vimh)
    data=$(mktemp -d /tmp/nsmt-fuzz-vimh.XXXXXX)
    dotnet build stages/Generate -c Release -nologo -v quiet >/dev/null
    dotnet stages/Generate/bin/Release/net10.0/Generate.dll --config configs/synth/simple_saw.yaml --output "$data/set" \
      dataset.size=4 >/dev/null
    set_dir=$(dirname "$(find "$data" -name vimh_dataset_info.json | head -n 1)")
    { cat "$set_dir/vimh_dataset_info.json"; printf '\0'; cat "$set_dir/train"; } > "$seeds/simple_saw_4.bin"
    rm -rf "$data" ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac

findings=bench/fuzz/findings/$target
rm -rf "$findings"
mkdir -p bench/fuzz/findings
# -t: a run that takes over 5 s is a hang; -m none: .NET reserves far more address space than AFL's default cap.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  timeout $((seconds + 120)) afl-fuzz -V "$seconds" -t 5000 -m none -i "$seeds" -o "$findings" \
  -- dotnet "$out/Nsmt.Fuzz.dll" "$target" > "bench/fuzz/$target.log" 2>&1 || true
stats=$findings/default/fuzzer_stats
[ -f "$stats" ] || { echo "afl-fuzz did not start; see bench/fuzz/$target.log" >&2; tail -n 30 "bench/fuzz/$target.log" >&2; exit 1; }
value() { sed -n "s/^$1 *: *//p" "$stats"; }
line="| $target | $seconds | $(value execs_done) | $(value execs_per_sec) | $(value corpus_count) | $(value bitmap_cvg) | $(value saved_crashes) | $(value saved_hangs) | $(date -u +%F) |"
echo "$line"
results=bench/fuzz/RESULTS.md
[ -f "$results" ] || printf '# Fuzzing: AFL++ %s through SharpFuzz 2.3, 1 core each\n\n| target | seconds | executions | execs/s | corpus | coverage | crashes | hangs | date |\n|---|---|---|---|---|---|---|---|---|\n' "$(afl-fuzz -h 2>&1 | grep -o '++[0-9.a-z]*' | head -n 1)" > "$results"
echo "$line" >> "$results"
