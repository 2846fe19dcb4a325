#!/usr/bin/env bash
# Configures (once) and builds a preset. Reuses an existing build directory.
# Usage: scripts/build.sh [preset]   (default: "default"; also "debug-asan", "release")
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" -G Ninja
fi
cmake --build --preset "$preset" -- -j"$(nproc)"
