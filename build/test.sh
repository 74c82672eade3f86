#!/usr/bin/env bash
# Builds everything and runs every test project; ends with "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh || exit 1
# A one-node Slurm for the slurm executor's tests (root only: it installs packages and starts daemons). Where it
# cannot start, those tests say so and are skipped, unless NSMT_REQUIRE_SLURM=1 (.ci/run) makes them fail.
if [ "$(id -u)" -eq 0 ]; then
  bash build/slurm-local.sh start || echo "test: the local Slurm did not start; the slurm executor tests will be skipped or fail" >&2
fi

# The code dialect: CSharpier's layout here, .editorconfig's rules in the build below (see build/format.sh).
bash build/format.sh --check || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
dotnet build Pipeline.sln -c Release -nologo -v quiet || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
# Which path the engine takes on this CPU (oneDNN on, or switched off because its float32 kernels are wrong here):
# every test log says it. A still-wrong engine exits 4 here and fails the engine tests below.
dotnet stages/Train/bin/Release/net10.0/Train.dll --check-engine || echo "test: the engine self-check failed (see above)" >&2
# One trx file per test project, named after it (default names are timestamps and can collide).
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
done
# The SIMD kernels run at the widest vectors this CPU has; their other instantiations (Vector256 where AVX-512 is
# missing, scalar without AVX) are what other users' CPUs run, so their tests run here at those widths too.
if [ "$#" -eq 0 ]; then
  for width in DOTNET_PreferredVectorBitWidth=256:Vector256 DOTNET_EnableAVX=0:scalar; do
    env "${width%%:*}" dotnet test tests/Engine.Tests/Engine.Tests.csproj -c Release --no-build -nologo \
      --filter "FullyQualifiedName~Simd" --logger "trx;LogFileName=Engine.Tests.${width##*:}.trx" \
      --results-directory "$results" || status=$?
  done
fi

passed=0; failed=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(value total)))
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed)))
done
skipped=$((total - passed - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
