#!/usr/bin/env bash
# The example alert rules and the Grafana dashboard: promtool checks the rules and runs their unit
# test (tests/packaging/p88-alerts.test.yml); the dashboard is valid JSON whose every query names
# only metrics p88host exports (tests/integration/status_test.cpp checks those against a scrape).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v promtool >/dev/null || { echo "FAIL: promtool is missing (Debian's prometheus; scripts/install-deps.sh with P88_WITH_TEST_TOOLS=1)" >&2; exit 1; }
promtool check rules "$root/packaging/prometheus/p88-alerts.yml"
(cd "$here" && promtool test rules p88-alerts.test.yml)
dashboard="$root/packaging/grafana/p88-race-morning.json"
panels=$(jq '[.. | objects | select(has("expr"))] | length' "$dashboard")
echo "dashboard: $(jq -r .title "$dashboard"), $(jq '.panels | length' "$dashboard") panels, $panels queries"
[ "$panels" -ge 6 ] || { echo "FAIL: the dashboard has only $panels queries" >&2; exit 1; }
