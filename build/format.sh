#!/usr/bin/env bash
# The code dialect (issue 28), applied or checked.
#   build/format.sh          applies it: .editorconfig's style rules (dotnet format style: unused usings, braces,
#                            var, field names, file-scoped namespaces), then CSharpier's layout, to every C# file.
#   build/format.sh --check  fails (exit 1) where a C# file's layout differs from CSharpier's; build/test.sh runs it
#                            before building. The .editorconfig rules need no separate check: they are build errors
#                            (EnforceCodeStyleInBuild in Directory.Build.props), so the build that follows fails on them.
#   build/format.sh --check-all  also verifies the .editorconfig rules without building (dotnet format, ~1.5 min).
#
# Field names: dotnet format reports IDE1006 but does not rename, so build/FieldNames renames with Roslyn's rename
# (references, nameof, conflicts). It leaves a field of a TorchSharp module that calls RegisterComponents (which names
# the parameter after the field, so state_dict keys would change) and says so; rename that one by hand with
# [ComponentName(Name = "oldName")] (as tests/Engine.Tests/ModuleTests.cs's TwoLayer does): the build fails on it until then.
# A parameter or buffer field of a TorchSharp module keeps its registered name (Module.to() replaces the tensor through
# the field of that name, and the name is the state_dict key): build/FieldNames leaves it, and it carries
# [SuppressMessage("Style", "IDE1006", ...)], added by hand (7 fields in Spectral.Models and Diagrams.Tests).
# dotnet format's first pass leaves some IDE0007 (var) fixes undone; a second pass of that rule alone finishes them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Solution projects plus the benches built on their own (not in Pipeline.sln).
projects=(Pipeline.sln bench/amp-train/AmpTrainBench/AmpTrainBench.csproj bench/fuzz/Nsmt.Fuzz/Nsmt.Fuzz.csproj
  bench/train-parity/StepBench/StepBench.csproj)

dotnet tool restore >/dev/null

case "${1:-}" in
  "")
    dotnet build build/FieldNames -c Release -nologo -v quiet >/dev/null
    for p in "${projects[@]}"; do
      dotnet build/FieldNames/bin/Release/net10.0/FieldNames.dll "$p"
      # The rules are errors in .editorconfig; --severity error fixes those and leaves the IDE's suggestions alone.
      dotnet format style "$p" --severity error -v quiet
      dotnet format style "$p" --severity error -v quiet --diagnostics IDE0007
    done
    dotnet csharpier format . --log-level Warning
    ;;
  --check|--check-all)
    status=0
    dotnet csharpier check . --log-level Warning || {
      status=1
      echo "format: C# layout differs from CSharpier's (files above); run build/format.sh to apply it" >&2
    }
    if [ "$1" = --check-all ]; then
      for p in "${projects[@]}"; do
        dotnet format style "$p" --severity error --verify-no-changes -v quiet || {
          status=1
          echo "format: $p breaks .editorconfig's rules (above); run build/format.sh to apply them" >&2
        }
      done
    fi
    exit "$status"
    ;;
  *)
    echo "usage: build/format.sh [--check|--check-all]" >&2
    exit 2
    ;;
esac
