#!/usr/bin/env bash
# Benchmark: samples/second generating the 16384-sample simple_saw dataset with the C# Generate
# stage (Release, all cores) vs a straightforward numpy/PyTorch script (one torch.stft per sample).
# Usage: bench/generate/run.sh [N]   (default 16384). Needs /usr/bin/python3 with python3-torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-16384}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

dotnet build stages/Generate -c Release -v quiet -nologo >/dev/null
# One warm-up run so JIT start-up is paid once, as Python's import cost is excluded from its timing.
dotnet stages/Generate/bin/Release/net10.0/Generate.dll --config configs/synth/simple_saw.yaml --output "$tmp/warm" --no-reports dataset.size=256 >/dev/null
start=$(date +%s.%N)
out=$(CI=true dotnet stages/Generate/bin/Release/net10.0/Generate.dll --config configs/synth/simple_saw.yaml \
    --output "$tmp/cs" --no-reports "dataset.size=$n")
end=$(date +%s.%N)
echo "$out" | grep -E '^(Time|Wrote)'
# Same scope as the Python timing: the generation loop plus writing the files (process start-up excluded).
cs_rate=$(echo "$out" | sed -n 's/^Time: .*(\([0-9.]*\) samples\/s)$/\1/p')
echo "csharp: $n samples, $cs_rate samples/s generation; whole process incl. start-up: $(awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }') samples/s"
py_rate=$(/usr/bin/python3 bench/generate/python_baseline.py "$n" "$tmp/py" | tee /dev/stderr | awk '/samples_per_second/ { print $2 }')
echo "python: $py_rate samples/s (generation loop only, imports excluded)"
awk -v a="$cs_rate" -v b="$py_rate" 'BEGIN { printf "speed-up: %.1fx (target >= 5x)\n", a / b }'
