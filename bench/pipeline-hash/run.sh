#!/usr/bin/env bash
# Hashing throughput of Nsmt.Pipeline (content hashes of dependencies and outputs) on a 1 GiB file, next to
# sha256sum and openssl measured on the same file in the same run. Target: >= 1 GB/s.
# Usage: bench/pipeline-hash/run.sh [DIR]   (DIR: scratch space for 2 GiB of test data; default: a temp dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-$(mktemp -d)}"
trap 'rm -rf "$dir"' EXIT

dotnet build bench/pipeline-hash/PipelineHash.Bench.csproj -c Release -v quiet -nologo >/dev/null
dotnet bench/pipeline-hash/bin/Release/net10.0/PipelineHash.Bench.dll "$dir"
for tool in "sha256sum" "openssl dgst -sha256"; do
  best=""; best_cpu=""
  for _ in 1 2 3; do
    times=$( { /usr/bin/time -f "%e %U %S" $tool "$dir/big.bin" >/dev/null; } 2>&1 | tail -1)
    best=$(echo "$times" | awk -v b="$best" '{ if (b == "" || $1 < b) b = $1; print b }')
    best_cpu=$(echo "$times" | awk -v b="$best_cpu" '{ c = $2 + $3; if (b == "" || c < b) b = c; print b }')
  done
  awk -v t="$best" -v c="$best_cpu" -v n="$tool" 'BEGIN { printf "%-52s %8.2f GB/s  (%.2f GB per CPU-second)  reference, whole process\n", n, 1073741824 / t / 1e9, 1073741824 / c / 1e9 }'
done
