#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, starts a private PostgreSQL and
# runs the whole test suite with ctest, in the default build and again under ASan + UBSan. The
# release packages are built first: the default build's suite installs and boots them in a
# Debian 12 container (tests/packaging). Reuses existing build directories.
# Usage: scripts/test.sh [preset...]   (default: "default debug-asan")
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(default debug-asan)
P88_WITH_TEST_TOOLS=1 scripts/install-deps.sh
for p in "${presets[@]}"; do
  echo "== building preset $p"
  scripts/build.sh "$p"
done
echo "== building the release packages"
scripts/package.sh
run_all() {
  local status=0
  for p in "${presets[@]}"; do
    echo "== testing preset $p"
    ctest --preset "$p" -j"$(nproc)" || status=1
  done
  return $status
}
export -f run_all
export PRESETS="${presets[*]}"
exec scripts/with-postgres.sh bash -c 'presets=($PRESETS); run_all'
