#!/usr/bin/env bash
# The TorchSharp Scalar lifetime race (race.cs): bench/torchsharp-scalar-race/run.sh [seconds per case=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/Engine.Tests -c Release -nologo -v quiet >/dev/null
export TORCH_NATIVE=$PWD/tests/Engine.Tests/bin/Release/net10.0/runtimes/linux-x64/native
cd bench/torchsharp-scalar-race && dotnet run race.cs -- "${1:-30}"
