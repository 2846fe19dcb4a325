#!/usr/bin/env bash
# Builds the release preset and its packages (deb and rpm: p88, p88-dev, p88-provider-sim) into
# build/release/packages. Reuses the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release
rm -rf build/release/packages
(cd build/release && cpack -B packages > cpack.log 2>&1) || { cat build/release/cpack.log; exit 1; }
rm -rf build/release/packages/_CPack_Packages
ls -1 build/release/packages
