#!/usr/bin/env bash
# The README's main-job command: installs what is missing, builds, starts the bundled provider
# simulator, and has p88host sync a timing partner's registrations from all four providers into
# the embedded SQLite database: a full sync, then (after the providers' data changed) an
# incremental one, then the service (engine and workers) for a minute, with a manual request
# queued ahead of its scheduled work. Prints what it synced. Everything it writes stays under
# .demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh
scripts/build.sh default >/dev/null
build=$root/build/default
host=$build/host/p88host
sim=$build/tools/provider-sim/p88-provider-sim
demo=$root/.demo
rm -rf "$demo" && mkdir -p "$demo/plugins" && chmod 755 "$demo" "$demo/plugins"

step() { printf '\n== %s\n' "$*"; }
db() { sqlite3 -header -column "$P88_DB_PATH" "$@"; }

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
export P88_PLUGIN_DIRS=$build/host/plugins:$demo/plugins

step "p88host --list-plugins"
"$host" --list-plugins

step "Starting the provider simulator (p88-provider-sim, loopback only)"
# The sandbox allows 100 calls a second per credential (the real providers: 500 to 1,000 an hour).
limits=()
for slug in runsignup raceroster haku letsdothis; do limits+=(--rate-limit "$slug=360000/3600"); done
"$sim" --partners 2 --participants 40 "${limits[@]}" --ready-file "$demo/sim.json" >"$demo/sim.out" 2>"$demo/sim.err" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$demo/sim.json" ] && break; sleep 0.1; done
[ -s "$demo/sim.json" ] || { echo "the simulator did not start: $(cat "$demo/sim.err")" >&2; exit 1; }
jq . "$demo/sim.json"
control=$(jq -r .control "$demo/sim.json")
# Each provider's base URL, as an operator points p88 at a sandbox: P88_<SLUG>_BASE_URL.
for slug in runsignup raceroster haku letsdothis; do
  export "P88_$(echo "$slug" | tr a-z A-Z)_BASE_URL=$(jq -r ".$slug" "$demo/sim.json")"
done

step "p88host --migrate (embedded SQLite database $P88_DB_PATH)"
"$host" --migrate

step "Registering timing partner 1 and its credentials at the four providers (SQL, as in the seed)"
{
  echo "INSERT INTO timing_partners (company_name) VALUES ('Demo Timing Co.');"
  # Race Roster also needs the account's username and password: additional_config.
  curl -sf "$control/accounts" | jq -r '
    def q: if . == null then "NULL" else "'"'"'" + (tostring | gsub("'"'"'"; "'"''"'")) + "'"'"'" end;
    .[] | select(.partner == 1) |
    "INSERT INTO partner_provider_credentials (timing_partner_id, provider_id, principal, secret, additional_config) VALUES (1, (SELECT provider_id FROM providers WHERE slug = \(.provider | q)), \(.principal | q), \(.secret | q), \(if .username then ({username, password} | tojson | q) else "NULL" end));"'
} | sqlite3 "$P88_DB_PATH"

step "Each credential's budget: what the provider allows (providers.rate_limit_per_hour; p88 never exceeds it)"
sqlite3 "$P88_DB_PATH" "UPDATE providers SET rate_limit_per_hour = 360000 WHERE slug IN ('runsignup', 'raceroster', 'haku', 'letsdothis')"
db "SELECT provider_id, name, rate_limit_per_hour FROM providers ORDER BY provider_id"

step "Sealing the credential secrets at rest (AES-256-GCM, the key outside the database)"
"$host" --generate-secret-key "$demo/secret.key"
export P88_SECRET_KEY_FILE=$demo/secret.key
"$host" --encrypt-secrets
db "SELECT c.partner_provider_credential_id AS credential, c.timing_partner_id AS partner, p.name AS provider,
           CASE WHEN c.principal LIKE 'enc:v1:%' THEN 'sealed (enc:v1)' ELSE 'plain, ' || length(c.principal) || ' chars' END AS principal,
           CASE WHEN c.secret IS NULL THEN '-' WHEN c.secret LIKE 'enc:v1:%' THEN 'sealed (enc:v1)' ELSE 'PLAIN' END AS secret
    FROM partner_provider_credentials c JOIN providers p USING (provider_id) ORDER BY 1"

