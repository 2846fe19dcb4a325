#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, starts a private PostgreSQL and
# runs the whole test suite with ctest. Reuses an existing build directory.
# Usage: scripts/test.sh [preset]   (default: "default"; "debug-asan" for ASan + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
scripts/install-deps.sh
scripts/build.sh "$preset"
exec scripts/with-postgres.sh ctest --preset "$preset" -j"$(nproc)"
