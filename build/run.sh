#!/usr/bin/env bash
# The main job: the whole pipeline on its small built-in defaults (pipeline.yaml `default:` — one spectral and
# one amp experiment, a few minutes on 2 cores). Installs prerequisites first.
#   generate -> train -> evaluate -> diagram -> report; the report lands in artifacts/report/index.html.
# A second run with nothing changed skips every stage.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
dotnet build Pipeline.sln -c Release -nologo -v quiet
dotnet cake --target=Default "$@"
