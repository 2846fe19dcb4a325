#!/usr/bin/env bash
# The README's main-job command: installs what is missing, builds, and runs p88host on the
# embedded SQLite database, printing what it did. Everything it writes stays under .demo/.
#
# Today p88host loads plugins, creates and migrates its database and registers providers. The
# four provider plugins and the sync engine (issues #4 and #5) will make this command sync
# registrations from the bundled simulator; until then it shows the host itself working.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh
scripts/build.sh default >/dev/null
host=$root/build/default/host/p88host
demo=$root/.demo
rm -rf "$demo" && mkdir -p "$demo/plugins" && chmod 755 "$demo" "$demo/plugins"

step() { printf '\n== %s\n' "$*"; }

step "p88host --version"
"$host" --version

step "Building the SDK's example plugin out of tree, as a third party would"
cmake --install build/default --component sdk --prefix "$demo/sdk" >/dev/null
cmake -S sdk/examples/hello-provider -B "$demo/example-build" -DCMAKE_PREFIX_PATH="$demo/sdk" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$demo/example-build" >/dev/null
cp "$demo/example-build/hello_provider.so" "$demo/plugins/"
echo "built $demo/plugins/hello_provider.so against $demo/sdk/include/p88/plugin.h"

export P88_DB_PATH=$demo/p88.db P88_LOG_DIR=$demo/logs
plugin_dirs=(--plugin-dir "$root/build/default/host/plugins" --plugin-dir "$demo/plugins")

step "p88host --list-plugins"
"$host" --list-plugins "${plugin_dirs[@]}" || true

step "p88host --migrate (embedded SQLite database $P88_DB_PATH)"
"$host" --migrate "${plugin_dirs[@]}"

step "p88host --test-connection"
"$host" --test-connection

step "p88host --manual-sync \"1:RunSignUp\""
"$host" --manual-sync "1:RunSignUp" || echo "(exit $?: syncing arrives with the provider plugins and the sync engine, issues #4 and #5)"

step "Logs"
ls -l "$P88_LOG_DIR"