providers=("RunSignUp" "Race Roster" "Haku" "Let's Do This")
status=0
for p in "${providers[@]}"; do
  step "p88host --manual-sync \"1:$p\"   (first run: full)"
  "$host" --manual-sync "1:$p" || status=1
done

step "The providers change: new registrations, edits, bibs, cancellations, transfers"
for slug in runsignup raceroster haku letsdothis; do
  for kind in new edit bib cancel transfer; do
    curl -sf -XPOST "$control/mutate" -d "{\"provider\":\"$slug\",\"kind\":\"$kind\",\"count\":3}" | jq -r '.changes[]'
  done
done

for p in "${providers[@]}"; do
  step "p88host --manual-sync \"1:$p\"   (second run: incremental)"
  "$host" --manual-sync "1:$p" | grep -v '^  event .*(0 inserted, 0 updated, [0-9]* unchanged; [0-9]* API calls\?)' || status=1
done

step "What timing partner 1 now has, per provider"
db "SELECT p.name AS provider,
           (SELECT count(*) FROM events e WHERE e.provider_id = p.provider_id AND e.timing_partner_id = 1) AS events,
           count(pa.id) AS registrations,
           sum(pa.status = 'active') AS active,
           sum(pa.status = 'cancelled') AS cancelled,
           sum(pa.status = 'removed') AS removed,
           sum(pa.status = 'transferred') AS transferred,
           sum(pa.bib IS NOT NULL) AS with_bib,
           sum(pa.revision > 1) AS changed_since_first_sync
    FROM providers p JOIN participants pa ON pa.provider_id = p.provider_id AND pa.timing_partner_id = 1
    GROUP BY p.provider_id ORDER BY p.provider_id"

step "A few registrations through the original views (unified_participants)"
db "SELECT source_provider, event_id, first_name, last_name, bib_number, status
    FROM unified_participants WHERE status <> 'active' ORDER BY source_provider, last_name LIMIT 8"

step "p88host as a service for 60 s: the engine schedules, 2 workers sync (windows shortened for the demo: within 4 h of the start, every 20 s)"
"$host" --workers 2 -D schedule.windows=24h:15m,4h:20s -D engine.tick=2s -D status.every=15s >"$demo/service.out" 2>&1 &
service_pid=$!
trap 'kill $sim_pid $service_pid 2>/dev/null; wait $sim_pid 2>/dev/null || true' EXIT
sleep 25
cat "$demo/service.out"
shown=$(wc -l <"$demo/service.out")
echo "(25 s in: the providers change again, and an operator asks for Haku now, without waiting)"
for slug in runsignup raceroster haku letsdothis; do
  curl -sf -XPOST "$control/mutate" -d "{\"provider\":\"$slug\",\"kind\":\"edit\",\"count\":2}" >/dev/null
done
"$host" --manual-sync "1:Haku" --enqueue-only
sleep 35
kill -TERM $service_pid
wait $service_pid || status=1
tail -n +$((shown + 1)) "$demo/service.out"

step "The seed's monitoring queries: sync queue status"
db "SELECT
    p.name as provider,
    sq.operation_type,
    sq.status,
    COUNT(*) as count
FROM sync_queue sq
JOIN providers p ON p.provider_id = sq.provider_id
GROUP BY p.name, sq.operation_type, sq.status;"

step "Who ran what: manual requests (priority 0) and scheduled syncs, per provider"
db "SELECT p.name AS provider, sh.reason, count(*) AS syncs, sum(sh.api_calls) AS api_calls,
           sum(sh.status = 'success') AS success, sum(sh.status <> 'success') AS other
    FROM sync_history sh JOIN providers p ON p.provider_id = sh.provider_id
    GROUP BY p.name, sh.reason ORDER BY p.name, sh.reason"

step "The seed's monitoring queries: recent sync history"
db "SELECT
    sh.sync_time,
    p.name as provider,
    sh.operation_type,
    sh.status,
    sh.num_of_synced_records
FROM sync_history sh
JOIN providers p ON p.provider_id = sh.provider_id
ORDER BY sh.sync_time DESC
LIMIT 20;"

step "Logs"
ls -l "$P88_LOG_DIR"
exit $status
