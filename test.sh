#!/usr/bin/env bash
# The test command: builds what it needs and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test NiSharp.slnx -c Release "$@"
