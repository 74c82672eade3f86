#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and run NSMT.NET; quick when all is there.
# Needs root (or sudo) for apt-get. The .NET SDK itself is expected on PATH (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the report test renders artifacts/report/index.html headless.
packages=(graphviz sox chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
  exit 1
fi
dotnet tool restore >/dev/null
