#!/usr/bin/env bash
# The main job: everything on small built-in defaults. Installs prerequisites first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
dotnet build Pipeline.sln -c Release -nologo -v quiet
# 1. The binding end to end: an MLP learns two spirals (artifacts/quickstart/).
dotnet run --project examples/Quickstart -c Release --no-build -- artifacts/quickstart
# 2. The first pipeline stage: the simple_saw VIMH dataset (data/).
if [ -f stages/Generate/Program.cs ]; then
  dotnet run --project stages/Generate -c Release --no-build -- --config configs/synth/simple_saw.yaml
fi
