#!/usr/bin/env bash
# Per-op overhead: TorchSharp 0.107 (libtorch 2.10) from C# vs PyTorch eager (Debian python3-torch), same machine,
# same thread count, one run.
# Usage: bench/torch-overhead/run.sh [threads]   (default 1). Writes bench/torch-overhead/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${1:-1}"
export OMP_WAIT_POLICY=PASSIVE
dotnet build bench/Nsmt.Bench -c Release -nologo -v quiet >/dev/null
ours=$(dotnet bench/Nsmt.Bench/bin/Release/net10.0/Nsmt.Bench.dll "$threads")
theirs=$(/usr/bin/python3 bench/torch-overhead/torch_overhead.py "$threads")
{
  echo "# Per-op overhead, $threads thread(s), $(nproc) cores: TorchSharp 0.107 (libtorch 2.10) vs PyTorch $(/usr/bin/python3 -c "import torch; print(torch.__version__)") eager"
  echo
  echo "| case | TorchSharp (us) | PyTorch eager (us) | ours / PyTorch |"
  echo "|---|---|---|---|"
  join <(echo "$ours" | sort) <(echo "$theirs" | sort) | awk '{ printf "| %s | %.2f | %.2f | %.2f |\n", $1, $2, $3, $2 / $3 }'
} | tee bench/torch-overhead/RESULTS.md
