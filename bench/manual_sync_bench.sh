#!/usr/bin/env bash
# End-to-end sync speed: p88host --manual-sync of one large event per provider, from the
# simulator over loopback, into SQLite (and PostgreSQL when PGHOST is set, e.g. under
# scripts/with-postgres.sh). For each provider: a full sync, then an unchanged incremental one.
#
#   bench/manual_sync_bench.sh [build-dir] [registrations] [haku-registrations]
#
# Haku is run smaller: its full sync reads every registration's detail, one call each.
# The simulator and p88 (providers.rate_limit_per_hour) allow 100,000,000 calls an hour, so the
# figures measure p88, not a budget; every call still goes through the shared rate limiter.
set -euo pipefail
build=${1:-build/release}
n=${2:-100000}
haku_n=${3:-10000}
host=$build/host/p88host
sim=$build/tools/provider-sim/p88-provider-sim
work=$(mktemp -d)
trap 'kill ${sim_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }

run_provider() {  # slug name count backend
  local slug=$1 name=$2 count=$3 backend=$4
  "$sim" --partners 1 --participants 5 --large-event "$count" \
    --rate-limit "$slug=100000000/3600" --ready-file "$work/sim.json" >/dev/null 2>&1 &
  sim_pid=$!
  for _ in $(seq 600); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
  local control url event
  control=$(jq -r .control "$work/sim.json")
  url=$(jq -r ".$slug" "$work/sim.json")
  event=$(curl -sf "$control/events?provider=$slug&partner=1" | jq -r "[.[] | select(.participants == $count)][0].provider_event_id")
  local env=(P88_LOG_DIR="$work/logs" "P88_$(echo "$slug" | tr a-z A-Z)_BASE_URL=$url")
  if [ "$backend" = sqlite ]; then
    env+=(P88_DB_PATH="$work/bench.db")
    rm -f "$work/bench.db"*
  else
    psql -q -c "DROP DATABASE IF EXISTS p88_bench" postgres && psql -q -c "CREATE DATABASE p88_bench" postgres
    env+=(DB_HOST="$PGHOST" DB_PORT="$PGPORT" DB_USER="$PGUSER" DB_NAME=p88_bench)
  fi
  env "${env[@]}" "$host" --migrate >/dev/null
  local sql
  sql=$(curl -sf "$control/accounts" | jq -r --arg slug "$slug" '
    def q: if . == null then "NULL" else "'"'"'" + (tostring | gsub("'"'"'"; "'"''"'")) + "'"'"'" end;
    .[] | select(.provider == $slug and .partner == 1) |
    "INSERT INTO timing_partners (company_name) VALUES ('"'"'Bench'"'"'); INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal, secret, additional_config) VALUES (1, (SELECT provider_id FROM providers WHERE slug = \($slug | q)), \(.principal | q), \(.secret | q), \(if .username then ({username, password} | tojson | q) else "NULL" end)); UPDATE providers SET rate_limit_per_hour = 100000000 WHERE slug = \($slug | q);"')
  if [ "$backend" = sqlite ]; then sqlite3 "$work/bench.db" "$sql"; else psql -q -d p88_bench -c "$sql"; fi
  local t full incr
  t=$(now); env "${env[@]}" "$host" --manual-sync "1:$name:$event" >"$work/full.out"; full=$(elapsed "$t")
  t=$(now); env "${env[@]}" "$host" --manual-sync "1:$name:$event" >"$work/incr.out"; incr=$(elapsed "$t")
  local calls_full calls_incr
  calls_full=$(grep -o '[0-9]* API calls' "$work/full.out" | tail -1)
  calls_incr=$(grep -o '[0-9]* API calls' "$work/incr.out" | tail -1)
  printf '| %s | %s | %s | %s s (%s rows/s, %s) | %s s (%s) |\n' "$name" "$backend" "$count" \
    "$(printf %.2f "$full")" "$(awk -v n="$count" -v t="$full" 'BEGIN { printf "%d", n / t }')" "$calls_full" "$(printf %.2f "$incr")" "$calls_incr"
  kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; rm -f "$work/sim.json"
}

backends=(sqlite)
[ -n "${PGHOST:-}" ] && backends+=(postgresql)
echo "| provider | database | registrations | full sync (discovery + the event) | unchanged incremental |"
echo "|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  run_provider runsignup "RunSignUp" "$n" "$backend"
  run_provider raceroster "Race Roster" "$n" "$backend"
  run_provider haku "Haku" "$haku_n" "$backend"
  run_provider letsdothis "Let's Do This" "$n" "$backend"
done
