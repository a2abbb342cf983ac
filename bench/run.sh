#!/usr/bin/env bash
# Runs the benchmarks (Release build). Usage: bench/run.sh [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/NiSharp.Bench -c Release -v quiet -nologo >/dev/null
exec dotnet bench/NiSharp.Bench/bin/Release/net10.0/NiSharp.Bench.dll "$@"
